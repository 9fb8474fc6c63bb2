"""Links in AsciiDoc: the README fixture, macros, attributes, code and comment blocks, junk."""

from __future__ import annotations

import re
import time

from tests.helpers import LINEAR_TIME_BOUND, assert_same
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkcheck.extract import ExtractionError, ExtractOptions, extract_text
from linkcheck.extract.asciidoc import extract

FIXTURE = Path(__file__).parent / "fixtures" / "formats" / "README.adoc"

REPO = "https://forge.example.org/saltmarsh/saltmarsh"
DOCS = "https://saltmarsh.example.org/docs"

PAGE = [
    (REPO, 4, 12, None),
    (DOCS, 5, 12, None),
    ("https://ci.example.org/saltmarsh/badge.svg", 8, 7, "Build status"),
    (REPO + "/badges/coverage.svg", 9, 7, "Coverage"),
    ("https://portal.coastwatch.example.eu/", 12, 52, None),
    (DOCS, 13, 10, "user manual"),
    (REPO, 13, 48, "source code"),
    ("https://apps.example.com/saltmarsh", 19, 29, "the app store"),
    ("https://protocols.example.org/list", 20, 46, "the protocol list"),
    (DOCS + "/privacy.html", 23, 52, "Privacy"),
    ("https://maps.example.gov.uk/grid-guide.pdf", 31, 1, "the grid guide (PDF)"),
    ("https://gazetteer.example.no/sámi/", 32, 42, None),
    ("https://geojson.example.org/rfc7946", 46, 2, "RFC 7946"),
    ("https://dwc.example.org/terms/", 49, 7, "Darwin Core terms"),
    ("https://handbook.example.org/ch3", 56, 34, None),
    ("docs/images/transect.png", 65, 8, "Transect layout"),
    (REPO + "/-/blob/main/LICENCE", 69, 39, None),
]

#: What `include_code` adds: the backtick span, the [source] listing, the literal block,
#: the indented literal paragraph. Comments stay out.
CODE = [
    ("https://portal.coastwatch.example.eu/api", 21, 38, None),
    (REPO + "/-/archive/main.tar.gz", 27, 9, None),
    ("https://literal.example.org/not-a-citation", 53, 10, None),
    ("https://localhost.example:8443", 61, 23, None),
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
    assert [link.target for link in extract_text("link:https://example.org/a[A]", "asciidoc")] == ["https://example.org/a"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Größe 東京 https://example.org/k[Karte]", [("https://example.org/k", 1, 10, "Karte")]),
        ("link:https://example.org/a[]", [("https://example.org/a", 1, 6, None)]),
        ("link:downloads/report.pdf[Report]", [("downloads/report.pdf", 1, 6, "Report")]),
        ("https://example.org/b[Text with \\] bracket]", [("https://example.org/b", 1, 1, "Text with ] bracket")]),
        ('https://example.org/c["Quoted, with comma",role=ext]', [("https://example.org/c", 1, 1, "Quoted, with comma")]),
        ("--\nhttps://example.org/open-block\n--", [("https://example.org/open-block", 2, 1, None)]),
        (":base: https://example.org\n:docs: {base}/docs\n\nlink:{docs}/a[A]", [
            ("https://example.org", 1, 8, None),
            ("https://example.org/docs", 2, 8, None),
            ("https://example.org/docs/a", 4, 6, "A"),
        ]),
        ("link:https://example.org/no-brackets then", [("https://example.org/no-brackets", 1, 6, None)]),
        ("image::https://example.org/i.png[Alt text, 200, 100]", [("https://example.org/i.png", 1, 8, "Alt text")]),
        ("<https://example.org/angle>", [("https://example.org/angle", 1, 2, None)]),
        ("|a|https://example.org/cell|b", [("https://example.org/cell", 1, 4, None)]),
        ("`https://example.org/code` and ``https://example.org/code2``", []),
        ("{undefined}[x] and link:{undefined}/p[y]", []),
        (":site: https://example.org\n\nSee {site}/docs.", [("https://example.org", 1, 8, None), ("https://example.org/docs", 3, 5, None)]),
        ("// https://example.org/comment\nhttps://example.org/after", [("https://example.org/after", 2, 1, None)]),
        ("Text\n// https://example.org/mid-comment\nhttps://example.org/next", [("https://example.org/next", 3, 1, None)]),
        ("[comment]\nhttps://example.org/commented\n\nhttps://example.org/shown", [("https://example.org/shown", 4, 1, None)]),
        ("[source]\n====\nhttps://example.org/src-example\n====\nhttps://example.org/out", [("https://example.org/out", 5, 1, None)]),
        ("----\n----\nhttps://example.org/between\n------\nhttps://example.org/in-longer\n------", [("https://example.org/between", 3, 1, None)]),
        ("  * nested item https://example.org/item", [("https://example.org/item", 1, 17, None)]),
    ],
)
def test_constructs(text: str, expected: list) -> None:
    assert table(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("----\nhttps://example.org/unterminated-listing", []),
        ("////\nhttps://example.org/unterminated-comment", []),
        ("link:https://example.org/u[unclosed text", [("https://example.org/u", 1, 6, None)]),
        ("https://example.org/v[", [("https://example.org/v", 1, 1, None)]),
        ("image::", []),
        ("`unclosed https://example.org/w", [("https://example.org/w", 1, 11, None)]),
        ("[source\nhttps://example.org/x", [("https://example.org/x", 2, 1, None)]),
    ],
)
def test_truncated_markup_never_raises(text: str, expected: list) -> None:
    assert table(text) == expected


@pytest.mark.parametrize("chunk", ["{", "[", "\\href{", "[[", "`", "``x", "link:", "link:a[", "https://a[", "{a}[", "image::x["])
def test_pathological_megabyte_line_is_fast(chunk: str) -> None:
    text = (chunk * (1_000_000 // len(chunk) + 1))[:1_000_000]
    started = time.perf_counter()
    list(extract(text, ExtractOptions(include_code=True)))
    assert time.perf_counter() - started < LINEAR_TIME_BOUND


@pytest.mark.parametrize("chunk", ["\n", "\r", "----\n", "//\n", ":a: b\n", " a\n", "[source]\n"])
def test_a_million_short_lines_stay_linear(chunk: str) -> None:
    text = chunk * (1_000_000 // len(chunk))
    started = time.perf_counter()
    list(extract(text, ExtractOptions(include_code=True)))
    assert time.perf_counter() - started < LINEAR_TIME_BOUND


_JUNK = ["`", "[", "]", "{a}", ":a: ", "https://x.example/", "link:", "image::", "----", "....", "////", "//", "[source]", "\n", "\r\n", " ", "|", "\\", "ü東", "^", ",", "="]


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
