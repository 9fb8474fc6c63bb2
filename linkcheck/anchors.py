"""The #anchors a document offers: HTML `id`/`name` attributes, Markdown heading slugs.

Used for remote fragments (`https://example.org/page#section`) and local links
(`other.md#install`). A cited fragment that is not among them is `fragment_missing`.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote

import pyromark

from linkcheck.safehtml import SafeHTMLParser

#: Fragments that are not element anchors: text fragments and single-page-app routes.
_NOT_ANCHORS = re.compile(r"^(?::~:|/|!)")


def is_checkable_fragment(fragment: str | None) -> bool:
    """True for `#section`; False for empty, `#:~:text=…` text fragments and `#/route` or `#!/route`."""
    return bool(fragment) and not _NOT_ANCHORS.match(fragment or "")


def fragment_present(fragment: str, anchors: set[str]) -> bool:
    """Browsers try the fragment as written and percent-decoded; so do we. `#top` always exists."""
    if fragment in anchors or fragment.lower() == "top":
        return True
    decoded = unquote(fragment)
    if ":~:" in decoded:  # `#section:~:text=…` still scrolls to section first
        decoded = decoded.split(":~:", 1)[0]
    return decoded in anchors or decoded == ""


class _AnchorCollector(SafeHTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.anchors: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and (name == "id" or (name == "name" and tag in ("a", "map", "iframe", "object"))):
                self.anchors.add(value)

    handle_startendtag = handle_starttag


def html_anchors(html: str) -> set[str]:
    """Every `id`, and `name` of anchors, in an HTML document (malformed HTML tolerated)."""
    collector = _AnchorCollector()
    collector.feed_document(html)
    return collector.anchors


def github_slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lowercase, punctuation dropped, spaces to hyphens."""
    text = heading.strip().lower()
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if char in "-_ " or category[0] in "LN" or category == "Mn":
            kept.append("-" if char == " " else char)
    return "".join(kept)


def markdown_anchors(text: str) -> set[str]:
    """GitHub-style slugs of every heading (duplicates get -1, -2 …) plus ids in raw HTML."""
    anchors: set[str] = set()
    seen: dict[str, int] = {}
    heading: list[str] | None = None
    html_chunks: list[str] = []
    for event in pyromark.events(text, options=pyromark.Options.ENABLE_TABLES | pyromark.Options.ENABLE_HEADING_ATTRIBUTES):
        if isinstance(event, dict):
            start = event.get("Start")
            if isinstance(start, dict) and "Heading" in start:
                heading = []
                explicit = start["Heading"].get("id")
                if explicit:
                    anchors.add(explicit)
                continue
            end = event.get("End")
            if isinstance(end, dict) and "Heading" in end and heading is not None:
                slug = github_slug("".join(heading))
                count = seen.get(slug, 0)
                anchors.add(slug if count == 0 else f"{slug}-{count}")
                seen[slug] = count + 1
                heading = None
                continue
            for kind in ("Text", "Code"):
                if kind in event and heading is not None:
                    heading.append(event[kind])
            for kind in ("Html", "InlineHtml"):
                if kind in event:
                    html_chunks.append(event[kind])
    if html_chunks:
        anchors |= html_anchors("".join(html_chunks))
    return anchors
