"""`linkcheck check --archive`: every live citation captured while checking; the report
names each capture; the archive verifies and lists them."""

import json

import jsonschema
from click.testing import CliRunner

from linkcheck.cli import cli
from tests.farm import redirect, respond
from tests.test_cli import SCHEMA

PAGE = "<html><head><title>Cited page</title></head><body><p id='claim'>The claim.</p></body></html>"


def test_check_with_archive_fills_the_archive(farm, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LINKCHECK_NETWORK_PROBE_URLS", "")
    site = farm.host().route("/page", respond(200, PAGE)).route("/moved", redirect(301, "/page"))
    site.route("/gone", respond(404)).route("/data.pdf", respond(200, b"%PDF-1.4 tiny", {"Content-Type": "application/pdf"}))
    (tmp_path / "examples").mkdir()
    (tmp_path / "examples" / "cites.md").write_text(
        f"[a]({site.url('/page')}#claim) [b]({site.url('/moved')}) [c]({site.url('/gone')}) [d]({site.url('/data.pdf')})\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    result = runner.invoke(cli, ["check", "--archive", "examples/", "--format", "json", "--max-retries", "0"])
    assert result.exit_code == 1, result.stderr  # /gone is dead
    report = json.loads(result.stdout)
    jsonschema.validate(report, SCHEMA)
    archived = {r["url"]: r["archive"] for r in report["results"]}
    assert archived[site.url("/gone")] is None
    for url in (site.url("/page") + "#claim", site.url("/moved"), site.url("/data.pdf")):
        snapshot = archived[url]
        assert snapshot["warc_file"].startswith("archive/") and snapshot["warc_file"].endswith(".warc.gz")
        assert snapshot["record_id"].startswith("<urn:uuid:") and snapshot["payload_digest"].startswith("sha1:")
    # The second citation of /page (via the 301) is the same payload: a revisit, not a copy.
    assert {archived[site.url("/moved")]["record_type"], archived[site.url("/page") + "#claim"]["record_type"]} == {"response", "revisit"}

    listing = runner.invoke(cli, ["archive", "list", "--format", "json"])
    assert listing.exit_code == 0
    assert {entry["url"] for entry in json.loads(listing.stdout)} >= {site.url("/page"), site.url("/moved"), site.url("/data.pdf")}
    verify = runner.invoke(cli, ["archive", "verify"])
    assert verify.exit_code == 0, verify.stdout + verify.stderr
    assert "ok:" in verify.stdout


def test_a_page_the_check_read_whole_is_archived_from_that_response_not_fetched_again(farm, tmp_path, monkeypatch):
    """Issue 14: `--archive` used to download every page twice (the check's GET, then the
    capture's). A response the check read whole, without redirects, is written as is; a
    redirect chain is still captured hop by hop by the archive."""
    from tests.test_archive_helpers import read_records

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LINKCHECK_NETWORK_PROBE_URLS", "")
    monkeypatch.setenv("LINKCHECK_CHECK_METHOD", "get")
    site = farm.host().route("/page", respond(200, PAGE)).route("/moved", redirect(301, "/other")).route("/other", respond(200, PAGE + " "))
    (tmp_path / "cites.md").write_text(f"[a]({site.url('/page')}) [b]({site.url('/moved')})\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", "--archive", "--no-history", "cites.md", "--format", "json", "--max-retries", "0"])
    assert result.exit_code == 0, result.stderr
    assert site.count("/page", "GET") == 1, [(r.method, r.path) for r in site.requests]
    assert site.count("/moved", "GET") >= 1 and site.count("/other", "GET") >= 1
    records = {(r[0], r[1]): r for r in read_records(tmp_path / "archive")}
    assert records[("response", site.url("/page"))][4] == PAGE.encode()
    # The page's record says which server answered, as a capture of its own does.
    assert records[("response", site.url("/page"))][2].get_header("WARC-IP-Address") == site.ip
    assert records[("response", site.url("/other"))][2].get_header("WARC-IP-Address") == site.ip
    assert ("request", site.url("/page")) in records
    assert ("response", site.url("/moved")) in records and ("response", site.url("/other")) in records
    verify = CliRunner().invoke(cli, ["archive", "verify"])
    assert verify.exit_code == 0, verify.stdout + verify.stderr
