"""Links in Jupyter notebooks (`.ipynb`, nbformat 4): the prose cells and the HTML they show.

What counts as a citation, each with `cell` = the 1-based index of the cell among all
cells, and line/column inside that cell's text:

- everything the Markdown extractor finds in a Markdown cell (line/column inside the
  cell's source; a source stored as a list of lines is joined first);
- links in HTML outputs (`text/html` of `display_data` and `execute_result` outputs),
  through the HTML extractor (line/column inside that output's HTML);
- bare URLs in code cells, only with `options.include_code` (code is usually an example).

Not citations: `attachment:` images of a Markdown cell (they live inside the notebook),
raw cells, stream and error outputs (program output), `text/markdown`/`text/plain`
outputs, and metadata. Text that is not JSON, or JSON that is not an nbformat 4
notebook, raises `ExtractionError`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from linkcheck.extract import ExtractionError, ExtractOptions
from linkcheck.extract import html as html_extract
from linkcheck.extract import markdown as markdown_extract
from linkcheck.extract import plaintext as plaintext_extract
from linkcheck.models import RawLink

_HTML_OUTPUTS = frozenset({"display_data", "execute_result"})


def extract(text: str, options: ExtractOptions) -> Iterator[RawLink]:
    """Links in a notebook, cell by cell: the cell's source first, then its outputs."""
    for number, cell in enumerate(_cells(text), start=1):
        kind = cell.get("cell_type")
        if kind == "markdown":
            found = markdown_extract.extract(_source(cell, number), options)
            yield from (_at(link, number) for link in found if not link.target.startswith("attachment:"))
        elif kind == "code":
            if options.include_code:
                yield from (_at(link, number) for link in plaintext_extract.extract(_source(cell, number), options))
            for html in _html_outputs(cell, number):
                yield from (_at(link, number) for link in html_extract.extract(html, options))


def _cells(text: str) -> list[dict[str, Any]]:
    try:
        notebook = json.loads(text)
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


def _source(cell: dict[str, Any], number: int) -> str:
    return _multiline(cell.get("source", ""), f"cell {number}: `source`")


def _html_outputs(cell: dict[str, Any], number: int) -> Iterator[str]:
    outputs = cell.get("outputs") or []
    if not isinstance(outputs, list):
        raise ExtractionError(f"cell {number}: `outputs` is not a list")
    for output in outputs:
        if isinstance(output, dict) and output.get("output_type") in _HTML_OUTPUTS:
            data = output.get("data")
            if isinstance(data, dict) and "text/html" in data:
                yield _multiline(data["text/html"], f"cell {number}: an HTML output")


def _multiline(value: Any, what: str) -> str:
    """nbformat's multiline string: one string, or a list of lines (each keeping its `\\n`)."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(line, str) for line in value):
        return "".join(value)
    raise ExtractionError(f"{what} is neither a string nor a list of strings")


def _at(link: RawLink, cell: int) -> RawLink:
    return link._replace(cell=cell)
