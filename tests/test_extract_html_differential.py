"""The fast HTML scanner against the reference parser, on the Python running the tests.

No run-time check guards the scanner (no fingerprint of `html.parser`): these tests are
the proof that it equals `HTMLParser` (through `reference_links`) wherever it answers.
They run in CI on CI's Python; run them on any other Python to prove it there. Inputs:
every file under tests/fixtures read as HTML whatever its kind, tag soup drawn from the
characters and fragments HTML tokenizers care about, and the constructs that
`html.parser` reads differently before and after CPython gh-135661 (the 2025 security
releases), where the scanner must give up rather than pick one reading.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from linkcheck.extract import ExtractOptions
from linkcheck.extract.html import extract, find_links, reference_links, scan_links
from linkcheck.extract.plaintext import LineIndex
from linkcheck.models import RawLink

FIXTURES = Path(__file__).parent / "fixtures"


def reference_extract(text: str) -> list[RawLink]:
    index = LineIndex(text)
    return [RawLink(f.target, *index.position(f.offset), f.text, f.base) for f in reference_links(text)]


def check(text: str) -> bool:
    """The scanner gives the reference's links or gives up; `extract` gives the reference's
    links, lines and columns either way. True where the scanner answered."""
    fast = scan_links(text)
    if fast is not None:
        assert fast == reference_links(text), text
    assert find_links(text) == reference_links(text), text
    assert list(extract(text, ExtractOptions())) == reference_extract(text), text
    return fast is not None


def every_fixture() -> list[Path]:
    return sorted(path for path in FIXTURES.rglob("*") if path.is_file())


@pytest.mark.parametrize("path", every_fixture(), ids=lambda path: str(path.relative_to(FIXTURES)))
def test_every_fixture_read_as_html_agrees(path: Path) -> None:
    text = path.read_bytes().decode("utf-8", errors="replace")
    for variant in (text, text.replace("\n", "\r\n")):
        check(variant)


def test_the_fixture_html_pages_take_the_fast_path() -> None:
    pages = [path for path in every_fixture() if path.suffix in (".html", ".htm", ".xhtml")]
    assert pages
    for path in pages:
        assert scan_links(path.read_text(encoding="utf-8")) is not None, path


# -- tag soup -------------------------------------------------------------------------

#: Single characters every tokenizer state turns on, and some it must not confuse.
_SOUP_CHARACTERS = "<>/!?-=\"' \t\n\r\f\x0b\xa0&;#[]aAbhrefsc:x1ſK"
_FRAGMENTS = [
    "<a", "<A", "</a", "</a>", "<a href=", "<a href=x>", "<a href='q r'>", '<a href="u">', "href", "src", "=",
    "<img", " src=i.png", " srcset='s 1x, t 2x'", " alt=logo", "<base href=b/>", "<meta http-equiv=refresh content='0;url=m'>",
    "<!--", "-->", "--!>", "-- >", "<!-->", "<!--->", "<!", "<!x>", "<!DOCTYPE html>", "<?", "?>",
    "<![CDATA[", "]]>", "] ]>", "<![if IE]>", "<![endif]>", "<![cdata[",
    "<script>", "</script>", "</script/>", "</ script>", "</SCRIPT >", "<style>", "</style>",
    "<title>", "</title>", "<textarea>", "</textarea>", "<iframe src=f>", "</iframe>", "<xmp>", "</xmp>",
    "<noembed>", "</noembed>", "<noframes>", "</noframes>", "<noscript>", "</noscript>", "<plaintext>",
    "&amp;", "&lt;", "&#60;", "&#x3c;", "&am", "&", "café", "日本", "\r\n", "/>", " />", "<br/>", "<p>", "</p >",
]  # fmt: skip


def soup() -> st.SearchStrategy[str]:
    piece = st.one_of(st.sampled_from(_FRAGMENTS), st.text(alphabet=_SOUP_CHARACTERS, min_size=1, max_size=4))
    return st.lists(piece, max_size=40).map("".join)


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(soup())
def test_property_tag_soup_agrees_or_falls_back(text: str) -> None:
    event("fast" if check(text) else "fell back")


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=60))
def test_property_any_text_agrees_or_falls_back(text: str) -> None:
    check(text)


# -- where html.parser versions differ -------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "<![CDATA[<a href=c>]]><a href=x>y</a>",
        "<![cdata[ x ]]><a href=x>y</a>",
        "<![temp[ x ]]><a href=x>y</a>",
        "<!-- a --!> <a href=x>y</a> -->",
        "<!-- a -- > <a href=x>y</a> -->",
        "<!--><a href=x>y</a>",
        "<!---><a href=x>y</a>",
        "<script>x</script/><a href=x>y</a></script>",
        "<script>x</ script><a href=x>y</a></script>",
        "<script>x</script\x0b><a href=x>y</a></script>",
        "<style>x</ſtyle><a href=x>y</a></style>",
        "<title><a href=x>y</a></title>",
        "<textarea><a href=x>y</a></textarea>",
        "<iframe><a href=x>y</a></iframe>",
        "<xmp><a href=x>y</a></xmp>",
        "<noembed><a href=x>y</a></noembed>",
        "<noframes><a href=x>y</a></noframes>",
        "<title>never closed <a href=x>y</a>",
        "<a href=x><iframe>a &amp; b</iframe></a>",
        "<a href=x><xmp>&lt;</xmp></a>",
        "<a href=x><script>never closed</a>",
        "<plaintext><a href=x>y</a>",
        "<a href==x>y</a>",
        "<a\x0bhref=x>y</a>",
        "</ a><a href=x>y</a>",
    ],
)
def test_where_parsers_differ_the_scanner_gives_up(text: str) -> None:
    assert scan_links(text) is None
    check(text)


@pytest.mark.parametrize(
    "text",
    [
        "<title>A &amp; B</title><a href=x>y</a>",
        "<a href=x>a<textarea>t &amp; u</textarea>b</a>",
        "<textarea>t</textarea ><a href=x>y</a>",
        '<iframe src="https://v.example/e"></iframe><a href=x>y</a>',
        "<![CDATA[ a < b ]]><a href=x>y</a>",
        "<![if !IE]><a href=x>y</a><![endif]>",
        "<!-- a -- b --><a href=x>y</a>",
        "<!----><a href=x>y</a>",
        "<script>if (a</b) x()</script ><a href=x>y</a>",
        "<noscript><img src=pixel.gif></noscript><a href=x>y</a>",
    ],
)
def test_where_parsers_agree_the_scanner_answers(text: str) -> None:
    assert check(text)
