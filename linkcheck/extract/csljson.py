"""Links in CSL-JSON (Zotero, Better BibTeX, pandoc): an array of items, or one item.

What counts as a citation: an item's `URL`, as written, and its `DOI` (a bare DOI as
`doi:10.…`, for normalization to turn into https://doi.org/…; a value that already is a
URL or `doi:…` as written). Only the item's own fields count, not values nested deeper.

The standard `json` module decides whether the file is JSON at all (a file that is not
raises `ExtractionError` with the line and column of the problem) and decodes each
string, escapes included. Since it reports no positions, a small tokenizer walks the
same text to find each value: the position is the first character inside the quotes,
even when an escape sequence makes the decoded target differ from the source.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from linkcheck.extract import ExtractionError, ExtractOptions
from linkcheck.extract.plaintext import LineIndex
from linkcheck.models import RawLink

_TOKEN = re.compile(r'[ \t\r\n]*(?:("[^"\\]*(?:\\.[^"\\]*)*")|([{}\[\]:,])|([^ \t\r\n{}\[\]:,"]+))', re.DOTALL)
_FIELDS = frozenset({"URL", "DOI"})


def extract(text: str, options: ExtractOptions) -> Iterator[RawLink]:
    """Links in a CSL-JSON file, in document order (`options` change nothing here)."""
    index = LineIndex(text)
    skip = 1 if text.startswith("\ufeff") else 0
    try:
        json.loads(text[skip:])
    except json.JSONDecodeError as exc:
        line, column = index.position(exc.pos + skip)
        raise ExtractionError(f"line {line}, column {column}: not JSON ({exc.msg})") from None
    except RecursionError:
        raise ExtractionError("line 1: JSON nested too deeply to read") from None
    for offset, field, value in _item_strings(text, skip):
        target = value.strip()
        if not target:
            continue
        if field == "DOI" and "://" not in target and not target.lower().startswith("doi:"):
            target = "doi:" + target
        line, column = index.position(offset)
        yield RawLink(target, line, column)


def _item_strings(text: str, pos: int) -> Iterator[tuple[int, str, str]]:
    """(offset inside the quotes, field, decoded value) of each item's URL/DOI string.

    Runs on text `json` has accepted, so it only tracks containers and keys. An item is
    the top-level object, or an object directly inside the top-level array.
    """
    stack: list[list[str | bool | None]] = []  # [kind, expecting a key, last key]
    while True:
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            return
        pos = match.end()
        string, punctuation = match.group(1), match.group(2)
        if punctuation in ("{", "["):
            stack.append([punctuation, punctuation == "{", None])
        elif punctuation in ("}", "]"):
            stack.pop()
        elif punctuation == ":":
            stack[-1][1] = False
        elif punctuation == ",":
            stack[-1][1] = stack[-1][0] == "{"
        elif string is not None and stack and stack[-1][0] == "{":
            frame = stack[-1]
            if frame[1]:
                frame[2] = json.loads(string)
                continue
            key = str(frame[2]).upper()
            is_item = len(stack) == 1 or (len(stack) == 2 and stack[0][0] == "[")
            if is_item and key in _FIELDS:
                yield match.start(1) + 1, key, json.loads(string)
