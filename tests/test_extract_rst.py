"""Links in reStructuredText: the Sphinx-style fixture page, literal blocks, targets, junk."""

from __future__ import annotations

import re
import time

from tests.helpers import LINEAR_TIME_BOUND, assert_same
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkcheck.extract import ExtractionError, ExtractOptions, extract_text
from linkcheck.extract.rst import extract

FIXTURE = Path(__file__).parent / "fixtures" / "formats" / "guide.rst"

PAGE = [
    ("https://git.example.org/tidewatch/tidewatch", 11, 37, "the Tidewatch repository"),
    ("https://docs.tidewatch.example.net/en/latest/", 12, 35, None),
    ("https://www.rfc-editor.example/rfc/rfc9999", 26, 34, "RFC 9999"),
    ("https://git.example.org/tidewatch/tidewatch/-/blob/main/CHANGES.rst", 28, 4, None),
    ("https://pypi.example.org/project/tidewatch/", 30, 16, "PyPI page"),
    ("https://docs.tidewatch.example.net/en/latest/naming.html#unicode", 34, 2, "naming rules"),
    ("https://docs.tidewatch.example.net/en/latest/convert.html", 39, 40, None),
    ("https://gauges.example.jp/stations.csv.sha256", 63, 26, "published checksums"),
    ("https://static.tidewatch.example.net/img/dashboard.png", 68, 12, "The dashboard"),
    ("https://static.tidewatch.example.net/img/dashboard-full.png", 70, 13, "The dashboard"),
    ("images/gauge-house.jpg", 72, 13, None),
    ("https://licenses.example.org/by/4.0/", 76, 14, None),
    ("https://library.example.edu/tides/measurement.pdf", 87, 34, None),
    ("https://lists.example.org/mailman/listinfo/tidewatch", 88, 22, "mailing list"),
    ("https://lists.example.org/archives/tidewatch/search?q=gauge", 92, 4, "search it"),
    ("https://ci.example.org/tidewatch/badge.svg", 95, 20, None),
]

#: What `include_code` adds: the literal blocks, the code-block, the inline literal, the doctest.
CODE = [
    ("https://mirror.example.com/simple/tidewatch/", 23, 16, None),
    ("https://gauges.example.jp/feed?id=17&format=csv", 50, 11, None),
    ("https://gauges.example.jp/feed", 52, 7, None),
    ("https://gauges.example.jp/stations.csv", 57, 15, None),
    ("https://gauges.example.jp/feed?id=3", 79, 22, None),
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
    assert [link.target for link in extract_text("See https://example.org/a.", "rst")] == ["https://example.org/a"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Zürich, 東京: `Karte <https://example.org/k>`_", [("https://example.org/k", 1, 21, "Karte")]),
        ("`<https://example.org/bare-embedded>`_", [("https://example.org/bare-embedded", 1, 3, None)]),
        ("`alias <other_>`_ and `Named`_", []),
        (":doc:`Guide <guide/index>` and :ref:`x <y>`", []),
        ("``https://example.org/literal`` then https://example.org/prose", [("https://example.org/prose", 1, 38, None)]),
        (":code:`https://example.org/role` :samp:`https://example.org/samp`", []),
        (".. _`name: with colon`: https://example.org/t", [("https://example.org/t", 1, 25, "name: with colon")]),
        (".. _internal:\n\nText", []),
        (".. __: https://example.org/anon", [("https://example.org/anon", 1, 8, None)]),
        (".. comment https://example.org/no\n   more https://example.org/no2\nback https://example.org/yes", [("https://example.org/yes", 3, 6, None)]),
        ("..\n\n   quoted https://example.org/quote", [("https://example.org/quote", 3, 11, None)]),
        ("Para::\n\n    https://example.org/code\n\nafter https://example.org/a", [("https://example.org/a", 5, 7, None)]),
        ("Para::\n\n> https://example.org/quoted-literal\n> more\n\nhttps://example.org/b", [("https://example.org/b", 6, 1, None)]),
        ("A line::\nthat continues https://example.org/same-para", [("https://example.org/same-para", 2, 16, None)]),
        ("Term\n    Definition https://example.org/def", [("https://example.org/def", 2, 16, None)]),
        (".. code:: python\n\n\thttps://example.org/tab-indented\nhttps://example.org/out", [("https://example.org/out", 4, 1, None)]),
        (".. image:: \n   https://example.org/next-line.png", [("https://example.org/next-line.png", 2, 4, None)]),
        (".. figure:: a.png\n   :target: fig_\n", [("a.png", 1, 13, None)]),
        ("\\`https://example.org/escaped-tick`", [("https://example.org/escaped-tick", 1, 3, None)]),
    ],
)
def test_constructs(text: str, expected: list) -> None:
    assert table(text) == expected


def test_code_is_read_only_when_asked() -> None:
    text = ".. code-block:: sh\n\n   curl https://example.org/script\n"
    assert table(text) == []
    assert table(text, include_code=True) == [("https://example.org/script", 3, 9, None)]


@pytest.mark.parametrize(
    "text",
    [
        "`unclosed <https://example.org/u",
        "``unclosed literal https://example.org/l",
        ".. image::",
        ".. _dangling:",
        ".. |sub| image::",
        "Para::",
        "`a <>`_ `<>`_ ` `_ `",
        "\t\t.. code::\n\t",
        "\ufeff\x00\x0c.. \u2028 ::",
    ],
)
def test_truncated_or_junk_markup_never_raises(text: str) -> None:
    links = table(text)
    assert all(link[0] for link in links)


def test_unclosed_embedded_uri_still_finds_the_bare_url() -> None:
    assert table("`unclosed <https://example.org/u") == [("https://example.org/u", 1, 12, None)]


@pytest.mark.parametrize("chunk", ["{", "[", "\\href{", "`", "``x", ".. ", "`a <", ":a:`", "_`", "<"])
def test_pathological_megabyte_line_is_fast(chunk: str) -> None:
    text = (chunk * (1_000_000 // len(chunk) + 1))[:1_000_000]
    started = time.perf_counter()
    list(extract(text, ExtractOptions(include_code=True)))
    assert time.perf_counter() - started < LINEAR_TIME_BOUND


@pytest.mark.parametrize("chunk", ["\n", "\r", "a::\n\n", ".. code::\n", ".. _a: b\n", "  x::\n"])
def test_a_million_short_lines_stay_linear(chunk: str) -> None:
    """Each line costs a constant (about a microsecond); nothing is rescanned per line."""
    text = chunk * (1_000_000 // len(chunk))
    started = time.perf_counter()
    list(extract(text, ExtractOptions(include_code=True)))
    assert time.perf_counter() - started < LINEAR_TIME_BOUND


_JUNK = ["`", "``", "_", "__", "<", ">", ".. ", "::", ":a:", "|", "\n", "\r\n", "   ", "\t", "ü東", "https://x.example/", ".. _n: ", ".. image:: ", ":target: ", "`t <", ">`_", ">>> ", "- ", "\\"]


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
