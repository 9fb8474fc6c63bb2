"""Links in Markdown: the fixture README, every link form, positions, code, HTML, speed."""

from __future__ import annotations

import re
import time

from tests.helpers import LINEAR_TIME_BOUND
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkcheck.extract import ExtractOptions
from linkcheck.extract.markdown import extract

FIXTURES = Path(__file__).parent / "fixtures" / "extract"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"  # ../shared beside the checkout

# (target, line, column, text) for tests/fixtures/extract/readme.md, code skipped.
README = [
    ("https://ci.example.org/tidewatch/badge.svg", 3, 18, "Build status"),
    ("https://ci.example.org/tidewatch", 3, 63, "Build status"),
    ("https://port.example.jp/潮位?station=3", 7, 37, "the harbour office"),
    ("https://pypi.example.org/project/tidewatch/", 11, 38, "https://pypi.example.org/project/tidewatch/"),
    ("docs/BUILDING.md#from-source", 17, 54, "BUILDING.md"),
    ("https://tidesandcurrents.example.gov/api/", 27, 17, "NOAA CO-OPS"),
    ("https://kobe.example.jp/data", 28, 43, None),
    ("www.tidewatch.example.net/mirror", 30, 29, None),
    ("mailto:maintainers@tidewatch.example.net", 31, 20, "maintainers@tidewatch.example.net"),
    ("https://archive.example.org/tide gauges/", 32, 57, "the archive"),
    ("https://example.com/a)b", 33, 28, "paren"),
    ("https://reports.example.org/2019/calibration.pdf", 36, 32, "calibration report"),
    ("https://tidewatch.example.net/", 39, 12, "tidewatch logo"),
    ("docs/logo.png", 39, 54, "tidewatch logo"),
    ("https://plot.example.com/?lib=1&v=2", 42, 29, "a plotting library"),
    ("https://example.org/faq_(hourly)", 43, 31, None),
    ("https://example.org/every-ten-minutes", 43, 76, None),
    ("docs/chart.svg", 45, 17, "Sample chart"),
    ("https://img.example.org/badge/docs-latest-blue.svg", 47, 15, "Docs"),
    ("https://tidewatch.example.net/docs/", 48, 9, "Docs"),
    ("https://creativecommons.example.org/licenses/by/4.0/", 49, 10, "CC BY 4.0"),
    ("https://forum.example.net/c/tidewatch", 51, 4, "the forum"),
    ("https://unused.example.org/never-cited", 52, 11, None),
]
# What `include_code` adds: a fenced block, an indented block and a code span.
README_CODE = [
    ("https://pypi.example.org/simple/", 14, 37, None),
    ("https://indented.example.org/skip", 19, 43, None),
    ("https://code-span.example.org/", 21, 22, None),
]


def table(text: str, include_code: bool = False) -> list[tuple[str, int, int, str | None]]:
    options = ExtractOptions(include_code=include_code)
    return [(link.target, link.line, link.column, link.text) for link in extract(text, options)]


def positions(text: str) -> list[tuple[str, int, int]]:
    return [(link.target, link.line, link.column) for link in extract(text, ExtractOptions())]


def readme() -> str:
    return (FIXTURES / "readme.md").read_text(encoding="utf-8")


def test_readme_exact_table() -> None:
    assert table(readme()) == README


def test_readme_with_code() -> None:
    expected = sorted(README + README_CODE, key=lambda row: (row[1], row[2]))
    assert table(readme(), include_code=True) == expected


def test_readme_positions_survive_crlf() -> None:
    # (Not lone CR: pulldown-cmark does not take it for a line ending everywhere, e.g. fences.)
    assert table(readme().replace("\n", "\r\n")) == README


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # inline links and images: the position is the URL's, not the bracket's
        ("[a](https://example.org/)", [("https://example.org/", 1, 5)]),
        ("![a](img/x.png 'Title')", [("img/x.png", 1, 6)]),
        ('[a](  <https://example.org/a b>  "t")', [("https://example.org/a b", 1, 8)]),
        ("[a](https://example.org/a\\(b\\))", [("https://example.org/a(b)", 1, 5)]),
        ("[a](https://example.org/?x=1&amp;y=2)", [("https://example.org/?x=1&y=2", 1, 5)]),
        ("[a [nested] *b* `c]`](https://example.org/)", [("https://example.org/", 1, 23)]),
        ("[a\\]](https://example.org/)", [("https://example.org/", 1, 7)]),
        ("[](https://example.org/empty-text)", [("https://example.org/empty-text", 1, 4)]),
        ("[a]() [b](<>)", []),
        (
            "[![i](https://example.org/i.svg)](https://example.org/)",
            [("https://example.org/i.svg", 1, 7), ("https://example.org/", 1, 35)],
        ),
        ("[a](\nhttps://example.org/next-line)", [("https://example.org/next-line", 2, 1)]),
        ("> quote [a](\n> https://example.org/quoted)", [("https://example.org/quoted", 2, 3)]),
        ("- item\n  - nested [a](https://example.org/nested)", [("https://example.org/nested", 2, 16)]),
        ("| h |\n|---|\n| [a](https://example.org/cell) |", [("https://example.org/cell", 3, 7)]),
        # autolinks
        ("<https://example.org/auto>", [("https://example.org/auto", 1, 2)]),
        ("<someone@example.org>", [("mailto:someone@example.org", 1, 2)]),
        # bare URLs, merged across escapes and entities, split by emphasis
        ("see https://example.org/a\\_b_c.", [("https://example.org/a_b_c", 1, 5)]),
        ("see https://example.org/?a=1&amp;b=2 now", [("https://example.org/?a=1&b=2", 1, 5)]),
        (
            "**https://example.org/strong**, *www.example.org/em*",
            [("https://example.org/strong", 1, 3), ("www.example.org/em", 1, 34)],
        ),
        ("# Heading https://example.org/h", [("https://example.org/h", 1, 11)]),
        ("[https://example.org/text](https://example.org/target)", [("https://example.org/target", 1, 28)]),
        # raw HTML
        ('a <a href="https://example.org/inline">b</a>', [("https://example.org/inline", 1, 12)]),
        ('> <a\n> href="https://example.org/split">x</a>', [("https://example.org/split", 2, 9)]),
        ('<div>\n<img src="https://example.org/i.png">\n</div>', [("https://example.org/i.png", 2, 11)]),
        ("<!-- [a](https://example.org/commented) https://example.org/c -->", []),
        # footnotes and front matter
        ("a[^1]\n\n[^1]: See https://example.org/note.", [("https://example.org/note", 3, 11)]),
        ("---\nsource: https://example.org/front\n---\n\nbody", [("https://example.org/front", 2, 9)]),
        # code is skipped by default
        ("`https://example.org/span` and\n\n```\nhttps://example.org/fence\n```\n\n    https://example.org/indent", []),
    ],
)
def test_link_forms(text: str, expected: list[tuple[str, int, int]]) -> None:
    assert positions(text) == expected


