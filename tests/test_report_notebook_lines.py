"""Issue 17, 6 end to end: a notebook's broken citation is annotated on the line of the
.ipynb file where the URL is written (SARIF region, GitHub `line=`), with the cell and the
line in the cell beside it, also on a repeat run answered from the extraction cache."""

from __future__ import annotations

import io
import json

from linkcheck import check_paths
from linkcheck.report import ReportOptions, writer
from tests.farm import respond
from tests.helpers import fast_settings


def notebook(url: str) -> str:
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": ["# Survey\n", "\n", "Intro text.\n"]},
        {"cell_type": "markdown", "metadata": {}, "source": ["Some words.\n", "\n", f"The data: <{url}>\n"]},
    ]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1)


def test_sarif_and_github_point_at_the_file_line_of_a_notebook_citation(tmp_path, farm):
    site = farm.host().route("/gone", respond(404, "Not Found"))
    url = site.url("/gone")
    path = tmp_path / "survey.ipynb"
    path.write_text(notebook(url), encoding="utf-8")
    file_line = next(n for n, line in enumerate(path.read_text().splitlines(), 1) if url in line)
    settings = fast_settings(None, **{"archive.path": str(tmp_path / "archive")})
    for _ in range(2):  # the second run reads the notebook's links from the extraction cache
        report = check_paths([path], settings)
        (location,) = report.results[0].locations
        assert (location.line, location.cell, location.cell_line) == (file_line, 2, 3)
        sarif = io.StringIO()
        writer("sarif")(report, sarif, ReportOptions())
        region = json.loads(sarif.getvalue())["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] == file_line
        github = io.StringIO()
        writer("github")(report, github, ReportOptions())
        assert f"line={file_line}," in github.getvalue() and "cell 2 line 3" in github.getvalue()
