"""Every HTML parser in linkcheck reads hostile pages in linear time (pages come from any
server; the stdlib parser alone needs ~20 s for 60 kB of `<a `, on the event loop)."""

import time

import pytest

from linkcheck.anchors import html_anchors
from linkcheck.archive.content import body_text, html_title, requisite_urls
from linkcheck.extract.html import find_links
from linkcheck.rot.drift import main_text
from linkcheck.rot.soft404 import not_found_heading
from tests.helpers import LINEAR_TIME_BOUND

HOSTILE = ["<a " * 100_000, '<a href="x' * 100_000, "<!--x>" * 100_000, "<![ " * 100_000, "<a " * 100_000 + ">"]
READERS = {
    "links": find_links,
    "anchors": html_anchors,
    "page text": lambda text: main_text(text, "text/html"),
    "not-found heading": lambda text: not_found_heading(text, "text/html"),
    "archive text": lambda text: body_text(text.encode(), "text/html"),
    "archive title": lambda text: html_title(text.encode(), "text/html"),
    "requisites": lambda text: requisite_urls(text.encode(), "text/html", "https://example.org/"),
}


@pytest.mark.parametrize("reader", sorted(READERS))
@pytest.mark.parametrize("junk", range(len(HOSTILE)))
def test_hostile_markup_is_read_in_linear_time(reader, junk):
    started = time.perf_counter()
    READERS[reader](HOSTILE[junk])
    assert time.perf_counter() - started < LINEAR_TIME_BOUND


def test_text_after_the_last_tag_is_still_read():
    assert html_anchors('<h1 id="a">x</h1>') == {"a"}
    assert "tail words here" in main_text("<html><body><p>some words</p> tail words here", "text/html")
