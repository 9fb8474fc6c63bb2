"""Bare URLs in prose: the fixture article, each boundary rule, positions, linear time."""

from __future__ import annotations

import re
import time

from tests.helpers import LINEAR_TIME_BOUND
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkcheck.extract import ExtractOptions
from linkcheck.extract.plaintext import LineIndex, extract, find_urls, line_columns

FIXTURES = Path(__file__).parent / "fixtures" / "extract"

ARTICLE = [
    ("https://data.port.example.jp/gauges/east/2024-04.csv", 5, 8),
    ("https://tidewatch.example.net/stations/east", 9, 23),
    ("https://archive.example.org/logbooks/", 11, 34),
    ("https://wiki.example.org/Eastern_Pier_(Kōbe)", 14, 2),
    ("https://reports.example.org/1998/survey.pdf", 15, 2),
    ("mailto:survey-team@reports.example.org", 16, 26),
    ("www.opendata.example.net/licence", 17, 30),
    ("https://例え.example.jp/潮位/要約", 19, 52),
    ("ftp://mirror.example.org/pub/tides/", 20, 19),
    ("https://news.example.com/2024/05/surge?ref=rss", 26, 38),
    ("https://blog.example.com/tide-tables", 27, 35),
    ("https://magazine.example.com/features/the-sea's-memory", 28, 18),
]


def table(text: str) -> list[tuple[str, int, int]]:
    return [(link.target, link.line, link.column) for link in extract(text, ExtractOptions())]


def targets(text: str) -> list[str]:
    return [url for _, url in find_urls(text)]


def source_lines(text: str) -> list[str]:
    return re.split(r"\r\n|\r|\n", text)


def test_article_exact_table() -> None:
    text = (FIXTURES / "article.txt").read_text(encoding="utf-8")
    assert table(text) == ARTICLE


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_article_positions_survive_other_line_endings(newline: str) -> None:
    text = (FIXTURES / "article.txt").read_text(encoding="utf-8").replace("\n", newline)
    assert table(text) == ARTICLE


def test_links_carry_no_text() -> None:
    assert all(
        link.text is None and link.base is None for link in extract("see https://example.org/", ExtractOptions())
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(see https://example.org/a_(b))", ["https://example.org/a_(b)"]),
        ("(https://example.org/x).", ["https://example.org/x"]),
        ('"https://example.org/x",', ["https://example.org/x"]),
        ("'https://example.org/x'", ["https://example.org/x"]),
        ("<https://example.org/x>", ["https://example.org/x"]),
        ("https://example.org/x...", ["https://example.org/x"]),
        ("end: https://example.org/x;", ["https://example.org/x"]),
        ("really? https://example.org/x?!", ["https://example.org/x"]),
        ("[https://example.org/x]", ["https://example.org/x"]),
        ("{https://example.org/x}", ["https://example.org/x"]),
        ("https://example.org/a[1]", ["https://example.org/a[1]"]),
        ("https://example.org/x?q=1&r=2#frag.", ["https://example.org/x?q=1&r=2#frag"]),
        ("https://example.org/x>more", ["https://example.org/x"]),
        ('https://example.org/x"y', ["https://example.org/x"]),
        ("`https://example.org/x`", ["https://example.org/x"]),
        ("https://example.org/a\tb", ["https://example.org/a"]),
        (
            "a https://a.example/ b https://b.example/\nhttps://c.example/",
            ["https://a.example/", "https://b.example/", "https://c.example/"],
        ),
        ("HTTPS://EXAMPLE.ORG/X", ["HTTPS://EXAMPLE.ORG/X"]),
        ("www.example.org.", ["www.example.org"]),
        ("at www.example.org/a, then", ["www.example.org/a"]),
        ("mail mailto:someone@example.org.", ["mailto:someone@example.org"]),
        ("https://例え.jp/パス", ["https://例え.jp/パス"]),
        ("見てhttps://example.jp/a。", ["https://example.jp/a"]),
        (
            "https://web.archive.example/web/2020/https://example.org/",
            ["https://web.archive.example/web/2020/https://example.org/"],
        ),
        ("**https://example.org/x**", ["https://example.org/x"]),
    ],
)
def test_boundaries(text: str, expected: list[str]) -> None:
    assert targets(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "https://",
        "http://).",
        "www.",
        "mailto:",
        "xhttps://example.org/",  # glued to a word
        "git+https://example.org/",  # another scheme
        "someone@www.example.org",
        "ssh://www.example.org/",
        "example.org/path",
        "ftp.example.org",
    ],
)
def test_not_urls(text: str) -> None:
    assert targets(text) == []


def test_columns_count_code_points() -> None:
    text = "first line\nÜnïcödé — 日本語 https://example.org/ü and 🌊 https://example.org/wave\n"
    assert table(text) == [("https://example.org/ü", 2, 15), ("https://example.org/wave", 2, 43)]


def test_line_index() -> None:
    index = LineIndex("ab\r\ncd\re\nf")
    assert [index.position(offset) for offset in (0, 1, 4, 5, 7, 9)] == [(1, 1), (1, 2), (2, 1), (2, 2), (3, 1), (4, 1)]


_PIECES = st.sampled_from(
    [
        " ",
        "\n",
        "\r\n",
        "\r",
        "(",
        ")",
        "[",
        "]",
        ".",
        ",",
        "'",
        '"',
        "<",
        ">",
        "`",
        "!",
        "?",
        ":",
        "Ünï",
        "日本語",
        "🌊",
        "word",
        "www.",
        "http://",
        "https://",
        "mailto:",
        "example.org",
        "/a_(b)",
        "/path",
        "?q=1&r=2",
        "#frag",
        "%20",
        "...",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join))
def test_property_target_is_the_source_at_its_position(text: str) -> None:
    lines = source_lines(text)
    for link in extract(text, ExtractOptions()):
        line = lines[link.line - 1]
        assert line[link.column - 1 : link.column - 1 + len(link.target)] == link.target
        assert not any(char.isspace() for char in link.target)
        assert re.match(r"(?i)(https?://|ftp://|www\.|mailto:)", link.target)


@pytest.mark.parametrize(
    "text",
    [
        "(" * 1_000_000,
        "http://" * 150_000,
        "https://example.org/" + ")" * 1_000_000,
        "https://example.org/" + "." * 1_000_000,
        "www." * 250_000,
        "https://a.example/ " * 50_000,
        "(https://example.org/x) " * 40_000,
    ],
)
def test_pathological_input_is_linear(text: str) -> None:
    started = time.perf_counter()
    list(extract(text, ExtractOptions()))
    assert time.perf_counter() - started < LINEAR_TIME_BOUND


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab\n\r ü", max_size=60), st.data())
def test_property_line_columns_equal_line_index(text: str, data: st.DataObject) -> None:
    offsets = sorted(data.draw(st.lists(st.integers(0, len(text)), max_size=8)))
    index = LineIndex(text)
    assert list(line_columns(text, offsets)) == [index.position(offset) for offset in offsets]