def test_reference_definitions_are_yielded_once_at_their_url() -> None:
    text = (
        "[One][Ref] and [two][ref] and [ref] and [REF][].\n\n"
        "[ref]: https://example.org/r\n"
        "[Ref]: https://example.org/dup\n"  # a second definition of a label is ignored
        "[spare]:\n   <https://example.org/s>\n"
        "> [quoted]: https://example.org/q\n"
    )
    assert table(text) == [
        ("https://example.org/r", 3, 8, "One"),
        ("https://example.org/s", 6, 5, None),
        ("https://example.org/q", 7, 13, None),
    ]


def test_reference_labels_match_case_and_space_insensitively() -> None:
    text = "[x][Tide  Tables]\n\n[tide tables]: https://example.org/t"
    assert table(text) == [("https://example.org/t", 3, 16, "x")]


def test_columns_count_code_points() -> None:
    text = "# Ünï\n\nÜnïcödé — 日本語 🌊 [link](https://example.org/ü) and https://example.org/bare\n"
    assert positions(text) == [("https://example.org/ü", 3, 24), ("https://example.org/bare", 3, 51)]


def test_code_included_on_request() -> None:
    text = "`see https://example.org/span`\n\n~~~\nhttps://example.org/fence\n~~~\n"
    options = ExtractOptions(include_code=True)
    assert [(link.target, link.line, link.column) for link in extract(text, options)] == [
        ("https://example.org/span", 1, 6),
        ("https://example.org/fence", 4, 1),
    ]


# Prose, line endings and containers (never four spaces in a row: that would be code).
_WORDS = st.sampled_from(["word ", "Ünï ", "日本語", "🌊", "—", ". ", ", ", "\n", "\r\n", "\n\n", "> ", "- "])
_PATH = st.text(alphabet="abcxyz019-._~/%?=&", max_size=12)


@settings(max_examples=200, deadline=None)
@given(st.lists(_WORDS, max_size=12).map("".join), _PATH, st.booleans())
def test_property_position_points_at_the_url(prefix: str, path: str, bare: bool) -> None:
    url = f"https://example.org/{path}"
    link = f" {url} " if bare else f" [t]({url}) "
    text = prefix + link + "tail"
    lines = re.split(r"\r\n|\r|\n", text)
    found = [item for item in extract(text, ExtractOptions()) if item.target.startswith("https://example.org/")]
    assert found, text
    for item in found:
        assert lines[item.line - 1][item.column - 1 :].startswith(item.target)


@pytest.mark.parametrize("name", ["awesome-python.md", "awesome.md"])
def test_corpus_positions_point_at_the_targets(name: str) -> None:
    path = CORPUS / name
    if not path.exists():
        pytest.skip("shared corpus not available")
    text = path.read_text(encoding="utf-8")
    lines = re.split(r"\r\n|\r|\n", text)
    links = list(extract(text, ExtractOptions()))
    assert len(links) == {"awesome-python.md": 625, "awesome.md": 731}[name]
    assert all(lines[link.line - 1][link.column - 1 :].startswith(link.target) for link in links)


@pytest.mark.parametrize(
    "text",
    [
        "[" * 300_000,
        "[a](" * 100_000,
        "<" * 300_000,
        "*a " * 100_000,
        "> " * 20_000 + "x",
        "http://" * 150_000,
        "> [a](\n> https://example.org/)\n" * 20_000,
        "ü [a](https://example.org/) https://example.org/b " * 20_000,
    ],
)
def test_pathological_input_is_fast(text: str) -> None:
    started = time.perf_counter()
    list(extract(text, ExtractOptions()))
    assert time.perf_counter() - started < LINEAR_TIME_BOUND
