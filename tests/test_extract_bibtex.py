"""Links in BibTeX/BibLaTeX: the fixture database, field positions, identifiers, damage."""

from __future__ import annotations

import re
import time

from tests.helpers import LINEAR_TIME_BOUND, assert_same
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkcheck.extract import ExtractionError, ExtractOptions, extract_text
from linkcheck.extract.bibtex import extract

FIXTURE = Path(__file__).parent / "fixtures" / "formats" / "references.bib"

DATABASE = [
    ("doi:10.1000/example.2016.123", 14, 16),
    ("https://doi.org/10.1000/jce.2021.0042", 22, 14),
    ("https://journals.example.org/jce/article/view/42", 23, 14),
    ("https://handbook.example.org/field-manual-3.pdf", 30, 14),
    ("https://code.example.org/photogrammetry/pipeline", 37, 24),
    ("https://archive.example.org/swh/pipeline-1.4", 38, 44),
    ("arXiv:1706.00001", 46, 20),
    ("arXiv:2205.01234", 57, 17),
    ("doi:10.1000/ejo.2022.7", 58, 17),
    ("https://workshop.example.dk/2019/papers/sondergaard_marker.pdf", 66, 16),
    ("https://workshop.example.dk/2019/slides/12.pdf", 67, 30),
    ("https://geodesy.example.gov/grids/ETRS89_UTM33%20N.html", 75, 18),
    ("https://repository.example.edu/handle/1234/5678", 91, 13),
    ("doi:10.1000/thesis.2015.1", 92, 13),
]


def table(text: str) -> list[tuple[str, int | None, int | None]]:
    return [(link.target, link.line, link.column) for link in extract(text, ExtractOptions())]


def test_fixture_exact_table() -> None:
    assert_same(table(FIXTURE.read_text(encoding="utf-8")), DATABASE)


def test_fixture_positions_survive_crlf() -> None:
    assert table(FIXTURE.read_text(encoding="utf-8").replace("\n", "\r\n")) == DATABASE


def test_registry_finds_this_extractor() -> None:
    assert [link.target for link in extract_text("@misc{a, url = {https://example.org/a}}", "bibtex")] == [
        "https://example.org/a"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@misc{k, title = {Größe 東京}, url = {https://example.org/k}}", [("https://example.org/k", 1, 37)]),
        ('@misc{k, url = "https://example.org/q"}', [("https://example.org/q", 1, 17)]),
        ("@misc{k, url = {{https://example.org/double}}}", [("https://example.org/double", 1, 18)]),
        ("@misc{k, url = {\\url{https://example.org/wrapped}}}", [("https://example.org/wrapped", 1, 22)]),
        ("@misc{k,\n  url =\n    {  https://example.org/next-line}\n}", [("https://example.org/next-line", 3, 8)]),
        ("@misc{k, url = {https://example.org/a\\_b\\%20c}}", [("https://example.org/a_b%20c", 1, 17)]),
        ("@misc{k, doi = {10.1000/xyz}}", [("doi:10.1000/xyz", 1, 17)]),
        ("@misc{k, doi = {DOI:10.1000/xyz}}", [("DOI:10.1000/xyz", 1, 17)]),
        ("@misc{k, doi = {https://dx.doi.org/10.1000/xyz}}", [("https://dx.doi.org/10.1000/xyz", 1, 17)]),
        ("@misc{k, eprint = {2101.00001}}", []),
        ("@misc{k, eprint = {2101.00001}, eprinttype = {jstor}}", []),
        ("@misc{k, eprint = {arXiv:2101.00001}, archiveprefix = {ArXiv}}", [("arXiv:2101.00001", 1, 20)]),
        ("@misc{k, eprint = {https://arxiv.example/abs/1}}", [("https://arxiv.example/abs/1", 1, 20)]),
        ("@string{u = {https://example.org/s}}\n@misc{k, url = u # {/x}}", []),
        ("@misc{k, title = {https://example.org/in-title}}", []),
        ("@misc{k, note = {50% at https://example.org/n%20x}}", [("https://example.org/n%20x", 1, 25)]),
        ("@misc(paren, url = {https://example.org/p})", [("https://example.org/p", 1, 21)]),
        ("@misc{a, url = {https://example.org/1}}\n@misc{a, url = {https://example.org/dup-key}}", [
            ("https://example.org/1", 1, 17),
            ("https://example.org/dup-key", 2, 17),
        ]),
        ("@misc{k, url = {https://example.org/first}, url = {https://example.org/second}}", [("https://example.org/first", 1, 17)]),
        ("@comment{url = {https://example.org/comment}}\n% url = {https://example.org/outside}", []),
    ],
)
def test_fields(text: str, expected: list) -> None:
    assert table(text) == expected


def test_unclosed_brace_between_entries_keeps_the_others() -> None:
    """bibtexparser stops the damaged entry at the next `@` at a line start and goes on."""
    text = (
        "@article{a, url = {https://example.org/a}}\n"
        "@misc{b, title = {Unclosed, url = {https://example.org/b}\n"
        "@misc{c, doi = {10.1000/c}}\n"
    )
    assert table(text) == [
        ("https://example.org/a", 1, 20),
        ("https://example.org/b", 2, 36),  # recovered from the damaged entry as a bare URL
        ("doi:10.1000/c", 3, 17),
    ]


def test_unclosed_brace_in_the_only_entry_yields_what_it_shows() -> None:
    text = "@misc{b,\n  title = {Unclosed,\n  url = {https://example.org/b},\n  doi = {10.1000/q}\n"
    assert table(text) == [("https://example.org/b", 3, 10), ("doi:10.1000/q", 4, 10)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("@misc{b, title = {Unclosed and nothing else\n", "line 1: no entry could be read"),
        ("% header\n\n@misc{b title = x}\n", "line 3: no entry could be read"),
    ],
)
def test_nothing_recoverable_raises_extraction_error(text: str, message: str) -> None:
    with pytest.raises(ExtractionError, match=message):
        table(text)


