"""The fast HTML scanner gives exactly what the HTMLParser reference gives, or gives up.

Differential tests: the fixtures (and the formats that read HTML: EPUB chapters, notebook
outputs, Markdown's inline HTML), messy generated HTML, and the benchmark corpus when it
is there. `scan_links` returning None (not sure) is allowed; a different answer never is.
"""

from __future__ import annotations

import functools
import re
import time
from pathlib import Path

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from linkcheck.extract import ExtractOptions, epub, markdown, notebook
from linkcheck.extract import html as html_extract
from linkcheck.extract.html import extract, find_links, reference_links, scan_links
from linkcheck.extract.plaintext import LineIndex
from linkcheck.models import RawLink
from tests.helpers import LINEAR_TIME_BOUND

FIXTURES = Path(__file__).parent / "fixtures"
BENCH_CORPUS = Path(__file__).resolve().parents[1] / "bench" / ".work" / "corpora" / "extract" / "docs"

def reference_extract(text: str) -> list[RawLink]:
    """`extract` as it was before the fast scanner: HTMLParser and LineIndex."""
    index = LineIndex(text)
    return [RawLink(f.target, *index.position(f.offset), f.text, f.base) for f in reference_links(text)]


def assert_same(text: str) -> list[html_extract.Found] | None:
    """The scanner agrees with the reference, or gives up; and `extract` agrees either way."""
    fast = scan_links(text)
    if fast is not None:
        assert fast == reference_links(text), text
    assert list(extract(text, ExtractOptions())) == reference_extract(text), text
    return fast


def html_fixtures() -> list[Path]:
    return sorted(path for path in FIXTURES.rglob("*") if path.suffix in (".html", ".htm", ".xhtml"))


