"""Links in Jupyter notebooks: Markdown cells, HTML outputs, code on request, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from linkcheck.extract import ExtractionError, ExtractOptions
from linkcheck.extract.notebook import extract
from linkcheck.models import Location, RawLink

BINARY = Path(__file__).parent / "fixtures" / "binary"

# (target, cell, line in the cell, line in the .ipynb file, column in the file)
ANALYSIS = [
    ("https://tides.example.org/kobe", 1, 3, 10, 37),  # source given as a list of lines
    ("https://doi.org/10.5555/tides.1", 1, 4, 11, 23),
    ("https://data.example.com/about", 2, 3, 25, 42),  # the execute_result's text/html
    ("https://harbour.example.net/", 3, 4, 54, 77),  # source given as one string; inline HTML
    ("www.example.com/tides", 3, 4, 54, 128),
    ("https://journal.example.net/smith-2020", 3, 8, 54, 197),  # the reference definition
    ("https://plots.example.org/tides?id=7&v=2", 4, 1, 71, 41),  # a display_data's text/html
]

ANALYSIS_WITH_CODE = [
    *ANALYSIS[:2],
    ("https://data.example.com/kobe.csv", 2, 3, 41, 25),
    *ANALYSIS[2:6],
    ("https://data.example.com/stream-not-read", 4, 1, 78, 31),  # in the code, not in its output
    ("https://example.org/comment", 4, 1, 78, 78),
    ANALYSIS[6],
]


def table(text: str, include_code: bool = False) -> list[tuple[str, int | None, int | None, int | None, int | None]]:
    return [
        (link.target, link.cell, link.cell_line, link.line, link.column)
        for link in extract(text, ExtractOptions(include_code=include_code))
    ]


def notebook(*cells: dict[str, object], **top: object) -> str:
    return json.dumps({"cells": list(cells), "metadata": {}, "nbformat": 4, "nbformat_minor": 5, **top}, indent=1)


def at_file_position(text: str, line: int, column: int) -> str:
    return text.splitlines()[line - 1][column - 1 :]


def test_analysis_exact_table() -> None:
    assert table((BINARY / "analysis.ipynb").read_text(encoding="utf-8")) == ANALYSIS


def test_analysis_with_code_exact_table() -> None:
    assert table((BINARY / "analysis.ipynb").read_text(encoding="utf-8"), include_code=True) == ANALYSIS_WITH_CODE


def test_line_and_column_point_at_the_target_in_the_ipynb_file() -> None:
    """Issue 17, 6: SARIF and GitHub annotations use `line`; it must be the file's line."""
    text = (BINARY / "analysis.ipynb").read_text(encoding="utf-8")
    links = list(extract(text, ExtractOptions(include_code=True)))
    assert links
    for link in links:
        assert at_file_position(text, link.line, link.column).startswith(link.target.replace("&", "&amp;"))


def test_link_text_is_kept() -> None:
    links = list(extract((BINARY / "analysis.ipynb").read_text(encoding="utf-8"), ExtractOptions()))
    assert [link.text for link in links] == [
        "Kobe gauge",
        "https://doi.org/10.5555/tides.1",
        "about the data",
        "harbour office",
        None,
        "Smith 2020",
        "plots",
    ]


def test_list_and_string_sources_agree_on_cell_and_line_in_cell() -> None:
    lines = ["Intro\n", "\n", "See [x](https://example.org/x).\n", "And https://example.org/y"]
    as_list = notebook({"cell_type": "markdown", "metadata": {}, "source": lines})
    as_string = notebook({"cell_type": "markdown", "metadata": {}, "source": "".join(lines)})
    # a list of lines: one line of the file each (json.dumps(indent=1) puts the first on line 7)
    assert table(as_list) == [("https://example.org/x", 1, 3, 9, 14), ("https://example.org/y", 1, 4, 10, 10)]
    # one string: every line of the cell is on line 6 of the file, the column is along it
    assert table(as_string) == [("https://example.org/x", 1, 3, 6, 32), ("https://example.org/y", 1, 4, 6, 61)]
    for text in (as_list, as_string):
        for target, _, _, line, column in table(text):
            assert at_file_position(text, line, column).startswith(target)


@pytest.mark.parametrize("ensure_ascii", [True, False])
def test_escapes_before_a_link_do_not_shift_the_column(ensure_ascii: bool) -> None:
    source = ['Say "hi"\tto caf\u00e9 \U0001f600 \\ then [x](https://example.org/x) <https://example.org/y>\n', "end"]
    text = json.dumps(
        {"cells": [{"cell_type": "markdown", "metadata": {}, "source": source}], "nbformat": 4}, indent=1, ensure_ascii=ensure_ascii
    )
    found = table(text)
    assert [(target, cell, cell_line, line) for target, cell, cell_line, line, _ in found] == [
        ("https://example.org/x", 1, 1, 7),
        ("https://example.org/y", 1, 1, 7),
    ]
    for target, _, _, line, column in found:
        assert at_file_position(text, line, column).startswith(target)


