"""The library front door: extraction in worker processes gives exactly the one-process result."""

from pathlib import Path

import linkcheck.collect as collect
from linkcheck import extract_paths
from tests.helpers import fast_settings

FIXTURES = Path(__file__).parent / "fixtures"


def snapshot(extraction):
    return (
        extraction.documents,
        extraction.citations,
        [(link.url, link.verdict, link.reason, link.locations) for link in extraction.links],
        extraction.notices,
    )


def test_parallel_extraction_is_identical_to_one_process(monkeypatch):
    settings = fast_settings()
    monkeypatch.setattr(collect, "PARALLEL_THRESHOLD", 10**12)
    alone = extract_paths([FIXTURES], settings)
    monkeypatch.setattr(collect, "PARALLEL_THRESHOLD", 0)
    monkeypatch.setattr(collect.os, "cpu_count", lambda: 2)
    parallel = extract_paths([FIXTURES], settings)
    assert alone.citations > 300
    assert snapshot(parallel) == snapshot(alone)


def test_unchanged_files_are_not_parsed_again(tmp_path, monkeypatch):
    from linkcheck import check_paths

    monkeypatch.chdir(tmp_path)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.md").write_text("# A\n\n[b](b.md#b) [x](missing.md)\n", encoding="utf-8")
    (tmp_path / "docs" / "b.md").write_text("# B\n", encoding="utf-8")
    parsed = []
    real = collect._raw_links

    def counting(document, *args):
        parsed.append(document.path.name)
        return real(document, *args)

    monkeypatch.setattr(collect, "_raw_links", counting)
    first = check_paths(["docs"], fast_settings())
    assert sorted(parsed) == ["a.md", "b.md"]
    parsed.clear()
    second = check_paths(["docs"], fast_settings())
    assert parsed == []  # both files unchanged: links come from the cache
    assert [(r.url, r.status, r.locations) for r in second.results] == [(r.url, r.status, r.locations) for r in first.results]
    (tmp_path / "docs" / "b.md").write_text("# B changed\n", encoding="utf-8")
    check_paths(["docs"], fast_settings())
    assert parsed == ["b.md"]


def test_a_check_keeps_no_link_text_but_extract_does(tmp_path, monkeypatch):
    """A check's reports never show link text; not keeping it is what keeps a million
    citations in memory small (bench scenario c). `extract` lists it."""
    from linkcheck import check_paths

    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.md").write_text("[the text](b.md)\n", encoding="utf-8")
    (tmp_path / "b.md").write_text("# B\n", encoding="utf-8")
    listed = collect.extract_paths([tmp_path / "a.md"], fast_settings())
    assert [location.text for link in listed.links for location in link.locations] == ["the text"]
    checked = check_paths([tmp_path / "a.md"], fast_settings())
    assert [(location.line, location.column, location.text) for r in checked.results for location in r.locations] == [(1, 12, None)]
