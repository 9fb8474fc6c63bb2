"""Links in RIS exports (Zotero, Mendeley, EndNote), read line by line.

What counts as a citation, each yielded at the first character of the value:

- `UR`: one or more URLs; exporters put several on one line separated by `;` or
  whitespace, and some continue them on untagged lines, which are read too (a `UR`
  value with no URL-like token in it is yielded whole, so the check reports it);
- `L1`–`L4` (attached files, full text, images): each `;`-separated value, as written
  (paths and `file://` URLs included; spaces inside a path are kept);
- `DO`: a bare DOI as `doi:10.…` (normalization makes it a https://doi.org/ URL); a value
  that already is a URL or `doi:…` as written.

RIS is line-oriented (`TY  - JOUR`: a two-character tag, two spaces, a hyphen), so a
single pass over the lines gives exact positions; lines end at `\\n`, `\\r\\n` or `\\r`.
A truncated record still yields what it has. A file with text but not one tagged line
is not RIS: `ExtractionError`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from linkcheck.extract import ExtractionError, ExtractOptions
from linkcheck.extract.plaintext import LineIndex
from linkcheck.models import RawLink

_LINE = re.compile(r"[^\r\n]*")
_TAG = re.compile(r"\ufeff?([A-Z][A-Z0-9])[ \t]{1,2}-(?:[ \t]|$)")
_URL_TOKEN = re.compile(r"[^\s;]+")
_FILE_TOKEN = re.compile(r"[^;]+")
_URL_LIKE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s;]|www\.", re.IGNORECASE)
_URL_TAGS = frozenset({"UR"})
_FILE_TAGS = frozenset({"L1", "L2", "L3", "L4"})


def extract(text: str, options: ExtractOptions) -> Iterator[RawLink]:
    """Links in a RIS file, in document order (`options` change nothing for RIS)."""
    index = LineIndex(text)
    tagged, current = False, ""
    for match in _LINE.finditer(text):
        start, line = match.start(), match.group()
        if not line.strip():
            continue
        tag = _TAG.match(line)
        if tag:
            tagged, current = True, tag.group(1)
            value_start = start + tag.end()
        elif current in _URL_TAGS or current in _FILE_TAGS:
            value_start = start  # an untagged continuation of a URL field
        else:
            continue
        for offset, target in _values(current, text[value_start : start + len(line)], continued=not tag):
            line_number, column = index.position(value_start + offset)
            yield RawLink(target, line_number, column)
    if not tagged and text.strip():
        raise ExtractionError("line 1: not RIS (no `XX  - ` tagged line)")


def _values(tag: str, value: str, continued: bool) -> Iterator[tuple[int, str]]:
    """(offset in `value`, target) of each link a tag's value holds.

    In `UR` (and on untagged continuation lines) what looks like a URL (`scheme:` or
    `www.`) counts, so prose around the URLs is not taken for links.
    """
    if tag in _URL_TAGS:
        tokens = [token for token in _URL_TOKEN.finditer(value) if _URL_LIKE.match(token.group())]
        if tokens:
            for token in tokens:
                yield token.start(), token.group()
        elif value.strip() and not continued:  # no URL in it: one (invalid) target, as written
            yield len(value) - len(value.lstrip()), value.strip()
    elif tag in _FILE_TAGS:
        for token in _FILE_TOKEN.finditer(value):
            item = token.group()
            if item.strip() and (not continued or _URL_LIKE.match(item.strip())):
                yield token.start() + len(item) - len(item.lstrip()), item.strip()
    elif tag == "DO":
        doi = value.strip()
        if doi:
            if "://" not in doi and not doi.lower().startswith("doi:"):
                doi = "doi:" + doi
            yield len(value) - len(value.lstrip()), doi
