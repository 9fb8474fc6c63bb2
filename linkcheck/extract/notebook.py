"""Links in Jupyter notebooks (`.ipynb`, nbformat 4): the prose cells and the HTML they show.

What counts as a citation, each with `cell` = the 1-based index of the cell among all
cells:

- everything the Markdown extractor finds in a Markdown cell (a source stored as a list
  of lines is joined first);
- links in HTML outputs (`text/html` of `display_data` and `execute_result` outputs),
  through the HTML extractor;
- bare URLs in code cells, only with `options.include_code` (code is usually an example).

Where: `line` and `column` are in the `.ipynb` file, the JSON text an editor, SARIF and
GitHub annotations count in; `cell_line` is the line inside the cell's source (for an
HTML output: inside that output's HTML). nbformat stores a source as a list of strings,
one per line, each on its own line of the file, so `line` is the line of the string the
link is in. A source given as one string (lines joined by `\n` escapes) sits on one
line of the file: every link in it has that `line`, and only `cell_line` tells them
apart. `column` is best-effort: it counts the file's characters as written (an escape
such as `\"` or `\u00e9` is as wide as it is written), so it is exact where the inner
extractor's column is, and as approximate as that column where it is not.

Not citations: `attachment:` images of a Markdown cell (they live inside the notebook),
raw cells, stream and error outputs (program output), `text/markdown`/`text/plain`
outputs, and metadata. Text that is not JSON, or JSON that is not an nbformat 4
notebook, raises `ExtractionError`.
"""

from __future__ import annotations

import json
import json.scanner
import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from typing import Any

from linkcheck.extract import ExtractionError, ExtractOptions
from linkcheck.extract import html as html_extract
from linkcheck.extract import markdown as markdown_extract
from linkcheck.extract import plaintext as plaintext_extract
from linkcheck.extract.plaintext import LineIndex
from linkcheck.models import RawLink

_HTML_OUTPUTS = frozenset({"display_data", "execute_result"})
_LINE_END = re.compile(r"\r\n?|\n")  # as the inner extractors count lines (plaintext.LineIndex)


def extract(text: str, options: ExtractOptions) -> Iterator[RawLink]:
    """Links in a notebook, cell by cell: the cell's source first, then its outputs."""
    places = _Places(text)
    for number, cell in enumerate(_cells(text), start=1):
        kind = cell.get("cell_type")
        if kind == "markdown":
            source, pieces = _source(cell, number)
            found = markdown_extract.extract(source, options)
            yield from (places.at(link, number, source, pieces) for link in found if not link.target.startswith("attachment:"))
        elif kind == "code":
            if options.include_code:
                source, pieces = _source(cell, number)
                yield from (places.at(link, number, source, pieces) for link in plaintext_extract.extract(source, options))
            for html, pieces in _html_outputs(cell, number):
                yield from (places.at(link, number, html, pieces) for link in html_extract.extract(html, options))


class _Located(str):
    """A string value of the notebook's JSON that knows where its literal starts in the text."""

    start: int  # offset of the opening quote


def _located_string(text: str, end: int, strict: bool = True) -> tuple[str, int]:
    value, stop = json.decoder.scanstring(text, end, strict)  # type: ignore[attr-defined]
    located = _Located(value)
    located.start = end - 1
    return located, stop


def _decoder() -> json.JSONDecoder:
    """json's own parser, its string values `_Located` (object keys stay plain strings)."""
    decoder = json.JSONDecoder()
    decoder.parse_string = _located_string  # type: ignore[attr-defined]
    decoder.scan_once = json.scanner.py_make_scanner(decoder)  # type: ignore[attr-defined]
    return decoder


