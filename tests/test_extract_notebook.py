"""Links in Jupyter notebooks: Markdown cells, HTML outputs, code on request, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from linkcheck.extract import ExtractionError, ExtractOptions
from linkcheck.extract.notebook import extract

BINARY = Path(__file__).parent / "fixtures" / "binary"

ANALYSIS = [
    ("https://tides.example.org/kobe", 1, 3, 32),  # source given as a list of lines
    ("https://doi.org/10.5555/tides.1", 1, 4, 18),
    ("https://data.example.com/about", 2, 3, 33),  # the execute_result's text/html
    ("https://harbour.example.net/", 3, 4, 10),  # source given as one string; inline HTML
    ("www.example.com/tides", 3, 4, 60),
    ("https://journal.example.net/smith-2020", 3, 8, 10),  # the reference definition
    ("https://plots.example.org/tides?id=7&v=2", 4, 1, 21),  # a display_data's text/html
]

ANALYSIS_WITH_CODE = [
    *ANALYSIS[:2],
    ("https://data.example.com/kobe.csv", 2, 3, 19),
    *ANALYSIS[2:6],
    ("https://data.example.com/stream-not-read", 4, 1, 16),  # in the code, not in its output
    ("https://example.org/comment", 4, 1, 62),
    ANALYSIS[6],
]


def table(text: str, include_code: bool = False) -> list[tuple[str, int | None, int | None, int | None]]:
    return [(link.target, link.cell, link.line, link.column) for link in extract(text, ExtractOptions(include_code=include_code))]


def notebook(*cells: dict[str, object], **top: object) -> str:
    return json.dumps({"cells": list(cells), "metadata": {}, "nbformat": 4, "nbformat_minor": 5, **top})


def test_analysis_exact_table() -> None:
    assert table((BINARY / "analysis.ipynb").read_text(encoding="utf-8")) == ANALYSIS


def test_analysis_with_code_exact_table() -> None:
    assert table((BINARY / "analysis.ipynb").read_text(encoding="utf-8"), include_code=True) == ANALYSIS_WITH_CODE


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


def test_list_and_string_sources_agree() -> None:
    lines = ["Intro\n", "\n", "See [x](https://example.org/x).\n", "And https://example.org/y"]
    as_list = notebook({"cell_type": "markdown", "metadata": {}, "source": lines})
    as_string = notebook({"cell_type": "markdown", "metadata": {}, "source": "".join(lines)})
    expected = [("https://example.org/x", 1, 3, 9), ("https://example.org/y", 1, 4, 5)]
    assert table(as_list) == table(as_string) == expected


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
