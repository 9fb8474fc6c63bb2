"""Links in HTML: the fixture page, attribute quoting and entities, base, refresh, junk."""

from __future__ import annotations

import re
import time

from tests.helpers import LINEAR_TIME_BOUND
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkcheck.extract import ExtractOptions
from linkcheck.extract.html import extract, find_links

FIXTURES = Path(__file__).parent / "fixtures" / "extract"
BASE = "https://tidewatch.example.net/stations/"

PAGE = [
    ("https://tidewatch.example.net/live/", 5, 47, None, None),
    ("/static/site.css", 7, 32, None, None),
    ("https://tidewatch.example.net/stations/kobe", 9, 28, None, None),
    ("kobe/history.html#1995", 16, 29, "The station's history", BASE),
    ("https://port.example.jp/gauges?id=17&format=csv", 17, 35, "raw feed", BASE),
    ("https://newspaper.example.com/1952/tide", 18, 34, None, BASE),
    ("https://harbour.example.jp/statement", 19, 21, None, BASE),
    ("img/gauge.jpg", 21, 15, "The gauge house", BASE),
    ("img/gauge-2x.jpg", 22, 18, "The gauge house", BASE),
    ("img/gauge-3x.jpg", 22, 39, "The gauge house", BASE),
    ("https://maps.example.org/embed?lat=34.68&lon=135.19", 24, 16, None, BASE),
    ("https://tidewatch.example.net/changes/42", 26, 25, None, BASE),
    ("changes/43", 27, 19, None, BASE),
    ("#top", 28, 12, "Back to top", BASE),
    ("https://unclosed.example.org/", 30, 24, "link text", BASE),
]


def table(text: str) -> list[tuple[str, int, int, str | None, str | None]]:
    return [(link.target, link.line, link.column, link.text, link.base) for link in extract(text, ExtractOptions())]


def targets(text: str) -> list[tuple[str, int]]:
    """(target, column) of every link in a one-line document."""
    return [(link.target, link.column) for link in extract(text, ExtractOptions())]


def test_page_exact_table() -> None:
    text = (FIXTURES / "page.html").read_text(encoding="utf-8")
    assert table(text) == PAGE


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_page_positions_survive_other_line_endings(newline: str) -> None:
    text = (FIXTURES / "page.html").read_text(encoding="utf-8").replace("\n", newline)
    assert table(text) == PAGE


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('<a href="https://example.org/d">x</a>', [("https://example.org/d", 10)]),
        ("<a href='https://example.org/s'>x</a>", [("https://example.org/s", 10)]),
        ("<a href=https://example.org/u>x</a>", [("https://example.org/u", 9)]),
        ('<a  HREF = "https://example.org/sp">x</a>', [("https://example.org/sp", 13)]),
        ('<a href="https://example.org/?a=1&amp;b=2&#x26;c=3">', [("https://example.org/?a=1&b=2&c=3", 10)]),
        ('<a href="  https://example.org/ws  ">', [("https://example.org/ws", 12)]),
        ('<a href="https://example.org/first" href="https://example.org/second">', [("https://example.org/first", 10)]),
        ('<a class="href=no" title=\'href="no"\' href="https://example.org/real">', [("https://example.org/real", 44)]),
        ('<A HREF="https://example.org/upper">', [("https://example.org/upper", 10)]),
        ('<img src="a.png"/><img src="b.png" />', [("a.png", 11), ("b.png", 29)]),
        ('<link rel="dns-prefetch preconnect" href="https://cdn.example/">', []),
        ('<link rel="preload" href="https://cdn.example/font.woff2">', [("https://cdn.example/font.woff2", 27)]),
        ('<source srcset="s.webp 1x,t.webp 2x" src="u.mp4">', [("s.webp", 17), ("t.webp", 27), ("u.mp4", 43)]),
        ('<img srcset="a.png, b.png 480w">', [("a.png", 14), ("b.png", 21)]),
        ('<video src="v.mp4" poster="p.jpg"></video>', [("v.mp4", 13), ("p.jpg", 28)]),
        ('<a href="">x</a><a>y</a><a href>z</a>', []),
        ('<script src="https://cdn.example/app.js"></script><p>https://text.example/</p>', []),
        ('<!-- <a href="https://commented.example/">x</a> -->', []),
    ],
)
def test_attributes(text: str, expected: list[tuple[str, int]]) -> None:
    assert targets(text) == expected


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("0; url=https://example.org/a", "https://example.org/a"),
        ("5;URL='https://example.org/b'", "https://example.org/b"),
        ("3, url = https://example.org/c ", "https://example.org/c"),
        ("0; https://example.org/d", "https://example.org/d"),
        ('1; url="relative/page.html"', "relative/page.html"),
        ("0; url=https://example.org/?a=1&amp;b=2", "https://example.org/?a=1&b=2"),
    ],
)
def test_meta_refresh(content: str, expected: str) -> None:
    quote = '"' if '"' not in content else "'"
    text = f"<meta http-equiv=Refresh content={quote}{content}{quote}>"
    assert targets(text) == [(expected, text.index(expected[:12]) + 1)]


