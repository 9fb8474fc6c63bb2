"""Local links and their #anchors are checked on disk, without any network."""

import socket

import pytest

from linkcheck import Status, extract_paths
from tests.helpers import fast_settings


@pytest.fixture
def site(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "guide.md").write_text(
        "# Guide\n\n## Install the tool\n\nSee [setup](setup.md#requirements), [nope](setup.md#nothing-here),\n"
        "[missing](missing.md), [self](#install-the-tool), [bad self](#not-a-heading),\n"
        "[page](page.html#intro), [page2](page.html#outro), [root](/README.md), [dir](../docs/),\n"
        "[space](my%20notes.md), [query](setup.md?plain=1#requirements)\n",
        encoding="utf-8",
    )
    (tmp_path / "docs" / "setup.md").write_text("# Setup\n\n## Requirements\n", encoding="utf-8")
    (tmp_path / "docs" / "my notes.md").write_text("notes\n", encoding="utf-8")
    (tmp_path / "docs" / "page.html").write_text('<h1 id="intro">Intro</h1>', encoding="utf-8")
    (tmp_path / "README.md").write_text("# Readme\n", encoding="utf-8")
    return tmp_path


def test_local_links_and_anchors(site, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("local links must not touch the network")

    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    extraction = extract_paths(["."], fast_settings())
    verdicts = {link.url: (link.verdict, link.reason) for link in extraction.links}
    assert verdicts == {
        "docs/setup.md#requirements": (Status.OK, None),
        "docs/setup.md#nothing-here": (Status.FRAGMENT_MISSING, "docs/setup.md has no anchor #nothing-here"),
        "docs/missing.md": (Status.DEAD, "file not found: docs/missing.md"),
        "docs/guide.md#install-the-tool": (Status.OK, None),
        "docs/guide.md#not-a-heading": (Status.FRAGMENT_MISSING, "docs/guide.md has no anchor #not-a-heading"),
        "docs/page.html#intro": (Status.OK, None),
        "docs/page.html#outro": (Status.FRAGMENT_MISSING, "docs/page.html has no anchor #outro"),
        "README.md": (Status.OK, None),
        "docs": (Status.OK, None),
        "docs/my notes.md": (Status.OK, None),
    }


def test_local_links_in_a_check_run_need_no_network(site):
    from linkcheck import check_paths

    report = check_paths(["docs/guide.md"], fast_settings())
    by_status = report.by_status()
    assert by_status == {"dead": 1, "fragment_missing": 3, "ok": 6}
    missing = next(result for result in report.results if result.url == "docs/missing.md")
    assert [(loc.file, loc.line, loc.column) for loc in missing.locations] == [("docs/guide.md", 6, len("[missing](") + 1)]


def test_local_links_can_be_turned_off(site):
    extraction = extract_paths(["docs/guide.md"], fast_settings(**{"files.local_links": False}))
    assert extraction.links == []
