"""HTML: a URL attribute is rewritten in place; a dead `<a>` gets Robust Links attributes.

`<a href="url">` becomes `<a href="url" data-versionurl="archive_url"
data-versiondate="YYYY-MM-DD">` (https://robustlinks.mementoweb.org/spec/): the two
attributes are inserted right after the href value, and every other byte of the tag,
its quoting and its attribute order, stays as it was. A tag that already has
`data-versionurl` is annotated already. Only `<a>` elements are annotated; `<img>`,
`<link>` and the others are only rewritten for redirects.
"""

from __future__ import annotations

import html
import re

from linkcheck.fix.rules import Archived, Edit, Skip, Spot, match_written

_HTML_SPACE = " \t\n\r\f"
_ANCHOR_HEAD = re.compile(r"<a[\s/]", re.IGNORECASE)
_HREF_BEFORE = re.compile(r"""\shref\s*=\s*(["']?)[ \t\n\r\f]*$""", re.IGNORECASE)
_VERSION_URL = re.compile(r"""[\s"']data-versionurl\s*=""", re.IGNORECASE)
_VERSION_DATE = re.compile(r"""[\s"']data-versiondate\s*=""", re.IGNORECASE)


def written_end(text: str, start: int, target: str) -> int | None:
    end = match_written(text, start, target, entities=True)
    if end is None:
        return None
    quote = _quote_before(text, start)
    rest = text[end:]
    if quote:
        closed = rest.lstrip(_HTML_SPACE).startswith(quote)
    else:
        closed = not rest or rest[0] in _HTML_SPACE + ">" or rest.startswith("/>")
    return end if closed else None


def spell(url: str, text: str, spot: Spot) -> str:
    written = html.escape(url, quote=True)
    if not _quote_before(text, spot.start) and any(char in written for char in _HTML_SPACE + "=`"):
        raise Skip("the new URL cannot be written as an unquoted attribute value")
    return written


def annotate(text: str, spot: Spot, archived: Archived) -> list[Edit]:
    tag_start = text.rfind("<", 0, spot.start)
    head = text[tag_start : spot.start] if tag_start >= 0 else ""
    if not _ANCHOR_HEAD.match(head):
        raise Skip("not the href of an <a> element: Robust Links attributes go on links only")
    before = _HREF_BEFORE.search(head)
    if before is None:
        raise Skip("not the href of an <a> element: Robust Links attributes go on links only")
    quote = before.group(1)
    after = text.find(quote, spot.end) + 1 if quote else spot.end
    if after <= 0:
        raise Skip("the <a> tag is not closed")
    tag = head + text[after : _tag_end(text, after)]
    if _VERSION_URL.search(tag):
        return []
    attributes = f' data-versionurl="{html.escape(archived.url, quote=True)}"'
    if archived.date and not _VERSION_DATE.search(tag):
        attributes += f' data-versiondate="{archived.date}"'
    return [Edit(after, after, attributes)]


def _quote_before(text: str, start: int) -> str:
    """The quote opening the attribute value that holds `start` ('' when unquoted)."""
    position = start - 1
    while position >= 0 and text[position] in _HTML_SPACE:
        position -= 1
    return text[position] if position >= 0 and text[position] in "\"'" else ""


def _tag_end(text: str, position: int) -> int:
    """The offset just after the `>` closing the tag (quoted values may hold `>`)."""
    quote = ""
    while position < len(text):
        char = text[position]
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == ">":
            return position + 1
        position += 1
    return position
