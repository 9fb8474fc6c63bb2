"""BibTeX: a URL is rewritten in place; a dead entry gets `urldate` and an archive note.

A dead `url` (or a URL in `howpublished` or `note`) gets, in its entry:

- `urldate = {YYYY-MM-DD}` (the archived copy's capture date) when the entry has none;
- the archived copy in `note`: `; Archived at \\url{A}` appended inside an existing note,
  or a new `note = {Archived at \\url{A}}`.

Why `note`: neither BibTeX nor biblatex has a standard archive field (`archiveurl` and
friends are printed by no common style), while every style (plain, unsrt, alpha, apalike,
IEEEtran, biblatex's standard styles) prints `note`, and `\\url` is what a bibliography
that cites URLs loads already (url or hyperref). A note that says "Archived at" means
the entry is annotated already: nothing is added to it (not even `urldate`). New fields
go after the entry's last field, laid out like it (same indentation, same `=` column,
same line endings, UPPERCASE names when the entry's are). A URL written with
`\\%`-style escapes is written back with them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from linkcheck.fix.rules import Archived, Edit, Skip, Spot, aligned_equals, match_written, percent_encode

_ESCAPABLE = "%#&_$~"
_ENTRY = re.compile(r"@[ \t]*([A-Za-z]+)[ \t]*([{(])")
_NAME = re.compile(r"[^\s=,{}()\"#%]+")
_BARE_VALUE = re.compile(r"[^\s,#{}()\"]+")
_NOT_ENTRIES = frozenset({"comment", "string", "preamble"})
_ANNOTATED_FIELDS = frozenset({"url", "howpublished", "note"})
_ARCHIVED_AT = "Archived at"


@dataclass(slots=True)
class _Field:
    name: str
    name_start: int
    name_end: int
    value_start: int
    value_end: int


def written_end(text: str, start: int, target: str) -> int | None:
    return match_written(text, start, target, backslash=_ESCAPABLE, blanks=True)


def spell(url: str, text: str, spot: Spot) -> str:
    written = percent_encode(url, "{}\\")
    escaped = [char for char in _ESCAPABLE if "\\" + char in spot.written(text)]
    return "".join("\\" + char if char in escaped else char for char in written)


def annotate(text: str, spot: Spot, archived: Archived) -> list[Edit]:
    entry = _entry_fields(text, spot.start)
    holding = next((field for field in entry if field.value_start <= spot.start < field.value_end), None)
    if holding is None or holding.name not in _ANNOTATED_FIELDS:
        raise Skip("not in an entry's url, howpublished or note field")
    fields = {field.name: field for field in entry}
    upper = all(text[field.name_start : field.name_end].isupper() for field in entry)
    additions: list[tuple[str, str]] = []
    edits: list[Edit] = []
    if archived.date and "urldate" not in fields:
        additions.append(("URLDATE" if upper else "urldate", "{" + archived.date + "}"))
    archive = f"{_ARCHIVED_AT} \\url{{{percent_encode(archived.url, '{}')}}}"
    note = fields.get("note")
    if note is None:
        additions.append(("NOTE" if upper else "note", "{" + archive + "}"))
    else:
        value = text[note.value_start : note.value_end]
        if _ARCHIVED_AT in value:
            return []  # annotated already (with this copy or another)
        if value[:1] not in ("{", '"') or value[-1:] != {"{": "}", '"': '"'}[value[0]]:
            raise Skip("its note is not one {…} or \"…\" value: not annotated")
        inner = value[1:-1].rstrip()
        close = note.value_start + 1 + len(inner)
        edits.append(Edit(close, close, ("; " if inner.strip() else "") + archive))
    if additions:
        last = entry[-1]
        previous_end = entry[-2].value_end if len(entry) > 1 else _key_comma(text, entry)
        separator = text[previous_end : last.name_start]
        if "," not in separator:
            separator = ", "
        last_name, equals = text[last.name_start : last.name_end], text[last.name_end : last.value_start]
        added = "".join(f"{separator}{name}{aligned_equals(last_name, equals, name)}{value}" for name, value in additions)
        edits.append(Edit(last.value_end, last.value_end, added))
    return edits


def _entry_fields(text: str, offset: int) -> list[_Field]:
    """The fields of the entry whose body holds `offset` (names lowercased)."""
    entry = None
    for match in _ENTRY.finditer(text, 0, offset):
        entry = match
    if entry is None or entry.group(1).lower() in _NOT_ENTRIES:
        raise Skip("not inside a BibTeX entry")
    closer = "}" if entry.group(2) == "{" else ")"
    comma = text.find(",", entry.end())
    if comma < 0 or comma > offset:
        raise Skip("not inside a BibTeX entry's fields")
    fields: list[_Field] = []
    position = comma + 1
    while True:
        position = _skip_blanks(text, position)
        if position >= len(text):
            raise Skip("the entry is not closed")
        if text[position] == closer:
            break
        name = _NAME.match(text, position)
        if name is None:
            raise Skip("the entry could not be read")
        equals = _skip_blanks(text, name.end())
        if text[equals : equals + 1] != "=":
            raise Skip(f"the entry could not be read (field {name.group()!r})")
        value_start = _skip_blanks(text, equals + 1)
        value_end = _value_end(text, value_start)
        fields.append(_Field(name.group().lower(), name.start(), name.end(), value_start, value_end))
        position = _skip_blanks(text, value_end)
        if text[position : position + 1] == ",":
            position += 1
        elif text[position : position + 1] != closer:
            raise Skip("the entry could not be read")
    if not fields or not fields[0].name_start <= offset < position:
        raise Skip("not inside a BibTeX entry's fields")
    return fields


def _value_end(text: str, position: int) -> int:
    """The end of a field value: `{…}`, `"…"` or a bare word, joined by `#`."""
    while True:
        char = text[position : position + 1]
        if char in ("{", '"'):
            position = _group_end(text, position)
        else:
            bare = _BARE_VALUE.match(text, position)
            if bare is None:
                raise Skip("the entry could not be read")
            position = bare.end()
        after = _skip_blanks(text, position)
        if text[after : after + 1] != "#":
            return position
        position = _skip_blanks(text, after + 1)


def _group_end(text: str, position: int) -> int:
    opener = text[position]
    depth, position = 0, position + 1
    while position < len(text):
        char = text[position]
        if char == "\\":
            position += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            if depth == 0 and opener == "{":
                return position + 1
            depth -= 1
        elif char == '"' and depth == 0 and opener == '"':
            return position + 1
        position += 1
    raise Skip("a field value is not closed")


def _key_comma(text: str, fields: list[_Field]) -> int:
    return text.rfind(",", 0, fields[0].name_start)


def _skip_blanks(text: str, position: int) -> int:
    while position < len(text) and text[position].isspace():
        position += 1
    return position