def test_html_output_lines_are_file_lines_with_the_line_in_the_output_kept() -> None:
    html = ["<p>\n", "  <a href=\"https://example.org/a\">a</a>\n", "</p>"]
    text = notebook(
        {
            "cell_type": "code",
            "metadata": {},
            "execution_count": 1,
            "source": "x",
            "outputs": [{"output_type": "display_data", "metadata": {}, "data": {"text/html": html}}],
        }
    )
    [(target, cell, cell_line, line, column)] = table(text)
    assert (target, cell, cell_line) == ("https://example.org/a", 1, 2)
    assert at_file_position(text, line, column).startswith('https://example.org/a\\"')
    assert text.splitlines()[line - 1].strip().startswith('"  <a href')


def test_windows_line_ends_in_the_file() -> None:
    text = notebook({"cell_type": "markdown", "metadata": {}, "source": ["a\n", "<https://example.org/z>"]}).replace("\n", "\r\n")
    [(target, _, cell_line, line, column)] = table(text)
    assert (cell_line, line) == (2, 8)
    assert at_file_position(text, line, column).startswith(target)


def test_location_keeps_cell_and_line_in_cell_beside_the_file_line() -> None:
    location = Location("analysis.ipynb", 54, 77, cell=3, cell_line=4)
    assert location.to_dict() == {"file": "analysis.ipynb", "line": 54, "column": 77, "cell": 3, "cell_line": 4}
    assert location.where() == "54:77 (cell 3 line 4)"
    assert Location("analysis.ipynb", 4, 1, cell=2).where() == "cell 2, 4:1"  # made without the line in the cell
    assert "cell_line" not in Location("a.md", 1, 1).to_dict()


def test_raw_links_stored_before_cell_line_still_load() -> None:
    """The extraction cache keeps raw links as JSON lists; a row written before `cell_line` existed."""
    stored = ["https://example.org/x", 3, 5, None, None, None, None, 2, None, None, None]
    link = RawLink._make(stored)
    assert (link.cell, link.line, link.cell_line) == (2, 3, None)
    with pytest.raises(TypeError):
        RawLink._make([*stored, 1, 2])


def test_raw_cells_stream_outputs_and_attachments_are_not_citations() -> None:
    text = notebook(
        {"cell_type": "raw", "metadata": {}, "source": "https://example.org/raw"},
        {"cell_type": "markdown", "metadata": {}, "source": "![a](attachment:a.png)", "attachments": {}},
        {
            "cell_type": "code",
            "metadata": {},
            "execution_count": None,
            "source": "",
            "outputs": [
                {"output_type": "stream", "name": "stdout", "text": "https://example.org/out"},
                {"output_type": "error", "ename": "E", "evalue": "https://example.org/err", "traceback": []},
                {"output_type": "display_data", "metadata": {}, "data": {"text/plain": "https://example.org/plain"}},
            ],
        },
    )
    assert table(text, include_code=True) == []


def test_damaged_fixture_reports_where_the_json_breaks() -> None:
    with pytest.raises(ExtractionError, match=r"not a notebook: invalid JSON at line 4, column 2: Expecting ',' delimiter"):
        list(extract((BINARY / "damaged.ipynb").read_text(encoding="utf-8"), ExtractOptions()))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "invalid JSON at line 1, column 1"),
        ("[1, 2]", "no `nbformat` and no `cells`"),
        ('{"metadata": {}}', "no `nbformat` and no `cells`"),
        ('{"nbformat": 4, "cells": {}}', "`cells` is not a list of cells"),
        ('{"nbformat": 4, "cells": [1]}', "`cells` is not a list of cells"),
        ('{"nbformat": 3, "worksheets": []}', "nbformat 3 notebooks are not read"),
        ('{"nbformat": 4, "cells": [{"cell_type": "markdown", "source": 7}]}', "cell 1: `source` is neither"),
        ('{"nbformat": 4, "cells": [{"cell_type": "code", "source": "", "outputs": 1}]}', "cell 1: `outputs` is not a list"),
        (
            (
                '{"nbformat": 4, "cells": [{"cell_type": "code", "source": "", "outputs": '
                '[{"output_type": "display_data", "data": {"text/html": [1]}}]}]}'
            ),
            "cell 1: an HTML output is neither",
        ),
        ("[" * 100_000, "nests too deeply|invalid JSON"),
    ],
)
def test_not_a_notebook_raises_extraction_error(text: str, message: str) -> None:
    with pytest.raises(ExtractionError, match=message):
        list(extract(text, ExtractOptions()))
