"""Plain text: a bare URL is replaced where it is written; a dead one gets its archived copy.

Prose has no link syntax, so the archived copy follows the URL in brackets, inside any
parentheses around it: `(https://old.example/a)` becomes
`(https://old.example/a [archived: https://web.archive.org/…])`, which a reader can
open and the plain-text finder reads as two URLs, the first unchanged. An annotation
right after the URL, whatever archive it names, means it is annotated already.
"""

from __future__ import annotations

import re

from linkcheck.extract.plaintext import find_urls
from linkcheck.fix.rules import Archived, Edit, Skip, Spot, match_written, percent_encode, reads_back_bare

_ANNOTATED = re.compile(r"[ \t]*\[archived: ")
#: What ends a bare URL in prose: written as %XX so the URL reads back whole.
_UNSAFE = '<>"`'


def written_end(text: str, start: int, target: str) -> int | None:
    return match_written(text, start, target)


def spell(url: str, text: str, spot: Spot) -> str:
    written = percent_encode(url, _UNSAFE)
    if not reads_back_bare(written):
        raise Skip(f"{written} would not read back as one bare URL")
    return written


def annotate(text: str, spot: Spot, archived: Archived) -> list[Edit]:
    if _ANNOTATED.match(text, spot.end):
        return []
    written = percent_encode(archived.url, _UNSAFE)
    note = f" [archived: {written}]"
    if [url for _, url in find_urls(note)] != [written]:
        raise Skip(f"{written} would not read back as one URL inside [archived: …]")
    return [Edit(spot.end, spot.end, note)]
