"""Archived copies `fix` writes must open from the document: a local-archive capture is
linked through `archive.replay_url` (pywb's BASE/TIMESTAMP/URL), never as the relative
replay path `archive/<stamp>/<url>`, which the next `check` would report dead."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

import linkcheck.cli.fix  # noqa: F401 - registers `fix` for the direct `cli` invocations below
from linkcheck.cli import cli
from linkcheck.extract import ExtractOptions, extractor, format_for
from linkcheck.fix.plan import Unlinkable, linkable
from linkcheck.models import Result, Status
from tests.test_fix_golden import FIXTURES, FORMATS, write_history

DEAD = "https://dead.example.com/paper"
LOCAL = f"archive/20261206125047/{DEAD}"
REPLAY = "http://localhost:8080/archive"
REPLAYED = f"{REPLAY}/20261206125047/{DEAD}"

#: One dead citation per format, each with a copy only in the local archive.
DOCUMENTS = {
    "markdown": f"See [the paper]({DEAD}).\n",
    "html": f'<p>See <a href="{DEAD}">the paper</a>.</p>\n',
    "wikitext": f"See {{{{cite web |url={DEAD} |title=The paper}}}}.\n",
    "bibtex": f"@misc{{paper,\n  title = {{The paper}},\n  url = {{{DEAD}}}\n}}\n",
    "rst": f"See `the paper <{DEAD}>`_.\n",
    "plaintext": f"The study ({DEAD}) is gone.\n",
}


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    local = {"archive_url": LOCAL, "captured_at": "2026-12-06T12:50:47Z", "source": "local"}
    write_history(tmp_path / "archive", [Result(DEAD, Status.DEAD, http_status=404, suggestion=local)])
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run_fix(folder: Path, *args: str, replay_url: str | None = None) -> tuple[int, str, str]:
    env = {"LINKCHECK_ARCHIVE_REPLAY_URL": replay_url} if replay_url is not None else {}
    result = CliRunner(env=env).invoke(cli, ["fix", "--archive-dir", str(folder / "archive"), *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def cited(path: Path) -> list[str]:
    """Every target the format's extractor reads in `path` (what the next `check` requests)."""
    data = path.read_bytes()
    return [raw.target for raw in extractor(format_for(path, data))(data.decode("utf-8"), ExtractOptions())]


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_local_captures_are_linked_through_the_replay_url(workspace: Path, name: str) -> None:
    document = workspace / f"doc.{FORMATS[name]}"
    document.write_text(DOCUMENTS[name], encoding="utf-8")
    code, out, err = run_fix(workspace, "--write", document.name, replay_url=REPLAY + "/")
    assert code == 0, err
    assert f"archived {DEAD} → {REPLAYED}" in out
    text = document.read_text(encoding="utf-8")
    assert REPLAYED in text and LOCAL not in text.replace(REPLAYED, "")
    for target in cited(document):
        parts = urlsplit(target)
        assert parts.scheme in ("http", "https") and parts.netloc, f"{target} is not an absolute URL"


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_without_a_replay_url_local_captures_are_not_written(workspace: Path, name: str) -> None:
    document = workspace / f"doc.{FORMATS[name]}"
    document.write_text(DOCUMENTS[name], encoding="utf-8")
    code, out, err = run_fix(workspace, "--write", document.name)
    assert (code, out) == (0, "")
    assert document.read_text(encoding="utf-8") == DOCUMENTS[name]
    assert f"skipped: local capture only ({LOCAL}): set archive.replay_url to link it" in err


def test_every_archived_link_in_the_goldens_is_absolute() -> None:
    for name, suffix in FORMATS.items():
        before = set(cited(FIXTURES / name / f"input.{suffix}"))
        for target in set(cited(FIXTURES / name / f"output.{suffix}")) - before:
            parts = urlsplit(target)
            assert parts.scheme in ("http", "https") and parts.netloc, f"{name}: {target}"


@pytest.mark.parametrize(
    ("archive_url", "replay_url", "expected"),
    [
        (LOCAL, REPLAY, REPLAYED),
        (LOCAL, REPLAY + "/", REPLAYED),
        ("https://web.archive.org/web/2020/https://a.example/", "", "https://web.archive.org/web/2020/https://a.example/"),
        ("https://web.archive.org/web/2020/https://a.example/", REPLAY, "https://web.archive.org/web/2020/https://a.example/"),
        (LOCAL, "", Unlinkable(f"local capture only ({LOCAL}): set archive.replay_url to link it")),
        (LOCAL, "localhost:8080/archive", Unlinkable(f"archived copy localhost:8080/archive/20261206125047/{DEAD} is not an absolute http(s) URL: not linked")),
        ("copies/paper.html", REPLAY, Unlinkable("archived copy copies/paper.html is not an absolute http(s) URL: not linked")),
        ("javascript:alert(1)", "", Unlinkable("archived copy javascript:alert(1) is not an absolute http(s) URL: not linked")),
    ],
)
def test_linkable(archive_url: str, replay_url: str, expected: str | Unlinkable) -> None:
    assert linkable(archive_url, replay_url) == expected


def test_plain_text_reports_what_it_leaves_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_history(tmp_path / "archive")
    monkeypatch.chdir(tmp_path)
    shutil.copyfile(FIXTURES / "plaintext" / "input.txt", tmp_path / "news.txt")
    code, _, err = run_fix(tmp_path, "news.txt")
    assert code == 1
    assert "news.txt:7:39 skipped: cross-site redirect https://moved.example.net/a → https://elsewhere.example.com/a" in err
    assert "news.txt:11:39 skipped: https://doi.org/10.1000/xyz is an identifier: never rewritten" in err
    assert "news.txt:6:2 archived https://dead.example.com/paper → https://web.archive.org/web/20200102030405/" in err