def test_meta_without_url_yields_nothing() -> None:
    assert targets('<meta http-equiv="refresh" content="30"><meta name="x" content="https://example.org/">') == []


def test_base_applies_to_links_after_it_only() -> None:
    text = '<a href="a.html">a</a><base href="https://example.org/docs/"><a href="b.html">b</a><base href="https://other.example/">'
    assert [(link.target, link.base) for link in extract(text, ExtractOptions())] == [
        ("a.html", None),
        ("b.html", "https://example.org/docs/"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('<a href="x">  Tide\n   tables <b>2024</b> </a>', "Tide tables 2024"),
        ('<a href="x"><img src="i.png" alt=" Station  logo "></a>', "Station logo"),
        ('<a href="x"><img src="i.png"></a>', None),
        ('<a href="x">first<a href="y">second</a>', "first"),
        ('<a href="x">caf&eacute; &amp; bar</a>', "café & bar"),
    ],
)
def test_anchor_text(text: str, expected: str | None) -> None:
    assert next(extract(text, ExtractOptions())).text == expected


def test_columns_count_code_points() -> None:
    text = "<p>Ünïcödé — 日本語 🌊 <a href='https://example.org/'>x</a>\n<img src=\"ü.png\"></p>"
    assert targets(text.split("\n")[0]) == [("https://example.org/", 29)]
    assert table(text)[1][:3] == ("ü.png", 2, 11)


@pytest.mark.parametrize(
    "text",
    [
        "<![ x <a href='https://example.org/'>",
        '<a href="unterminated',
        "<a href=",
        "</",
        "<!--",
        "<![CDATA[",
        "<a href='&#xffffffff;'>",
        "<img srcset=',,,'>",
        "<meta http-equiv=refresh>",
        "<base>",
        "<table><a href=x><tr></a></table>",
        "\x00<a\x00href=x>",
    ],
)
def test_malformed_html_never_raises(text: str) -> None:
    list(extract(text, ExtractOptions()))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "<",
                ">",
                "</",
                "<!",
                "<![",
                "--",
                "a",
                " href",
                "=",
                '"',
                "'",
                "&amp;",
                "&#",
                "img",
                "src",
                "srcset",
                "meta",
                "http-equiv=refresh",
                "content",
                ";",
                "url=",
                ",",
                " ",
                "\n",
                "\r\n",
                "ü",
                "https://x.example/",
            ]
        ),
        max_size=40,
    ).map("".join)
)
def test_property_junk_never_raises_and_positions_are_in_range(text: str) -> None:
    lines = text.replace("\r\n", "\n").split("\n")
    for link in extract(text, ExtractOptions()):
        assert 1 <= link.line <= len(lines)
        assert 1 <= link.column <= len(lines[link.line - 1]) + 1


_JUNK = st.sampled_from(
    [
        "<!--",
        "-->",
        "<![",
        "]]>",
        "]>",
        "if",
        "CDATA[",
        ">",
        "<",
        "</",
        "<!",
        "<?",
        '"',
        "'",
        " ",
        "\n",
        "\r\n",
        "ü",
        "t",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_JUNK, st.just('<a href="https://x.example/">')), max_size=30).map("".join))
def test_property_positions_stay_exact_after_junk(text: str) -> None:
    lines = re.split(r"\r\n|\r|\n", text)
    for link in extract(text, ExtractOptions()):
        assert link.line is not None and link.column is not None
        assert lines[link.line - 1][link.column - 1 :].startswith(link.target), (text, link)


def test_position_after_a_declaration_the_parser_rejects() -> None:
    assert targets("<![--><a href=x>") == [("x", 15)]


@pytest.mark.parametrize(
    "text",
    [
        "<a " * 100_000,
        "<a " * 100_000 + ">",
        "<!--x>" * 100_000,
        "<![CDATA[x>" * 50_000,
        "<![if x>" * 50_000,
        '<a href="' + "x" * 1_000_000,
        "<!--" + "x" * 1_000_000,
        "</" * 100_000,
    ],
)
def test_pathological_input_is_fast(text: str) -> None:
    started = time.perf_counter()
    list(extract(text, ExtractOptions()))
    assert time.perf_counter() - started < LINEAR_TIME_BOUND


def test_find_links_reports_offsets() -> None:
    assert [(found.offset, found.target) for found in find_links('<a href="x">y</a>')] == [(9, "x")]
