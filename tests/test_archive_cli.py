"""`linkcheck archive ...` in-process (CliRunner) against the loopback farm."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from datetime import datetime, timezone
from hashlib import sha256

import pytest
from click.testing import CliRunner

from linkcheck.cli.archive import archive
from tests.farm import redirect, respond, sequence
from tests.test_archive_helpers import capture_all


@pytest.fixture
def here(tmp_path, monkeypatch):
    """Run in an empty folder: no config.toml, and `archive/` lands here."""
    monkeypatch.chdir(tmp_path)
    for name in ("LINKCHECK_CHECK_MAX_CONCURRENCY",):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def run(*args):
    result = CliRunner().invoke(archive, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_every_command_has_help_with_examples():
    code, out, _ = run("--help")
    assert code == 0 and "Examples:" in out
    for name in archive.commands:
        code, out, _ = run(name, "--help")
        assert code == 0 and "Examples:" in out and "--archive-dir" in out, name


def test_capture_list_show_verify_export(farm, here):
    site = farm.host()
    site.route("/paper", respond(200, "<html><title>The paper</title><p>Results: 42.</p></html>"))
    site.route("/moved", redirect(301, "/paper"))
    site.route("/missing", respond(404, "<p>gone</p>"))

    code, out, err = run(site.url("/paper"), site.url("/moved"))  # `archive URL...` = `archive capture URL...`
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith(f"captured  200 {site.url('/paper')}  archive/linkcheck-")
    assert lines[1].startswith(f"captured  200 {site.url('/moved')} -> {site.url('/paper')}")
    assert lines[1].endswith("(unchanged: revisit record)")  # /paper was captured a moment before
    assert (here / "archive" / "indexes" / "index.cdxj").is_file()

    code, out, _ = run("capture", "--format", "json", site.url("/missing"))
    assert code == 0
    [row] = json.loads(out)
    assert row["archive"]["http_status"] == 404 and row["error"] is None

    code, out, _ = run("list")
    assert code == 0
    assert out.splitlines()[0].split()[:3] == ["captured", "(UTC)", "HTTP"]
    listed = out.splitlines()[1:]
    assert len(listed) == 3 and "The paper" in out  # pages only: the hop /moved -> /paper is not a page
    code, out, _ = run("list", "--all", "--format", "json")
    assert {entry["role"] for entry in json.loads(out)} == {"page", "hop"}
    code, out, _ = run("list", site.url("/paper"))
    assert len(out.splitlines()) == 3  # header + the capture and the revisit of /paper itself

    code, out, _ = run("show", site.url("/moved"))
    assert code == 0
    assert out.splitlines()[0] == f"301 {site.url('/moved')} -> {site.url('/paper')}"
    assert "Title:           The paper" in out and out.rstrip().endswith("Results: 42.")

    code, out, _ = run("verify")
    assert code == 0 and out.startswith("ok: 10 records in 2 WARC files")

    code, out, _ = run("export", "--wacz", "cites.wacz")
    assert code == 0 and "3 page captures" in out
    with zipfile.ZipFile(here / "cites.wacz") as wacz:
        names = wacz.namelist()
        package = json.loads(wacz.read("datapackage.json"))
        for resource in package["resources"]:
            assert resource["hash"] == "sha256:" + sha256(wacz.read(resource["path"])).hexdigest()
        assert wacz.getinfo(next(n for n in names if n.startswith("archive/"))).compress_type == zipfile.ZIP_STORED
        pages = [json.loads(line) for line in wacz.read("pages/pages.jsonl").splitlines()]
    assert {"indexes/index.cdxj", "pages/pages.jsonl", "datapackage.json", "datapackage-digest.json"} <= set(names)
    assert package["wacz_version"] == "1.1.1"
    assert pages[0]["format"] == "json-pages-1.0"
    assert {page["url"] for page in pages[1:]} == {site.url("/paper"), site.url("/moved"), site.url("/missing")}
    assert {page["title"] for page in pages[1:] if page["url"] == site.url("/moved")} == {"The paper"}


def test_show_picks_the_capture_closest_to_a_date(farm, here):
    site = farm.host().route("/p", sequence(respond(200, "<p>first version</p>"), respond(200, "<p>second version</p>")))
    for day in (1, 20):
        capture_all(here / "archive", [site.url("/p")], clock=lambda day=day: datetime(2026, 11, day, tzinfo=timezone.utc))
    assert run("show", site.url("/p"))[1].rstrip().endswith("second version")
    code, out, _ = run("show", site.url("/p"), "--at", "2026-11-05")
    assert code == 0 and "Captured:        2026-11-01T00:00:00.000000Z" in out and out.rstrip().endswith("first version")
    assert run("show", site.url("/p"), "--at", "soon")[0] == 2
    code, _, err = run("show", site.url("/other"))
    assert code == 1 and "no capture of" in err


def test_failures_and_usage_errors_have_their_exit_codes(farm, here):
    site = farm.host().route("/img", respond(200, b"GIF89a", {"Content-Type": "image/gif"}))
    code, out, _ = run(site.url("/img"))
    assert code == 1 and out.startswith(f"failed    {site.url('/img')}: content type image/gif is not captured")
    code, out, _ = run("--content-type", "image/*", site.url("/img"))
    assert code == 0 and out.startswith("captured")

    code, _, err = run("--policy", "sometimes", site.url("/img"))
    assert code == 2 and "not a capture policy" in err
    code, _, err = run("--max-size", "huge", site.url("/img"))
    assert code == 2 and "not a size" in err

    (here / "blocker").write_text("a file, not a folder")
    code, _, err = run("--archive-dir", "blocker/archive", site.url("/img"))
    assert code == 2 and "cannot create the archive folder" in err
    code, _, err = run("list", "--archive-dir", "nowhere")
    assert code == 2 and "no archive at nowhere" in err


def test_verify_names_every_kind_of_damage(farm, here):
    site = farm.host().route("/a", respond(200, "<p>" + "a" * 2000 + "</p>")).route("/b", respond(200, "<p>b</p>"))
    capture_all(here / "archive", [site.url("/a"), site.url("/b")])
    assert run("verify")[0] == 0
    db = sqlite3.connect(here / "archive" / "catalog.sqlite")
    warc_file, offset = db.execute("SELECT warc_file, offset FROM records WHERE url = ? AND record_type = 'request'", (site.url("/b"),)).fetchone()
    with db:
        db.execute("DELETE FROM records WHERE warc_file = ? AND offset = ?", (warc_file, offset))
        db.execute(
            "INSERT INTO records (record_id, record_type, captured_at, warc_file, offset, length) VALUES (?, ?, ?, ?, ?, ?)",
            ("<urn:uuid:ghost>", "response", "2026-11-29T00:00:00.000000Z", warc_file, 1, 10),
        )
        db.execute(
            "INSERT INTO records (record_id, record_type, captured_at, warc_file, offset, length) VALUES (?, ?, ?, ?, ?, ?)",
            ("<urn:uuid:lost>", "response", "2026-11-29T00:00:00.000000Z", "archive/lost.warc.gz", 0, 10),
        )
    db.close()
    code, out, _ = run("verify")
    assert code == 1
    assert "request record" in out and "is not in the catalog" in out
    assert "<urn:uuid:ghost> is not a record boundary" in out
    assert "archive/lost.warc.gz: file missing" in out
    assert out.splitlines()[-1].startswith("3 problems in")


def test_verify_catches_a_flipped_byte(farm, here):
    site = farm.host().route("/a", respond(200, "<p>" + "a" * 20 + "</p>", {"Content-Type": "text/plain"}))
    [capture] = capture_all(here / "archive", [site.url("/a")])
    path = here / "archive" / capture.warc_file
    db = sqlite3.connect(here / "archive" / "catalog.sqlite")
    offset, length = db.execute("SELECT offset, length FROM records WHERE record_id = ?", (capture.record_id,)).fetchone()
    db.close()
    # Rewrite the record with one payload byte changed, as a valid gzip member of its own.
    import gzip

    from linkcheck.archive.warc import read_member

    record = read_member(path, offset, length).replace(b"aaaa", b"aaab", 1)
    data = path.read_bytes()
    member = gzip.compress(record)
    path.write_bytes(data[:offset] + member + data[offset + length :])
    code, out, _ = run("verify")
    assert code == 1 and "digest failed" in out
