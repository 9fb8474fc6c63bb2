"""What every format's rewrite rule shares: an edit, a cited spot, the archived copy, a skip.

A rule is a module of this package with three functions (the registry is `RULES` in
`linkcheck.fix.plan`):

- `written_end(text, start, target) -> int | None`: where the URL the extractor read as
  `target` ends in the source, starting at `start` (escapes and entities undone on the
  way), or None when the text there is not that URL;
- `spell(url, text, spot) -> str`: `url` as the format must write it in place of `spot`;
- `annotate(text, spot, archived) -> list[Edit]`: the edits that point readers of `spot`
  to its archived copy; `[]` when the document already does.

Rules raise `Skip(reason)` for a citation they cannot rewrite; the reason is shown to the user.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from linkcheck.extract.plaintext import find_urls

_ENTITY = re.compile(r"&(?:#[0-9]{1,8};?|#[xX][0-9a-fA-F]{1,8};?|[A-Za-z][A-Za-z0-9]{1,31};?)")


class Skip(Exception):
    """This citation is not rewritten; the message says why, in a few words."""


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace `text[start:end]` by `new` (an insertion when start == end)."""

    start: int
    end: int
    new: str


@dataclass(frozen=True, slots=True)
class Archived:
    """The archived copy a citation gets: its URL and capture date (YYYY-MM-DD), if known."""

    url: str
    date: str | None
    #: The domain changed hands (`parked`): wikitext says `url-status=usurped`, which
    #: also stops readers being sent to the original URL.
    usurped: bool = False


@dataclass(slots=True)
class Spot:
    """One citation as it stands in the current text: `text[start:end]` is the URL as written."""

    start: int
    end: int
    #: The URL as the extractor read it (escapes resolved).
    target: str
    #: Set when an earlier edit touched this spot: it is then skipped.
    spoiled: bool = False

    def written(self, text: str) -> str:
        return text[self.start : self.end]


def match_written(
    text: str,
    start: int,
    target: str,
    *,
    backslash: str = "",
    entities: bool = False,
    blanks: bool = False,
) -> int | None:
    """The end of `target` as written at `start`, or None if it is not there.

    `backslash`: characters the format lets a backslash escape (`\\_` reads `_`);
    `entities`: HTML character references count as the character they stand for;
    `blanks`: whitespace inside the written URL is ignored (line-wrapped values).
    """
    position, matched, limit = start, 0, len(text)
    while matched < len(target):
        if position >= limit:
            return None
        char = text[position]
        width, produced = 1, char
        if char == "\\" and position + 1 < limit and text[position + 1] in backslash:
            width, produced = 2, text[position + 1]
        elif char == "&" and entities:
            entity = _ENTITY.match(text, position)
            if entity is not None and html.unescape(entity.group()) != entity.group():
                width, produced = entity.end() - position, html.unescape(entity.group())
        elif blanks and char.isspace() and not target[matched].isspace():
            width, produced = 1, ""
        if not target.startswith(produced, matched):
            return None
        position += width
        matched += len(produced)
    return position


def reads_back_bare(url: str) -> bool:
    """Whether `url`, written bare in prose, is found again whole by the plain-text finder."""
    return list(find_urls(url)) == [(0, url)]


def percent_encode(url: str, characters: str) -> str:
    """`url` with each of `characters` (and any whitespace) written as %XX."""
    return "".join(f"%{ord(char):02X}" if char in characters or char.isspace() else char for char in url)


def line_start(text: str, offset: int) -> int:
    """The offset where the line holding `offset` starts (LF, CRLF and CR end lines)."""
    return max(text.rfind("\n", 0, offset), text.rfind("\r", 0, offset)) + 1


def aligned_equals(last_name: str, equals: str, new_name: str) -> str:
    """The `=` (with its blanks) for a new `name = value` line laid out like `last_name`'s.

    `equals` is what stands between the last name and its value (`"    = "`): aligned
    layouts keep their `=` column, others keep their spacing.
    """
    before = len(equals) - len(equals.lstrip(" \t"))
    if not before or "\t" in equals[:before]:
        return equals
    width = len(last_name) + before
    return " " * max(1 if before else 0, width - len(new_name)) + equals[before:]
