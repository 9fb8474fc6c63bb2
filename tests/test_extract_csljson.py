"""Links in CSL-JSON: the fixture export, escapes, item shapes, not-JSON errors."""

from __future__ import annotations

import json
import re
import time

from tests.helpers import LINEAR_TIME_BOUND, assert_same
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkcheck.extract import ExtractionError, ExtractOptions, extract_text
from linkcheck.extract.csljson import extract

FIXTURE = Path(__file__).parent / "fixtures" / "formats" / "library.csl.json"

LIBRARY = [
    ("doi:10.1000/example.2016.123", 9, 13),
    ("https://journals.example.com/nature-example/articles/2016-123", 10, 13),
    ("https://handbook.example.org/field-manual-3.pdf", 22, 13),
    ("https://doi.org/10.1000/ejo.2022.7", 32, 13),
    ("https://ejo.example.jp/articles/7?lang=ja&amp=1", 33, 13),  # `\/` escapes decoded
    ("https://workshop.example.dk/2019/papers/søndergaard-12", 42, 13),  # `\u00f8` decoded
    ("doi:10.1000/thesis.2015.1", 51, 13),
]


def table(text: str) -> list[tuple[str, int | None, int | None]]:
    return [(link.target, link.line, link.column) for link in extract(text, ExtractOptions())]


def test_fixture_exact_table() -> None:
    assert_same(table(FIXTURE.read_text(encoding="utf-8")), LIBRARY)


def test_fixture_positions_survive_crlf() -> None:
    assert table(FIXTURE.read_text(encoding="utf-8").replace("\n", "\r\n")) == LIBRARY


def test_fixture_agrees_with_json_itself() -> None:
    """Every URL/DOI the json module sees in an item is found, and nothing else."""
    items = json.loads(FIXTURE.read_text(encoding="utf-8"))
    seen = [("doi:" + v if k == "DOI" and "://" not in v and not v.startswith("doi:") else v) for item in items for k, v in item.items() if k in ("URL", "DOI") and v]
    assert sorted(seen) == sorted(target for target, _, _ in LIBRARY)


def test_registry_finds_this_extractor() -> None:
    assert [link.target for link in extract_text('[{"URL": "https://example.org/a"}]', "csljson")] == ["https://example.org/a"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"title": "東京", "URL": "https://example.org/single"}', [("https://example.org/single", 1, 25)]),
        ('[{"title": "a \\"quoted\\" \\\\ title", "URL": "https://example.org/after-escapes"}]', [
            ("https://example.org/after-escapes", 1, 45)
        ]),
        ('[{"URL": "https:\\/\\/example.org\\/\\u0070ath"}]', [("https://example.org/path", 1, 11)]),
        ('[{"URL": "\\ud83d\\ude00https://example.org/emoji"}]', [("😀https://example.org/emoji", 1, 11)]),
        ('[{"url": "https://example.org/lower", "doi": "10.1/x"}]', [("https://example.org/lower", 1, 11), ("doi:10.1/x", 1, 47)]),
        ('[{"note": {"URL": "https://example.org/nested"}, "author": [{"URL": "https://example.org/a"}]}]', []),
        ('[{"URL": ""}, {"URL": "   "}, {"URL": null}, {"URL": 42}, {"DOI": ["10.1/x"]}]', []),
        ('[["https://example.org/not-an-item"], "https://example.org/string"]', []),
        ('{"items": [{"URL": "https://example.org/deeper"}]}', []),
        ("[]", []),
        ("\ufeff[{\"URL\": \"https://example.org/bom\"}]", [("https://example.org/bom", 1, 12)]),
    ],
)
def test_items(text: str, expected: list) -> None:
    assert table(text) == expected


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('[{"URL": "https://example.org/a"},\n {"URL": }]', "line 2, column 10"),
        ('[{"URL": "https://example.org/a"}', "line 1, column 34"),
        ("TY  - JOUR\nUR  - https://example.org/", "line 1, column 1"),
        ("", "line 1, column 1"),
        ('[{"URL": "unterminated', "line 1, column 10"),
    ],
)
def test_not_json_raises_extraction_error_with_position(text: str, where: str) -> None:
    with pytest.raises(ExtractionError, match=f"^{where}: not JSON"):
        table(text)


def test_crlf_error_position_counts_lines_like_the_rest() -> None:
    with pytest.raises(ExtractionError, match="^line 3, column 3: not JSON"):
        table('[\r\n {"URL": "x"},\r\n  ]')


def test_too_deep_raises_extraction_error() -> None:
    with pytest.raises(ExtractionError, match="nested too deeply"):
        table("[" * 100_000 + "]" * 100_000)


@pytest.mark.parametrize("chunk", ["{", "[", "\\href{", "[{", '{"URL":', '"'])
def test_pathological_megabyte_line_is_fast(chunk: str) -> None:
    text = (chunk * (1_000_000 // len(chunk) + 1))[:1_000_000]
    started = time.perf_counter()
    with pytest.raises(ExtractionError):
        list(extract(text, ExtractOptions()))
    assert time.perf_counter() - started < LINEAR_TIME_BOUND


def test_a_megabyte_export_is_linear() -> None:
    items = [{"id": f"i{n}", "type": "webpage", "title": "Ünïcode \"t\"", "URL": f"https://example.org/{n}"} for n in range(12_000)]
    text = json.dumps(items, indent=2, ensure_ascii=False)
    started = time.perf_counter()
    links = list(extract(text, ExtractOptions()))
    assert time.perf_counter() - started < LINEAR_TIME_BOUND
    assert [link.target for link in links] == [item["URL"] for item in items]


_JUNK = ["[", "]", "{", "}", ",", ":", "\"URL\"", "\"DOI\"", "\"https://x.example/\"", "\"\\u00fc\"", "\"ü東\"", " ", "\n", "\r\n", "null", "1", "\\"]


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
