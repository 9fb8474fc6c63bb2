"""Links in wikitext: the article fixture, citation templates, external links, skipped text."""

from __future__ import annotations

import re
import time

from tests.helpers import LINEAR_TIME_BOUND, assert_same
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkcheck.extract import ExtractionError, ExtractOptions, extract_text
from linkcheck.extract.wikitext import extract

FIXTURE = Path(__file__).parent / "fixtures" / "formats" / "article.wiki"

TRUST = "https://trust.example.org/sites/vellmark"
TRUST_ARCHIVE = "https://web.archive.example.org/web/20240303/https://trust.example.org/sites/vellmark"
NEWS_ARCHIVE = "https://archive.example.today/2022.06.15/waders"

#: (target, line, column, text, archive_url, archive_date)
ARTICLE = [
    ("https://vellmark.example.org/", 4, 14, None, None, None),
    (TRUST, 8, 52, "Vellmark: site profile", TRUST_ARCHIVE, "3 March 2024"),
    (TRUST_ARCHIVE, 8, 194, None, None, None),
    ("doi:10.1000/example.2016.123", 16, 10, None, None, None),
    ("https://journals.example.com/nature-example/articles/2016-123", 17, 10, "Resilience of marshes to rising tides", None, None),
    ("https://news.example.dk/2022/06/waders", 20, 6, "Wader numbers fall on the Vestkyst", NEWS_ARCHIVE, "15 June 2022"),
    (NEWS_ARCHIVE, 23, 13, None, None, None),
    ("https://survey.example.org/vellmark-2021", 28, 43, "survey report", None, None),
    ("https://data.example.org/records/48213", 29, 13, None, None, None),
    ("https://maps.example.org/?layer=marsh&zoom=12", 29, 64, None, None, None),
    ("https://repository.example.edu/handle/1234/5678", 32, 189, "Sediment budgets of North Sea marshes", None, None),
    ("https://repository.example.edu/handle/1234/5678/ch3", 32, 250, None, None, None),
    ("arXiv:2205.01234", 34, 47, None, None, None),
    ("https://counts.example.org/2019.csv", 49, 11, None, None, None),
    ("https://counts.example.org/2022.csv", 51, 12, "2022 counts", None, None),
    ("https://vellmark.example.org/", 58, 4, "Official website", None, None),
    ("https://vellmark.example.org/en/", 59, 22, None, None, None),
    ("https://web.archive.example.org/web/2015/https://vellmark.example.org/", 60, 21, None, None, None),
]

#: What `include_code` adds: syntaxhighlight and pre (never nowiki or comments).
CODE = [
    ("https://gauges.example.jp/feed?id=17", 39, 14, None, None, None),
    ("https://pre.example.org/not-a-citation", 42, 1, None, None, None),
]


def table(text: str, include_code: bool = False) -> list[tuple]:
    return [
        (link.target, link.line, link.column, link.text, link.archive_url, link.archive_date)
        for link in extract(text, ExtractOptions(include_code))
    ]


def targets(text: str) -> list[tuple[str, int | None]]:
    return [(link.target, link.column) for link in extract(text, ExtractOptions())]


def test_fixture_exact_table() -> None:
    assert_same(table(FIXTURE.read_text(encoding="utf-8")), ARTICLE)


def test_fixture_with_code() -> None:
    expected = sorted(ARTICLE + CODE, key=lambda row: (row[1], row[2]))
    assert_same(table(FIXTURE.read_text(encoding="utf-8"), include_code=True), expected)


def test_fixture_positions_survive_crlf_and_cr() -> None:
    text = FIXTURE.read_text(encoding="utf-8")
    assert table(text.replace("\n", "\r\n")) == ARTICLE
    assert table(text.replace("\n", "\r")) == ARTICLE


