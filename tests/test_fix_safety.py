"""`fix --write` keeps every byte it does not mean to change, and never clobbers a file
that changed after it was read."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

import linkcheck.cli.fix
from linkcheck.config import Settings
from linkcheck.fix import apply_fixes, plan_fixes
from linkcheck.history import History
from tests.test_fix_golden import WAYBACK, run_fix, write_history


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_history(tmp_path / "archive")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_crlf_line_endings_stay_crlf(workspace: Path) -> None:
    original = b"# T\r\n\r\nSee [old](http://example.org/old)\r\nand [p](https://dead.example.com/paper).\r\nend"
    (workspace / "a.md").write_bytes(original)
    assert run_fix(workspace, "--write", "a.md")[0] == 0
    expected = (
        b"# T\r\n\r\nSee [old](https://www.example.org/new)\r\n"
        b"and [p](https://dead.example.com/paper) ([archived](" + WAYBACK.encode() + b")).\r\nend"
    )
    assert (workspace / "a.md").read_bytes() == expected


def test_crlf_bibtex_fields_are_added_with_crlf(workspace: Path) -> None:
    (workspace / "r.bib").write_bytes(b"@misc{a,\r\n  url = {https://dead.example.com/paper}\r\n}\r\n")
    assert run_fix(workspace, "--write", "r.bib")[0] == 0
    data = (workspace / "r.bib").read_bytes()
    assert data.count(b"\r\n") == 5 and data.count(b"\n") == 5
    assert b"  urldate = {2020-01-02},\r\n  note = {Archived at \\url{" in data


def test_declared_latin1_file_is_written_back_in_latin1(workspace: Path) -> None:
    head = '<html><head><meta charset="iso-8859-1"><title>Café</title></head>\n'
    body = '<body><p>Über <a href="http://example.org/old">alt</a> – “quoted” ÿ</p></body></html>\n'
    original = (head + body).replace("–", "-").replace("“", '"').replace("”", '"').encode("latin-1")
    (workspace / "p.html").write_bytes(original)
    code, diff, _ = run_fix(workspace, "p.html")
    assert code == 1 and "+<body><p>Über <a href=\"https://www.example.org/new\">" in diff
    assert run_fix(workspace, "--write", "p.html")[0] == 0
    assert (workspace / "p.html").read_bytes() == original.replace(b"http://example.org/old", b"https://www.example.org/new")


def test_byte_order_mark_is_kept(workspace: Path) -> None:
    (workspace / "a.md").write_bytes(b"\xef\xbb\xbf[old](http://example.org/old) \xc3\xa9\n")
    assert run_fix(workspace, "--write", "a.md")[0] == 0
    assert (workspace / "a.md").read_bytes() == b"\xef\xbb\xbf[old](https://www.example.org/new) \xc3\xa9\n"


def test_a_file_that_would_not_round_trip_is_not_rewritten(workspace: Path) -> None:
    original = b"[old](http://example.org/old) \x81\x8d\n"  # not UTF-8, not windows-1252 either
    (workspace / "a.md").write_bytes(original)
    code, out, err = run_fix(workspace, "--write", "a.md")
    assert (code, out) == (0, "") and "a.md skipped: not valid cp1252" in err
    assert (workspace / "a.md").read_bytes() == original


def test_file_mode_is_preserved(workspace: Path) -> None:
    document = workspace / "a.md"
    document.write_text("[old](http://example.org/old)\n", encoding="utf-8")
    document.chmod(0o640)
    assert run_fix(workspace, "--write", "a.md")[0] == 0
    assert stat.S_IMODE(document.stat().st_mode) == 0o640
    assert [name for name in os.listdir(workspace) if name.startswith(".")] == [], "no temp file left behind"


def test_a_symlinked_document_stays_a_symlink(workspace: Path) -> None:
    (workspace / "real.md").write_text("[old](http://example.org/old)\n", encoding="utf-8")
    (workspace / "link.md").symlink_to("real.md")
    assert run_fix(workspace, "--write", "link.md")[0] == 0
    assert (workspace / "link.md").is_symlink()
    assert (workspace / "real.md").read_text(encoding="utf-8") == "[old](https://www.example.org/new)\n"


def test_a_file_changed_between_read_and_write_is_not_overwritten(workspace: Path) -> None:
    document = workspace / "a.md"
    document.write_text("[old](http://example.org/old)\n", encoding="utf-8")
    with History(workspace / "archive") as history:
        plan = plan_fixes(["a.md"], history, Settings())
    assert [fix.display for fix in plan.changed] == ["a.md"]
    document.write_text("[old](http://example.org/old) edited meanwhile\n", encoding="utf-8")
    applied = apply_fixes(plan)
    assert applied.written == []
    assert [str(failed) for failed in applied.failed] == ["a.md skipped: changed on disk since it was read: not rewritten (run fix again)"]
    assert document.read_text(encoding="utf-8") == "[old](http://example.org/old) edited meanwhile\n"


def test_same_size_same_mtime_change_is_caught_by_the_hash(workspace: Path) -> None:
    document = workspace / "a.md"
    document.write_text("[old](http://example.org/old) aaaa\n", encoding="utf-8")
    before = document.stat()
    with History(workspace / "archive") as history:
        plan = plan_fixes(["a.md"], history, Settings())
    document.write_text("[old](http://example.org/old) bbbb\n", encoding="utf-8")
    os.utime(document, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert apply_fixes(plan).failed
    assert document.read_text(encoding="utf-8").endswith("bbbb\n")


def test_cli_exits_1_and_says_so_when_a_file_changed_before_the_write(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    document = workspace / "a.md"
    document.write_text("[old](http://example.org/old)\n", encoding="utf-8")
    real_plan = linkcheck.cli.fix.plan_fixes

    def plan_then_edit(*args, **kwargs):  # type: ignore[no-untyped-def]
        plan = real_plan(*args, **kwargs)
        document.write_text("someone else's edit\n", encoding="utf-8")
        return plan

    monkeypatch.setattr(linkcheck.cli.fix, "plan_fixes", plan_then_edit)
    code, out, err = run_fix(workspace, "--write", "a.md")
    assert code == 1 and out == ""
    assert "a.md skipped: changed on disk since it was read" in err
    assert document.read_text(encoding="utf-8") == "someone else's edit\n"


def test_a_document_that_changed_since_extraction_is_skipped_per_citation(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The location (line, column) must still hold the URL: else the citation is left alone."""
    import linkcheck.fix.plan as plan_module

    document = workspace / "a.md"
    document.write_text("[old](http://example.org/old)\n", encoding="utf-8")
    real_read = plan_module.read

    def read_after_an_edit(path: Path):  # type: ignore[no-untyped-def]
        path.write_text("New first line.\n[old](http://example.org/old)\n", encoding="utf-8")
        return real_read(path)

    monkeypatch.setattr(plan_module, "read", read_after_an_edit)
    with History(workspace / "archive") as history:
        plan = plan_fixes(["a.md"], history, Settings())
    assert plan.changed == []
    assert [str(skipped) for skipped in plan.skipped] == [
        "a.md:1:7 skipped: http://example.org/old is no longer at 1:7: the document changed since it was read"
    ]
