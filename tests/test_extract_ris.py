"""Links in RIS: the Zotero-style fixture export, multi-URL lines, DOIs, truncation."""

from __future__ import annotations

import re
import time

from tests.helpers import LINEAR_TIME_BOUND, assert_same
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkcheck.extract import ExtractionError, ExtractOptions, extract_text
from linkcheck.extract.ris import extract

FIXTURE = Path(__file__).parent / "fixtures" / "formats" / "library.ris"

LIBRARY = [
    ("doi:10.1000/example.2016.123", 8, 7),
    ("https://journals.example.com/nature-example/articles/2016-123", 12, 7),
    ("file:///home/ines/Zotero/storage/AB12CD34/Halden - 2016 - Resilience.pdf", 14, 7),
    ("https://journals.example.com/nature-example/articles/2016-123/fulltext", 15, 7),
    ("https://handbook.example.org/field-manual-3.pdf", 23, 7),
    ("https://doi.org/10.1000/ejo.2022.7", 32, 7),
    ("https://ejo.example.jp/articles/7", 33, 7),
    ("https://ejo.example.jp/articles/7/pdf", 33, 42),
    ("https://workshop.example.dk/2019/papers/12", 43, 7),
    ("https://workshop.example.dk/2019/slides/12", 43, 50),
    ("https://workshop.example.dk/2019/video/12", 44, 1),
    ("https://workshop.example.dk/2019/figures/12-fig1.png", 45, 7),
    ("https://workshop.example.dk/2019/figures/12-fig2.png", 45, 60),
    ("doi:10.1000/thesis.2015.1", 53, 7),
    ("internal-pdf://0423178822/Okafor-2015.pdf", 54, 7),
]


def table(text: str) -> list[tuple[str, int | None, int | None]]:
    return [(link.target, link.line, link.column) for link in extract(text, ExtractOptions())]


def test_fixture_exact_table() -> None:
    assert_same(table(FIXTURE.read_text(encoding="utf-8")), LIBRARY)


def test_fixture_positions_survive_crlf_and_cr() -> None:
    text = FIXTURE.read_text(encoding="utf-8")
    assert table(text.replace("\n", "\r\n")) == LIBRARY  # EndNote on Windows
    assert table(text.replace("\n", "\r")) == LIBRARY


def test_registry_finds_this_extractor() -> None:
    assert [link.target for link in extract_text("TY  - GEN\nUR  - https://example.org/a\nER  - \n", "ris")] == [
        "https://example.org/a"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("TI  - 東京の潮位\nUR  - https://example.org/k", [("https://example.org/k", 2, 7)]),
        ("UR  -   https://example.org/spaced  ", [("https://example.org/spaced", 1, 9)]),
        ("UR  - https://a.example/;https://b.example/ ;  https://c.example/", [
            ("https://a.example/", 1, 7),
            ("https://b.example/", 1, 26),
            ("https://c.example/", 1, 48),
        ]),
        ("UR  - https://a.example/\n\thttps://b.example/\nnot-a-url words", [("https://a.example/", 1, 7), ("https://b.example/", 2, 2)]),
        ("L1  - C:\\Users\\Ines\\My Papers\\a.pdf", [("C:\\Users\\Ines\\My Papers\\a.pdf", 1, 7)]),
        ("DO  - 10.1000/xyz ", [("doi:10.1000/xyz", 1, 7)]),
        ("DO  - doi:10.1000/xyz", [("doi:10.1000/xyz", 1, 7)]),
        ("DO  - ", []),
        ("UR  -", []),
        ("N1  - see https://example.org/note\nAB  - https://example.org/abstract", []),
        ("\ufeffTY  - JOUR\nUR  - https://example.org/bom", [("https://example.org/bom", 2, 7)]),
        ("TY - JOUR\nUR - https://example.org/one-space", [("https://example.org/one-space", 2, 6)]),
    ],
)
def test_tags(text: str, expected: list) -> None:
    assert table(text) == expected


def test_truncated_record_yields_what_it_has() -> None:
    text = "TY  - JOUR\nTI  - Cut short\nUR  - https://example.org/kept\nDO  - 10.1000/ke"
    assert table(text) == [("https://example.org/kept", 3, 7), ("doi:10.1000/ke", 4, 7)]


@pytest.mark.parametrize("text", ["<html><body>Not RIS</body></html>", "just some words\nhttps://example.org/"])
def test_not_ris_raises_extraction_error(text: str) -> None:
    with pytest.raises(ExtractionError, match="line 1: not RIS"):
        table(text)


@pytest.mark.parametrize("text", ["", "\n\n  \n"])
def test_empty_file_is_not_an_error(text: str) -> None:
    assert table(text) == []


@pytest.mark.parametrize("chunk", ["{", "[", "\\href{", "UR  - ", ";", "UR  - x;", "-"])
def test_pathological_megabyte_line_is_fast(chunk: str) -> None:
    text = "TY  - GEN\n" + (chunk * (1_000_000 // len(chunk) + 1))[:1_000_000]
    started = time.perf_counter()
    list(extract(text, ExtractOptions()))
    assert time.perf_counter() - started < LINEAR_TIME_BOUND


def test_url_field_without_a_url_is_one_target_as_written() -> None:
    assert table("UR  - see the publisher's site") == [("see the publisher's site", 1, 7)]
    assert table("UR  - see https://example.org/p for the PDF") == [("https://example.org/p", 1, 11)]
    assert table("UR  - Available: https://example.org/q") == [("https://example.org/q", 1, 18)]


_JUNK = ["TY  - ", "UR  - ", "DO  - ", "L1  - ", "ER  - ", "https://x.example/", ";", " ", "\n", "\r\n", "\r", "ü東", "10.1/x", "-", "\ufeff"]


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
