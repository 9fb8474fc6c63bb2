"""Links in LaTeX: the paper fixture, comments and escapes, verbatim, \\href text, junk."""

from __future__ import annotations

import re
import time

from tests.helpers import LINEAR_TIME_BOUND, assert_same
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkcheck.extract import ExtractionError, ExtractOptions, extract_text
from linkcheck.extract.latex import extract, find_links

FIXTURE = Path(__file__).parent / "fixtures" / "formats" / "paper.tex"

PAGE = [
    ("https://data.example.org/records/48213", 16, 22, None),
    ("https://mirror.example.net/saltmarsh-accretion", 17, 7, "the project mirror"),
    ("https://protocols.example.org/marker-horizon/v2", 23, 1, None),
    ("https://geodesy.example.gov/grids/ETRS89_UTM33%20N.html", 25, 6, None),
    ("https://code.example.org/photogrammetry/pipeline/-/tags/v1.4", 30, 7, "pipeline v1.4"),
    ("doi:10.5281/zenodo.0000001", 31, 11, None),
    ("https://vendor.example.com/docs/target_A3.pdf#page=4", 32, 27, None),
    ("https://maps.example.org/plots?id=17&layer=pins", 44, 1, None),
    ("https://sondervig.example.dk/", 48, 45, "https://sondervig.example.dk/"),
    ("mailto:data@example.org", 49, 31, "data@example.org"),
    ("doi:10.1000/example.2016.123", 56, 16, None),
    ("https://handbook.example.org/field-manual-3.pdf", 61, 16, None),
    ("https://web.archive.example.org/web/2020/https://handbook.example.org/", 63, 9, "the archived copy"),
    ("https://iffalse.example.org/still-read", 68, 6, None),
]

#: What `include_code` adds: lstlisting, verbatim and \verb contents (never the comment env).
CODE = [
    ("https://api.example.org/v1", 35, 20, None),
    ("https://data.example.org/records/48213/files/plots.zip", 39, 6, None),
    ("https://localhost.example:9000", 42, 48, None),
]


def table(text: str, include_code: bool = False) -> list[tuple[str, int | None, int | None, str | None]]:
    return [(link.target, link.line, link.column, link.text) for link in extract(text, ExtractOptions(include_code))]


def test_fixture_exact_table() -> None:
    assert_same(table(FIXTURE.read_text(encoding="utf-8")), PAGE)


def test_fixture_with_code() -> None:
    expected = sorted(PAGE + CODE, key=lambda row: (row[1], row[2]))
    assert_same(table(FIXTURE.read_text(encoding="utf-8"), include_code=True), expected)


def test_fixture_positions_survive_crlf_and_cr() -> None:
    text = FIXTURE.read_text(encoding="utf-8")
    assert table(text.replace("\n", "\r\n")) == PAGE
    assert table(text.replace("\n", "\r")) == PAGE


