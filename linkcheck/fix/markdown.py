"""Markdown: a URL is replaced where it is written; a dead citation gets an "archived" link.

`[text](url)` becomes `[text](url) ([archived](archive_url))`, and so does an autolink
`<url>` and a bare URL. A reference definition `[label]: url` has no room for a link, so
each use of the label, `[text][label]`, is annotated instead. Images and raw HTML are
not annotated. An annotation right after the link (`([archived](…))`, whatever archive
it names) means the citation is annotated already: nothing is added twice.

The link's extent comes from the same CommonMark parser the extractor uses (pulldown-cmark
through pyromark), so nested brackets, titles and escapes are read as a renderer reads them.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from typing import Any

from linkcheck.extract.markdown import _PARSER
from linkcheck.fix.rules import Archived, Edit, Skip, Spot, match_written, percent_encode, reads_back_bare

_ALREADY = re.compile(r"[ \t]*\(\[archived\]\(")
_REFERENCES = frozenset({"Reference", "Collapsed", "Shortcut"})
_DEFINITION_START = re.compile(r"[ \t]{0,3}(?:>[ \t]?)*\[")


def written_end(text: str, start: int, target: str) -> int | None:
    return match_written(text, start, target, backslash=string.punctuation, entities=True)


def spell(url: str, text: str, spot: Spot) -> str:
    if _in_angles(text, spot):
        if any(char in url for char in "<>\r\n"):
            raise Skip("the new URL cannot be written inside <…>")
        return url
    written = _destination(url)
    if _bare(text, spot) and not reads_back_bare(written):
        raise Skip(f"{written} would not read back as one bare URL")
    return written


def annotate(text: str, spot: Spot, archived: Archived) -> list[Edit]:
    source = text.encode()
    at = len(text[: spot.start].encode())
    link, definition, html = _context(text, at)
    if html:
        raise Skip("a link in raw HTML inside Markdown: not annotated")
    if link is not None:
        name, _, end = link
        if name == "Image":
            raise Skip("an image, not a citation: not annotated")
        ends = [end]
    elif definition is not None:
        ends = _uses(text, definition)
        if not ends:
            raise Skip("a reference definition that no link uses: nothing to annotate")
    else:
        ends = [len(text[: spot.end].encode())]
    note = f" ([archived]({_destination(archived.url)}))"
    edits = []
    for end in ends:
        char = len(source[:end].decode("utf-8", "replace"))
        if not _ALREADY.match(text, char):
            edits.append(Edit(char, char, note))
    return edits


def _context(text: str, at: int) -> tuple[tuple[str, dict[str, Any], int] | None, str | None, bool]:
    """(innermost link or image holding byte `at`: name, data, end byte), the label of the
    reference definition holding it, and whether it is inside raw HTML."""
    link = None
    events: Iterator[tuple[Any, Any]] = _PARSER.events_with_range(text)
    for event, span in events:
        if type(event) is str or not span["start"] <= at < span["end"]:
            continue
        ((kind, value),) = event.items()
        if kind == "Start" and type(value) is dict:
            name = next(iter(value))
            if name in ("Link", "Image"):
                link = (name, value[name], span["end"])
        elif kind in ("Html", "InlineHtml"):
            return None, None, True
    if link is not None:
        return link, None, False
    for label, item in _PARSER.reference_definitions(text).items():
        if item["span"]["start"] <= at < item["span"]["end"]:
            return None, _key(label), False
    return None, None, False


def _uses(text: str, label: str) -> list[int]:
    """End bytes of every `[text][label]` (and collapsed, shortcut) link using `label`."""
    ends = []
    events: Iterator[tuple[Any, Any]] = _PARSER.events_with_range(text)
    for event, span in events:
        if type(event) is dict and "Start" in event and type(event["Start"]) is dict:
            data = event["Start"].get("Link")
            if data is not None and data["link_type"] in _REFERENCES and _key(data["id"]) == label:
                ends.append(span["end"])
    return ends


def _key(label: str) -> str:
    return " ".join(label.split()).casefold()


def _in_angles(text: str, spot: Spot) -> bool:
    return text[spot.start - 1 : spot.start] == "<" and text[spot.end : spot.end + 1] == ">"


def _bare(text: str, spot: Spot) -> bool:
    """Neither a link destination, an autolink, nor a reference definition's URL."""
    before = text[max(0, spot.start - 2) : spot.start]
    if before.endswith(("(", "<")):
        return False
    line = text[max(text.rfind("\n", 0, spot.start), text.rfind("\r", 0, spot.start)) + 1 : spot.start]
    return not (_DEFINITION_START.match(line) and "]:" in line)


def _destination(url: str) -> str:
    """`url` as a link destination: no blanks, and parentheses only when they balance."""
    return percent_encode(url, "" if _balanced(url) else "()")


def _balanced(url: str) -> bool:
    depth = 0
    for char in url:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0