class _Places:
    """Turns an inner extractor's line/column (in a cell's source or an output's HTML)
    into the line/column in the notebook file, keeping the inner line as `cell_line`."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._index: LineIndex | None = None  # built at the first link
        self._joined: str | None = None
        self._line_starts: list[int] = []
        self._piece_starts: list[int] = []

    def at(self, link: RawLink, cell: int, joined: str, pieces: Sequence[str]) -> RawLink:
        if link.line is None or link.column is None:
            return link._replace(cell=cell)
        spot = self._file_offset(joined, pieces, link.line, link.column)
        if spot is None:  # not a string this parser read (cannot happen for a parsed notebook)
            return link._replace(cell=cell, cell_line=link.line)
        if self._index is None:
            self._index = LineIndex(self.text)
        line, column = self._index.position(spot)
        return link._replace(line=line, column=column, cell=cell, cell_line=link.line)

    def _file_offset(self, joined: str, pieces: Sequence[str], line: int, column: int) -> int | None:
        """The offset in the file of the character at `line`:`column` of the pieces joined."""
        if not pieces:
            return None
        if joined is not self._joined:  # a new source or output: index it once for its links
            self._joined = joined
            self._line_starts = [0, *(match.end() for match in _LINE_END.finditer(joined))]
            self._piece_starts, total = [], 0
            for piece in pieces:
                self._piece_starts.append(total)
                total += len(piece)
        line_start = self._line_starts[min(line, len(self._line_starts)) - 1]
        offset = min(line_start + column - 1, max(len(joined) - 1, 0))
        index = max(bisect_right(self._piece_starts, offset) - 1, 0)
        while index > 0 and not pieces[index]:  # an empty string holds no character
            index -= 1
        piece = pieces[index]
        if not isinstance(piece, _Located):
            return None
        return _raw_offset(self.text, piece.start + 1, min(offset - self._piece_starts[index], len(piece)))


def _raw_offset(text: str, start: int, count: int) -> int:
    """Offset in `text` of decoded character `count` of the JSON string whose characters
    begin at `start` (just after its opening quote): escapes are wider than what they make."""
    position = start
    while count > 0:
        escape = text.find("\\", position, position + count)
        if escape == -1:
            return position + count
        count -= escape - position
        position = escape
        if count == 0:
            break
        if text[position + 1] != "u":
            position += 2
        elif (
            0xD800 <= int(text[position + 2 : position + 6], 16) <= 0xDBFF
            and text[position + 6 : position + 8] == "\\u"
            and 0xDC00 <= int(text[position + 8 : position + 12], 16) <= 0xDFFF
        ):
            position += 12  # a surrogate pair: one character
        else:
            position += 6
        count -= 1
    return position


def _cells(text: str) -> list[dict[str, Any]]:
    try:
        notebook = _decoder().decode(text)
    except json.JSONDecodeError as exc:
        raise ExtractionError(f"not a notebook: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise ExtractionError("not a notebook: the JSON nests too deeply") from None
    if not isinstance(notebook, dict) or ("nbformat" not in notebook and "cells" not in notebook):
        raise ExtractionError("not a notebook: the JSON has no `nbformat` and no `cells`")
    if "worksheets" in notebook:
        raise ExtractionError("nbformat 3 notebooks are not read; convert with `jupyter nbconvert --to notebook`")
    cells = notebook.get("cells")
    if not isinstance(cells, list) or not all(isinstance(cell, dict) for cell in cells):
        raise ExtractionError("not a notebook: `cells` is not a list of cells")
    return cells


def _source(cell: dict[str, Any], number: int) -> tuple[str, list[str]]:
    return _multiline(cell.get("source", ""), f"cell {number}: `source`")


def _html_outputs(cell: dict[str, Any], number: int) -> Iterator[tuple[str, list[str]]]:
    outputs = cell.get("outputs") or []
    if not isinstance(outputs, list):
        raise ExtractionError(f"cell {number}: `outputs` is not a list")
    for output in outputs:
        if isinstance(output, dict) and output.get("output_type") in _HTML_OUTPUTS:
            data = output.get("data")
            if isinstance(data, dict) and "text/html" in data:
                yield _multiline(data["text/html"], f"cell {number}: an HTML output")


def _multiline(value: Any, what: str) -> tuple[str, list[str]]:
    """nbformat's multiline string: one string, or a list of lines (each keeping its `\\n`);
    the text joined, and the strings it was joined from (to find them in the file)."""
    if isinstance(value, str):
        return value, [value]
    if isinstance(value, list) and all(isinstance(line, str) for line in value):
        return "".join(value), value
    raise ExtractionError(f"{what} is neither a string nor a list of strings")
