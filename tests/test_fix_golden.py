"""`linkcheck fix` per format, golden: the dry-run diff, the written file, and a second
`--write` that changes nothing (tests/fixtures/fix/<format>/{input.*,expected.diff,output.*}).

The history every test here reads is built by `write_history`, one run of `Result`s.
Regenerate the goldens after a deliberate change with LINKCHECK_UPDATE_GOLDEN=1.
"""

from __future__ import annotations

import os
import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

import linkcheck.cli.fix  # noqa: F401 - registers `fix` for the direct `cli` invocations below
from linkcheck.cli import cli
from linkcheck.history import History, inputs_key
from linkcheck.models import Location, Result, Status

FIXTURES = Path(__file__).parent / "fixtures" / "fix"
FORMATS = {"markdown": "md", "html": "html", "wikitext": "wiki", "bibtex": "bib", "rst": "rst", "plaintext": "txt"}
T0 = datetime(2026, 11, 29, 14, 0, tzinfo=timezone.utc)
WAYBACK = "https://web.archive.org/web/20200102030405/https://dead.example.com/paper"


def suggestion(url: str, captured_at: str | None = "2020-01-02T03:04:05Z") -> dict[str, str | None]:
    return {"archive_url": url, "captured_at": captured_at, "source": "wayback"}


#: What the last `check` learned, for every URL the fixtures cite.
RESULTS = [
    Result("http://example.org/old", Status.REDIRECT_PERMANENT, http_status=200, final_url="https://www.example.org/new"),
    Result("https://docs.example.org/guide#install", Status.REDIRECT_PERMANENT, http_status=200, final_url="https://example.org/guide/"),
    Result("https://moved.example.net/a", Status.REDIRECT_PERMANENT, http_status=200, final_url="https://elsewhere.example.com/a"),
    Result("https://doi.org/10.1000/xyz", Status.REDIRECT_PERMANENT, http_status=200, final_url="https://doi.org/10.1000/xyz-moved"),
    Result("https://dead.example.com/paper", Status.DEAD, http_status=404, suggestion=suggestion(WAYBACK)),
    Result("https://gone.example.com/x", Status.ERROR, error="connection refused",
           suggestion=suggestion("https://web.archive.org/web/20190305000000/https://gone.example.com/x", "20190305000000")),
    Result("https://soft.example.com/y", Status.SOFT404, http_status=200,
           suggestion=suggestion("https://archive.example.org/soft-y", "2021-07-08T09:10:11+00:00")),
    Result("https://drift.example.com/z", Status.OK, http_status=200,
           drift={"similarity": 0.2, "drifted": True, "compared_to": "2020-01-01T00:00:00Z", "capture": "urn:uuid:1"},
           suggestion=suggestion("https://web.archive.org/web/20170101000000/https://drift.example.com/z", None)),
    Result("https://nosugg.example.com/", Status.DEAD, http_status=404),
    Result("https://www.example.org/fine", Status.OK, http_status=200),
]


def write_history(folder: Path, results: list[Result] | None = None) -> Path:
    """One complete run recording `results` (default: RESULTS) in the history at `folder`."""
    with History(folder) as history:
        run = history.start_run(inputs_key(["."]), T0)
        for result in results if results is not None else RESULTS:
            result.checked_at = T0
            result.locations = [Location("doc", 1, 1)]
            history.record(run, result)
        history.finish_run(run, T0, 1, len(RESULTS), interrupted=False)
    return folder