def test_registry_finds_this_extractor() -> None:
    assert [link.target for link in extract_text("\\url{https://example.org/a}", "latex")] == ["https://example.org/a"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Größe 東京 \\url{https://example.org/k}", [("https://example.org/k", 1, 15, None)]),
        ("\\url{https://example.org/a%20b#c}", [("https://example.org/a%20b#c", 1, 6, None)]),
        ("\\url{https://example.org/a\\%20b\\#c\\_d}", [("https://example.org/a%20b#c_d", 1, 6, None)]),
        ("\\url{ https://example.org/\n  spaced }", [("https://example.org/spaced", 1, 7, None)]),
        ("% \\url{https://example.org/commented}", []),
        ("100\\% https://example.org/after-escaped-percent", [("https://example.org/after-escaped-percent", 1, 7, None)]),
        ("line\\\\% https://example.org/comment-after-break", []),
        ("https://example.org/prose%comment", [("https://example.org/prose", 1, 1, None)]),
        ("\\href{https://example.org/h}{\\textbf{Bold} text}", [("https://example.org/h", 1, 7, "Bold text")]),
        ("\\href[pdfnewwindow]{https://example.org/o}{t}", [("https://example.org/o", 1, 21, "t")]),
        ("\\href{https://example.org/same}{https://example.org/same}", [("https://example.org/same", 1, 7, "https://example.org/same")]),
        ("\\doi{10.1000/182} \\doi{https://doi.org/10.1/x}", [("doi:10.1000/182", 1, 6, None), ("https://doi.org/10.1/x", 1, 24, None)]),
        ("\\urldef{\\myurl}\\url{https://example.org/def}", [("https://example.org/def", 1, 21, None)]),
        ("\\footnote{See https://example.org/fn}.", [("https://example.org/fn", 1, 15, None)]),
        ("https://example.org/x\\footnote{y}", [("https://example.org/x", 1, 1, None)]),
        ("\\verb+https://example.org/verb+ \\lstinline{https://example.org/l}", []),
        ("\\mintinline{py}|https://example.org/m|", []),
        ("\\begin{minted}{python}\nhttps://example.org/minted\n\\end{minted}", []),
        ("\\begin{comment}\nhttps://example.org/c\n\\end{comment}", []),
    ],
)
def test_constructs(text: str, expected: list) -> None:
    assert table(text) == expected


def test_code_is_read_only_when_asked() -> None:
    text = "\\begin{verbatim}\n% not a comment https://example.org/v\n\\end{verbatim}"
    assert table(text) == []
    assert table(text, include_code=True) == [("https://example.org/v", 2, 17, None)]


def test_find_links_reads_a_region_with_percent_literal() -> None:
    text = "junk https://example.org/out {see https://example.org/50%25 and \\url{https://example.org/u}} junk"
    start, end = text.index("{"), text.rindex("}") + 1
    found = find_links(text, start, end, ExtractOptions(), comments=False)
    assert [(text[offset : offset + 8], target) for offset, target, _ in found] == [
        ("https://", "https://example.org/50%25"),
        ("https://", "https://example.org/u"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\\url{https://example.org/unclosed", [("https://example.org/unclosed", 1, 6, None)]),
        ("\\href{https://example.org/h}{unclosed text", [("https://example.org/h", 1, 7, None)]),
        ("\\href{https://example.org/h}", [("https://example.org/h", 1, 7, None)]),
        ("\\begin{verbatim}\nhttps://example.org/never-ended", []),
        ("\\verb|https://example.org/verb-unclosed", [("https://example.org/verb-unclosed", 1, 7, None)]),
        ("\\url", []),
        ("\\", []),
        ("\\begin{", []),
    ],
)
def test_truncated_markup_never_raises(text: str, expected: list) -> None:
    assert table(text) == expected


@pytest.mark.parametrize(
    "chunk", ["{", "}", "[", "[[", "\\href{", "\\href{\\href{", "\\url{", "\\url|", "\\verb|", "%", "\\\\", "\\begin{verbatim}", "\\doi{"]
)
def test_pathological_megabyte_line_is_fast(chunk: str) -> None:
    text = (chunk * (1_000_000 // len(chunk) + 1))[:1_000_000]
    started = time.perf_counter()
    list(extract(text, ExtractOptions(include_code=True)))
    assert time.perf_counter() - started < LINEAR_TIME_BOUND


def test_deeply_nested_href_text_stays_linear() -> None:
    text = "\\href{https://example.org/a}{" * 20_000 + "x" * 500_000 + "}" * 20_000
    started = time.perf_counter()
    links = list(extract(text, ExtractOptions()))
    assert time.perf_counter() - started < LINEAR_TIME_BOUND
    assert len(links) == 20_000


_JUNK = ["\\url{", "\\href{", "\\doi{", "{", "}", "%", "\\%", "\\\\", "\\verb|", "|", "\\begin{verbatim}", "\\end{verbatim}", "https://x.example/", "\n", "\r\n", " ", "ü東", "[", "]"]


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