@pytest.mark.parametrize("text", ["", "% only comments\n", "@comment{x}", "@string{a = {b}}", "@"])
def test_no_entries_is_not_an_error(text: str) -> None:
    assert table(text) == []


@pytest.mark.parametrize("chunk", ["{", "[", "\\href{", "@", "@misc{x, url={", "@misc{x, url={\\href{", "\"", "}"])
def test_pathological_megabyte_line_is_fast(chunk: str) -> None:
    text = (chunk * (1_000_000 // len(chunk) + 1))[:1_000_000]
    started = time.perf_counter()
    try:
        list(extract(text, ExtractOptions()))
    except ExtractionError:
        pass
    assert time.perf_counter() - started < LINEAR_TIME_BOUND


def test_a_megabyte_of_entries_is_linear() -> None:
    entry = "@article{{key{n},\n  title = {{T}},\n  url = {{https://example.org/{n}}},\n  doi = {{10.1000/{n}}}\n}}\n"
    text = "".join(entry.format(n=n) for n in range(12_000))
    started = time.perf_counter()
    links = list(extract(text, ExtractOptions()))
    assert time.perf_counter() - started < LINEAR_TIME_BOUND
    assert len(links) == 24_000
    assert (links[-1].line, links[-1].column) == (12_000 * 5 - 1, 10)


_JUNK = ["@misc{k,", "@string{", "url", "doi", "note", "eprint", " = ", "{", "}", "\"", ",", "#", "https://x.example/", "10.1/x", "\\url{", "%", "\n", "\r\n", " ", "ü東", "@", "(", ")", "\\"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_JUNK), max_size=40).map("".join), st.booleans())
def test_property_junk_never_raises_and_positions_stay_in_range(text: str, include_code: bool) -> None:
    lines = re.split(r"\r\n|\r|\n", text)
    try:
        links = list(extract(text, ExtractOptions(include_code)))
    except ExtractionError:
        return
    for link in links:
        assert link.target
        assert link.line is not None and link.column is not None
        assert 1 <= link.column <= len(lines[link.line - 1])