def run_fix(folder: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["fix", "--archive-dir", str(folder / "archive"), *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_history(tmp_path / "archive")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _golden(path: Path, actual: str | bytes) -> None:
    if os.environ.get("LINKCHECK_UPDATE_GOLDEN"):
        path.write_bytes(actual if isinstance(actual, bytes) else actual.encode("utf-8"))
    expected = path.read_bytes()
    assert (actual if isinstance(actual, bytes) else actual.encode("utf-8")) == expected, f"golden {path} differs"


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_golden_dry_run_write_and_second_write(workspace: Path, name: str) -> None:
    suffix = FORMATS[name]
    fixture = FIXTURES / name
    document = workspace / f"input.{suffix}"
    shutil.copyfile(fixture / f"input.{suffix}", document)
    original = document.read_bytes()

    code, diff, _ = run_fix(workspace, document.name)
    assert code == 1, "changes are proposed: exit 1, like git diff --exit-code"
    _golden(fixture / "expected.diff", diff)
    assert document.read_bytes() == original, "a dry run writes nothing"

    code, out, err = run_fix(workspace, "--write", document.name)
    assert code == 0, err
    _golden(fixture / f"output.{suffix}", document.read_bytes())
    assert out and all(line.startswith(f"{document.name}:") for line in out.splitlines())

    written = document.read_bytes()
    code, out, _ = run_fix(workspace, "--write", document.name)
    assert (code, out) == (0, "")
    assert document.read_bytes() == written, "a second --write changes nothing"
    code, diff, _ = run_fix(workspace, document.name)
    assert (code, diff) == (0, "")


def test_change_lines_name_file_line_column_kind_and_both_urls(workspace: Path) -> None:
    shutil.copyfile(FIXTURES / "markdown" / "input.md", workspace / "a.md")
    code, _, err = run_fix(workspace, "a.md")
    assert code == 1
    assert "a.md:3:27 redirect https://docs.example.org/guide#install → https://example.org/guide/#install" in err
    assert "a.md:3:77 redirect http://example.org/old → https://www.example.org/new" in err
    assert f"a.md:5:19 archived https://dead.example.com/paper → {WAYBACK}" in err
    assert "a.md:4:35 skipped: cross-site redirect https://moved.example.net/a → https://elsewhere.example.com/a" in err
    assert "a.md:10:20 skipped: doi:10.1000/xyz is an identifier: never rewritten" in err


def test_cross_site_redirects_only_with_the_flag(workspace: Path) -> None:
    (workspace / "a.md").write_text("[a](https://moved.example.net/a#part) [doi](doi:10.1000/xyz)\n", encoding="utf-8")
    assert run_fix(workspace, "--write", "a.md")[0] == 0
    assert (workspace / "a.md").read_text(encoding="utf-8") == "[a](https://moved.example.net/a#part) [doi](doi:10.1000/xyz)\n"
    code, out, _ = run_fix(workspace, "--write", "--cross-site", "a.md")
    assert code == 0 and "redirect https://moved.example.net/a#part → https://elsewhere.example.com/a#part" in out
    # the fragment cited is kept; the identifier is never rewritten, even across sites
    assert (workspace / "a.md").read_text(encoding="utf-8") == "[a](https://elsewhere.example.com/a#part) [doi](doi:10.1000/xyz)\n"


def test_nothing_to_change_exits_0_with_an_empty_diff(workspace: Path) -> None:
    (workspace / "a.md").write_text("[f](https://www.example.org/fine) [n](https://nosugg.example.com/)\n", encoding="utf-8")
    assert run_fix(workspace, "a.md")[:2] == (0, "")


def test_formats_without_a_rule_are_reported_and_skipped(workspace: Path) -> None:
    (workspace / "notes.adoc").write_text("see http://example.org/old\n", encoding="utf-8")
    code, out, err = run_fix(workspace, "notes.adoc")
    assert (code, out) == (0, "")
    assert "notes.adoc skipped: no rewrite rule for this format (asciidoc)" in err
    assert (workspace / "notes.adoc").read_text(encoding="utf-8") == "see http://example.org/old\n"


def test_missing_history_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.md").write_text("x\n", encoding="utf-8")
    code, _, err = run_fix(tmp_path, "a.md")
    assert code == 2 and "no history" in err


def test_the_command_has_help_text() -> None:
    result = CliRunner().invoke(cli, ["fix", "--help"])
    assert result.exit_code == 0
    for words in ("--write", "--cross-site", "--archive-dir", "Examples:", "data-versionurl", "archive-url"):
        assert words in result.output