def test_registry_finds_this_extractor() -> None:
    assert [link.target for link in extract_text("[https://example.org/a A]", "wikitext")] == ["https://example.org/a"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("東京 [https://example.org/k Karte]", [("https://example.org/k", 5)]),
        ("{{cite web|url=https://example.org/a}}", [("https://example.org/a", 16)]),
        ("{{Cite_Web |URL = https://example.org/b }}", [("https://example.org/b", 19)]),
        ("{{cite book |url={{Google books|id=x}} |title=T}}", []),
        ("{{cite web |url=https://example.org/c |title={{lang|fr|Titre}} |access-date=2020}}", [("https://example.org/c", 17)]),
        ("{{cite web |title=[[Page|label]] |url=https://example.org/d}}", [("https://example.org/d", 39)]),
        ("{{cite web |url=https://example.org/e |quote=see https://example.org/not-cited}}", [("https://example.org/e", 17)]),
        ("{{cite journal |doi=doi:10.1/x |arxiv=https://arxiv.example/abs/1}}", [("doi:10.1/x", 21), ("https://arxiv.example/abs/1", 39)]),
        ("{{refn|Note with {{cite web|url=https://example.org/in-refn}} and https://example.org/f}}", [
            ("https://example.org/in-refn", 33),
            ("https://example.org/f", 67),
        ]),
        ("{{webarchive|url=https://example.org/g|date=2019}}", [("https://example.org/g", 18)]),
        ("https://example.org/h|rest and ''https://example.org/i''", [("https://example.org/h", 1), ("https://example.org/i", 34)]),
        ("[[Page|https://example.org/j]]", [("https://example.org/j", 8)]),
        ("[mailto:someone@example.org write] [ftp://files.example.org/x]", [("mailto:someone@example.org", 2), ("ftp://files.example.org/x", 37)]),
        ("<!-- https://example.org/c1 --> <nowiki>https://example.org/n</nowiki><nowiki/>https://example.org/ok", [
            ("https://example.org/ok", 80),
        ]),
        ("<ref>{{cite web|url=https://example.org/r<!-- why -->}}</ref>", [("https://example.org/r", 21)]),
        ("<PRE>https://example.org/upper-pre</PRE> <source lang=c>https://example.org/src</source>", []),
    ],
)
def test_constructs(text: str, expected: list) -> None:
    assert targets(text) == expected


def test_cite_template_carries_its_archive_on_the_url_only() -> None:
    text = "{{cite news |archive-url=https://archive.example/x |url=https://example.org/n |archive-date=2021-01-02 |title=''N''}}"
    assert table(text) == [
        ("https://archive.example/x", 1, 26, None, None, None),
        ("https://example.org/n", 1, 57, "N", "https://archive.example/x", "2021-01-02"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{{cite web |url=https://example.org/unclosed |archive-url=", [("https://example.org/unclosed", 17)]),
        ("[https://example.org/ext unclosed text", [("https://example.org/ext", 2)]),
        ("<!-- unclosed https://example.org/hidden", []),
        ("<pre>unclosed https://example.org/pre-text", [("https://example.org/pre-text", 15)]),
        ("<nowiki", []),
        ("{{cite web|url=https://example.org/a]]}}", [("https://example.org/a]]", 16)]),  # a value is as written
        ("}}{{cite web|url=https://example.org/b", [("https://example.org/b", 18)]),
        ("{{cite web|url=https://example.org/c|title=[[unclosed}}", [("https://example.org/c", 16)]),
    ],
)
def test_truncated_markup_never_raises(text: str, expected: list) -> None:
    assert targets(text) == expected


@pytest.mark.parametrize(
    "chunk", ["{", "{{", "[", "[[", "\\href{", "|", "{{cite web|", "{{cite web|url=", "[http://a ", "<!--", "<pre ", "<nowiki>", "}}", "'''"]
)
def test_pathological_megabyte_line_is_fast(chunk: str) -> None:
    text = (chunk * (1_000_000 // len(chunk) + 1))[:1_000_000]
    started = time.perf_counter()
    list(extract(text, ExtractOptions(include_code=True)))
    assert time.perf_counter() - started < LINEAR_TIME_BOUND


@pytest.mark.parametrize("opener", ["{{cite web|title=", "{{cite web|url=", "{{cite web|", "[["])
def test_deep_nesting_around_a_long_value_is_linear(opener: str) -> None:
    text = opener * 1000 + "x " * 400_000 + "}}" * 1000
    started = time.perf_counter()
    list(extract(text, ExtractOptions()))
    assert time.perf_counter() - started < LINEAR_TIME_BOUND


_JUNK = ["{{", "}}", "[[", "]]", "|", "=", "cite web", "url", "archive-url", "doi", "[https://x.example/ ", "]", "https://x.example/", "<!--", "-->", "<pre>", "</pre>", "<nowiki>", "</nowiki>", "''", "\n", "\r\n", " ", "ü東"]


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
