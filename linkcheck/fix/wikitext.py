"""Wikitext: a URL is rewritten in place; a dead `{{cite …}}` gets archive parameters.

`{{cite web |url=U |title=T}}` becomes
`{{cite web |url=U |title=T |archive-url=A |archive-date=YYYY-MM-DD |url-status=dead}}`:
the new parameters go after the template's last one, spaced the way that one is (one
template per line or one parameter per line alike). A parameter that is there already
(`archive-url` or `archiveurl`, `archive-date` or `archivedate`) is not added again; when
the template already names an archive, only `url-status` is set to `dead` (its value
replaced if it says otherwise; left alone if the older `dead-url`/`deadurl` is used).
A domain that changed hands (`parked`) gets `url-status=usurped` instead, Wikipedia's
value for a URL now serving someone else's content.
Only a template's `url=` is annotated; external links `[url text]` and bare URLs are
only rewritten for redirects.

Templates are found with one stack over `{{`, `}}`, `[[`, `]]` and `|`, comments and
`<nowiki>` blanked first, the way the extractor reads them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from linkcheck.fix.rules import Archived, Edit, Skip, Spot, aligned_equals, match_written, percent_encode, reads_back_bare

_HIDDEN = re.compile(r"<!--.*?(?:-->|\Z)|<nowiki\s*>.*?</nowiki\s*>", re.DOTALL | re.IGNORECASE)
_STRUCTURE = re.compile(r"\{\{|\}\}|\[\[|\]\]|\|")
_NOT_NEWLINE = re.compile(r"[^\r\n]")
_ARCHIVE_URL = ("archive-url", "archiveurl")
_ARCHIVE_DATE = ("archive-date", "archivedate")
_LEGACY_STATUS = ("dead-url", "deadurl")


@dataclass(slots=True)
class _Param:
    name: str
    pipe: int
    name_start: int
    name_end: int
    value_start: int
    value_end: int  # trailing blanks excluded


def written_end(text: str, start: int, target: str) -> int | None:
    return match_written(text, start, target)


def spell(url: str, text: str, spot: Spot) -> str:
    written = _escaped(url)
    before = text[: spot.start].rstrip(" \t")[-1:]
    if before not in ("[", "=") and not reads_back_bare(written):
        raise Skip(f"{written} would not read back as one bare URL")
    return written


def _escaped(url: str) -> str:
    """What wikitext would read as markup, percent-encoded."""
    return percent_encode(url, "|[]{}<>\"'")


def annotate(text: str, spot: Spot, archived: Archived) -> list[Edit]:
    params = _citation_params(text, spot.start)
    if params is None:
        raise Skip("not in a {{cite …}} template: only citation templates get archive parameters")
    holding = next((param for param in params if param.value_start <= spot.start <= param.value_end), None)
    if holding is None or holding.name != "url":
        raise Skip("only a citation's url= gets archive parameters")
    named = {param.name: param for param in params}
    additions: list[tuple[str, str]] = []
    edits: list[Edit] = []
    if not any(name in named for name in _ARCHIVE_URL):
        additions.append(("archive-url", _escaped(archived.url)))
        if archived.date and not any(name in named for name in _ARCHIVE_DATE):
            additions.append(("archive-date", archived.date))
    word = "usurped" if archived.usurped else "dead"
    status = named.get("url-status")
    if status is not None:
        if text[status.value_start : status.value_end].strip().lower() != word:
            edits.append(Edit(status.value_start, status.value_end, word))
    elif not any(name in named for name in _LEGACY_STATUS):
        additions.append(("url-status", word))
    if additions:
        last = params[-1]
        lead = text[_blank_start(text, last.pipe) : last.pipe]
        pad = text[last.pipe + 1 : last.name_start]
        last_name, equals = text[last.name_start : last.name_end], text[last.name_end : last.value_start]
        inserted = "".join(f"{lead}|{pad}{name}{aligned_equals(last_name, equals, name)}{value}" for name, value in additions)
        edits.append(Edit(last.value_end, last.value_end, inserted))
    return edits


def _citation_params(text: str, offset: int) -> list[_Param] | None:
    """The named parameters of the innermost citation template holding `offset`, or None."""
    masked = _HIDDEN.sub(lambda match: _NOT_NEWLINE.sub(" ", match.group()), text)
    stack: list[tuple[str, int, list[int]]] = []
    for match in _STRUCTURE.finditer(masked):
        token = match.group()
        if token in ("{{", "[["):
            stack.append((token, match.start(), []))
        elif token == "|":
            if stack and stack[-1][0] == "{{":
                stack[-1][2].append(match.start())
        elif stack and stack[-1][0] == ("{{" if token == "}}" else "[["):
            kind, start, pipes = stack.pop()
            if kind == "{{" and start < offset < match.start() and _is_citation(masked, start, pipes, match.start()):
                return _params(masked, pipes, match.start())
    return None


def _is_citation(masked: str, start: int, pipes: list[int], close: int) -> bool:
    name = " ".join(masked[start + 2 : pipes[0] if pipes else close].replace("_", " ").split()).lower()
    return name == "citation" or name.startswith("cite ")


def _params(masked: str, pipes: list[int], close: int) -> list[_Param]:
    params = []
    for pipe, end in zip(pipes, [*pipes[1:], close]):
        equals = masked.find("=", pipe + 1, end)
        if equals < 0:
            continue  # positional
        segment = masked[pipe + 1 : equals]
        name_start = pipe + 1 + len(segment) - len(segment.lstrip())
        name_end = pipe + 1 + len(segment.rstrip())
        value = masked[equals + 1 : end]
        if value.strip():
            value_start, value_end = equals + 1 + len(value) - len(value.lstrip()), equals + 1 + len(value.rstrip())
        else:
            value_start = value_end = equals + 1
        name = "-".join(masked[name_start:name_end].replace("_", "-").split()).lower()
        params.append(_Param(name, pipe, name_start, name_end, value_start, value_end))
    return params


def _blank_start(text: str, position: int) -> int:
    while position > 0 and text[position - 1] in " \t\r\n":
        position -= 1
    return position