@pytest.mark.parametrize("path", html_fixtures(), ids=lambda path: str(path.relative_to(FIXTURES)))
def test_fixture_pages_agree_and_need_no_fallback(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for variant in (text, text.replace("\n", "\r\n"), text.replace("\n", "\r")):
        assert assert_same(variant) is not None


def _links_of(reader, data, options: ExtractOptions, reference: bool, monkeypatch: pytest.MonkeyPatch) -> list[RawLink]:
    with monkeypatch.context() as patch:
        if reference:
            patch.setattr(html_extract, "scan_links", lambda text: None)
            patch.setattr(markdown, "extract", functools.partial(markdown.extract, fast=False))
        return list(reader(data, options))


@pytest.mark.parametrize("include_code", [False, True])
@pytest.mark.parametrize(
    ("reader", "path"),
    [
        (epub.extract, "binary/book.epub"),
        (notebook.extract, "binary/analysis.ipynb"),
        (markdown.extract, "extract/readme.md"),
        (markdown.extract, "fix/markdown/input.md"),
    ],
    ids=["epub", "notebook", "readme.md", "fix.md"],
)
def test_formats_reading_html_agree(reader, path: str, include_code: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    file = FIXTURES / path
    data = file.read_bytes() if reader is epub.extract else file.read_text(encoding="utf-8")
    options = ExtractOptions(include_code=include_code)
    fast = _links_of(reader, data, options, reference=False, monkeypatch=monkeypatch)
    assert fast == _links_of(reader, data, options, reference=True, monkeypatch=monkeypatch)
    assert fast


@pytest.mark.parametrize(
    "text",
    [
        "<a/href=x>y</a>",  # a slash between attributes
        '<a href=x class="y"z>w</a>',  # no blank after a quoted value
        "<a\xa0href=x>y</a>",  # a blank that is not an ASCII one
        "<!-- never closed <a href=x>y</a>",
        "if x<y then <a href=z>w</a>",
        "</a foo><a href=x>y</a>",
        "<a href==x>y</a>",
        "<![foo[ <a href=x>y</a> ]]>",
        "<script></ſcript><a href=x>y</a></script>",  # a case-insensitive match only by Unicode rules
        # where html.parser before and since CPython gh-135661 read differently:
        "<![CDATA[<a href=c>]]><a href=x>y</a>",  # a `>` inside: CDATA, or a bogus comment to it
        "<![cdata[ x ]]><a href=x>y</a>",
        "<!-- a --!> <a href=x>y</a> -->",  # `--!>` closes a comment since
        "<!-- a -- > <a href=x>y</a> -->",  # `-- >` closed it before
        "<!--><a href=x>y</a>",  # an abrupt `<!-->`, closed since
        "<script>x</script/><a href=x>y</a></script>",
        "<script>x</ script><a href=x>y</a></script>",
        "<title><a href=x>y</a></title>",  # RCDATA since: a tag inside is text
        "<textarea>never closed <a href=x>y</a>",
        "<a href=x><iframe>a &amp; b</iframe></a>",  # raw text since: `&amp;` stays
        "<a href=x><script>never closed</a>",  # its content is the anchor's text since
        "<plaintext><a href=x>y</a>",
    ],
)
def test_unusual_markup_falls_back_to_the_reference(text: str) -> None:
    assert scan_links(text) is None
    assert find_links(text) == reference_links(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('<p>a<a HREF="x">b &amp; <b>c</b></a>d</p>', [("x", "b & c")]),
        ("<a href=x>one<a href=y>two</a>", [("x", "one"), ("y", "two")]),
        ('<a href=x><img src="i.png" alt="logo"></a>', [("x", "logo"), ("i.png", "logo")]),
        ("<a href=x>a<!-- <a href=c> -->b</a>", [("x", "ab")]),
        ("<a href=x><script>if (a<b) go('<a href=s>')</script>t</a>", [("x", "if (a<b) go('<a href=s>')t")]),
        ("<style>a{}</style><a href=x/>text", [("x/", "text")]),
        ("<a href=x>caf&eacute;", [("x", "caf&eacute;")]),  # the tail after the last `>` stays raw
        ("<![CDATA[ a < b ]]><![if IE]><!DOCTYPE html><?xml x?><!x><a href=x>y</a ><![endif]>", [("x", "y")]),
        ("<title>A &amp; B</title><textarea>t</textarea><iframe src=f></iframe><a href=x>y</a>", [("f", None), ("x", "y")]),
        ("<script>never closed <a href=x>y</a>", []),
    ],
)
def test_scanner_reads_as_the_reference(text: str, expected: list[tuple[str, str | None]]) -> None:
    found = assert_same(text)
    assert found is not None
    assert [(link.target, link.text) for link in found] == expected


# -- generated HTML -----------------------------------------------------------------

_URLS = ["https://x.example/a?b=1&amp;c=2", " rel/ü.html ", "#top", "", "a.png 1x, b.png 2x", "0; url='https://r.example/'"]
_ATTRIBUTE_NAMES = ["href", "HREF", "src", "srcset", "alt", "rel", "http-equiv", "content", "cite", "poster", "class", "data-x"]
_TAG_NAMES = ["a", "A", "img", "link", "base", "meta", "area", "iframe", "source", "video", "track", "q", "del"]
_TAG_NAMES += ["blockquote", "p", "div", "br", "b", "script", "SCRIPT", "style", "textarea", "title", "x-y"]
#: Read as markup by html.parser before CPython gh-135661 and as text since (and script or
#: style left open, whose rest is text since): in plain documents they come only in the
#: forms every version reads alike (closed, no `<` inside), from `_MARKUP`.
_MAYBE_TEXT = ["textarea", "title", "iframe", "script", "SCRIPT", "style"]


@st.composite
def attributes(draw: st.DrawFn, plain: bool) -> str:
    name = draw(st.sampled_from(_ATTRIBUTE_NAMES))
    value = draw(st.sampled_from(_URLS + ["refresh", "Refresh", "preconnect", "dns-prefetch x", "Station &amp; logo"]))
    quote = draw(st.sampled_from(['"', "'", ""] if plain else ['"', "'", "", '"', "==", "= ", " = '"]))
    if quote in ("", "==", "= ") and (not value or re.search(r"[\s'\"=>]", value)):
        value = value.strip().replace(" ", "") or "v"
    if quote == "" and value[0] in "'\"=":
        value = "v" + value
    form = draw(st.sampled_from(["value", "value", "bare"]))
    if form == "bare":
        return name
    if quote in ('"', "'"):
        return f"{name}={quote}{value.replace(quote, '')}{quote}"
    if quote == " = '":
        return f"{name} = '{value}"  # perhaps never closed
    return f"{name}{'=' if quote == '' else quote}{value}"


@st.composite
def start_tags(draw: st.DrawFn, plain: bool) -> str:
    name = draw(st.sampled_from([name for name in _TAG_NAMES if name not in _MAYBE_TEXT] if plain else _TAG_NAMES))
    blanks = [" ", "  ", "\n", "\r\n", "\t"] + ([] if plain else ["", "/", "\xa0", "\x0b"])
    parts = [draw(st.sampled_from(blanks)) + draw(attributes(plain)) for _ in range(draw(st.integers(0, 3)))]
    close = draw(st.sampled_from([">", "/>", " >", " />"] + ([] if plain else ["", "/ >"])))
    return f"<{name}{''.join(parts)}{close}"


_TEXT = ["words ", "café &amp; ", "&lt;", "&am", "&#x26;", "&#38", "ü日本🌊", "\n", "\r\n", "\r", "\t", " a < b ", "1 > 0", "&"]
_MARKUP = [
    "</a>", "</A >", "</p>", "</script>", "</style >", "</SCRIPT>", "</b\n>",
    "<!-- note -->", "<!---->", "<!-- <a href=c>x</a> -->", "<!DOCTYPE html>", "<!doctype html>", "<!x y>",
    "<![CDATA[ a < b ]]>", "<![if IE]>", "<![endif]>", "<?xml version='1.0'?>",
    "<script>document.write('<a href=fake>x</a>'); if (a<b) {}</script>",
    "<style>a[href='x'] { }</style>", "<textarea>t &amp; u</textarea>", "<title>T</title >", "<iframe src=f></iframe>",
    '<base href="https://base.example/">', '<meta http-equiv="refresh" content="0; url=https://r.example/">',
    '<img srcset="s.png 1x, t.png 2x" src="u.png" alt="  the  alt ">', '<link rel="preconnect" href="https://h.example">',
]  # fmt: skip
_VERSIONED = ["<![CDATA[ <a href=cdata>x</a> ]]>", "<textarea><a href=t>x</a></textarea>", "<!-- a --!>", "<!-->"]
_JUNK = _VERSIONED + ["<", ">", "</", "<!--", "<![", "<?", "-->", "]]>", "]>", '"', "'", "=", "/", "<a", "<a href=", "</a foo>", "</>", "<!-"]


def documents(plain: bool) -> st.SearchStrategy[str]:
    piece = st.one_of(st.sampled_from(_TEXT), st.sampled_from(_MARKUP), start_tags(plain))
    if not plain:
        piece = st.one_of(piece, st.sampled_from(_JUNK))
    return st.lists(piece, max_size=25).map("".join)


@settings(max_examples=1500, deadline=None)
@given(documents(plain=False))
def test_property_messy_html_agrees_or_falls_back(text: str) -> None:
    event("fast" if assert_same(text) is not None else "fell back")


@settings(max_examples=500, deadline=None)
@given(documents(plain=True))
def test_property_plain_html_needs_no_fallback(text: str) -> None:
    assert assert_same(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        '<a href="x">' * 100_000,
        "<a href=x>" + "<b>" * 200_000,
        '<p title="' + "x" * 1_000_000 + ">",
        "<script>" + "</scrip" * 100_000 + "</script>",
        "<!--" + "-- " * 200_000 + "-->",
        "<![CDATA[" + "]" * 500_000 + ">",
        "<a title='" + "<" * 500_000 + ">",
        "<div class=x>" * 100_000,
        "<a href=x>" + "text " * 200_000 + ">",
    ],
)
def test_scanner_is_linear_on_pathological_input(text: str) -> None:
    started = time.perf_counter()
    scan_links(text)
    assert time.perf_counter() - started < LINEAR_TIME_BOUND


@pytest.mark.skipif(not BENCH_CORPUS.is_dir(), reason="benchmark corpus not generated (python bench/run.py)")
def test_benchmark_corpus_agrees() -> None:
    paths = sorted(BENCH_CORPUS.rglob("*.html"))
    assert paths
    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert scan_links(text) == reference_links(text), path
