"""reStructuredText: a URL is rewritten in place; a dead citation gets an archived link.

- an embedded URI, `` `text <url>`_ `` (or `__`), is followed by
  `` (`archived <archive_url>`__)``: an anonymous reference, so no target name is
  defined twice however many citations are annotated;
- a bare URL is followed by ` (archived: archive_url)`.

Hyperlink targets (`.. _name: url`), directives (`.. image:: url`) and their options
(`:target: url`) have no inline place for an annotation and are only rewritten for
redirects. An annotation right after the citation, whatever archive it names, means it
is annotated already.
"""

from __future__ import annotations

import re

from linkcheck.fix.rules import Archived, Edit, Skip, Spot, line_start, match_written, percent_encode, reads_back_bare

_EXPLICIT = re.compile(r"[ \t]*(?:\.\.[ \t]|__[ \t]|:[^:\s][^:]*:[ \t])")
_EMBEDDED_END = re.compile(r"[ \t\r\n]*>`__?(?![A-Za-z0-9_])")
_ANNOTATED_EMBEDDED = re.compile(r"[ \t]*\(`archived <")
_ANNOTATED_BARE = re.compile(r"[ \t]*\(archived: ")


def written_end(text: str, start: int, target: str) -> int | None:
    return match_written(text, start, target, backslash="_", blanks=True)


def spell(url: str, text: str, spot: Spot) -> str:
    if _embedded(text, spot):
        written = percent_encode(url, "<>`")
        return written[:-1] + "\\_" if written.endswith("_") else written
    written = percent_encode(url, "`")
    if not reads_back_bare(written):
        raise Skip(f"{written} would not read back as one bare URL")
    return written


def annotate(text: str, spot: Spot, archived: Archived) -> list[Edit]:
    if _EXPLICIT.match(text, line_start(text, spot.start), spot.start) and not _embedded(text, spot):
        raise Skip("a hyperlink target or directive: no inline place for an archived link")
    if _embedded(text, spot):
        end = _EMBEDDED_END.match(text, spot.end)
        if end is None:
            raise Skip("the embedded URI is not closed by >`_")
        if _ANNOTATED_EMBEDDED.match(text, end.end()):
            return []
        written = percent_encode(archived.url, "<>`")
        return [Edit(end.end(), end.end(), f" (`archived <{written}>`__)")]
    if _ANNOTATED_BARE.match(text, spot.end):
        return []
    return [Edit(spot.end, spot.end, f" (archived: {percent_encode(archived.url, '`')})")]


def _embedded(text: str, spot: Spot) -> bool:
    position = spot.start - 1
    while position >= 0 and text[position] in " \t\r\n":
        position -= 1
    return position >= 0 and text[position] == "<"
