"""The CSV report: one row per citation, RFC 4180 quoting, and no cell a spreadsheet would run."""

from __future__ import annotations

import csv
import io

import pytest

from linkcheck.models import Result, Status
from linkcheck.report import ReportOptions
from linkcheck.report.csv_report import COLUMNS, cell, write
from tests.report_samples import (
    FORMULA_URL,
    HOSTILE_FILE,
    HOSTILE_URL,
    empty_report,
    injection_report,
    sample_report,
)

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def render(report, **options) -> str:
    stream = io.StringIO()
    write(report, stream, ReportOptions(**options))
    return stream.getvalue()


def rows(report) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(render(report), newline="")))


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (None, ""),
        (404, 404),
        ("https://example.org/a", "https://example.org/a"),
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(1+1)", "'@SUM(1+1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("\x1b=1", "'=1"),  # a control character in front does not hide the formula
        ("a=b", "a=b"),
        ("red\x1b[31m\x00", "red[31m"),
    ],
)
def test_cell(value, written):
    assert cell(value) == written


def test_header_and_rows():
    text = render(sample_report())
    assert text.splitlines()[0] == ",".join(COLUMNS)
    table = rows(sample_report())
    assert len(table) == 16
    assert table[0] == {
        "file": "README.md", "line": "2", "column": "3", "where": "2:3", "url": "mailto:someone@example.org",
        "status": "unsupported", "http_status": "", "final_url": "", "error": "scheme mailto: is not checked",
        "drift_similarity": "", "drifted": "", "drift_compared_to": "",
        "suggested_copy": "", "suggested_copy_captured_at": "", "suggested_copy_source": "",
    }  # fmt: skip
    by_where = {(row["file"], row["where"]): row for row in table}
    pdf = by_where[("papers/report.pdf", "p. 3")]
    assert (pdf["line"], pdf["column"], pdf["status"], pdf["http_status"]) == ("", "", "blocked", "403")
    assert by_where[("notes.docx", "¶ 14")]["line"] == ""
    assert by_where[("analysis.ipynb", "cell 2, 4:1")]["line"] == "4"
    assert by_where[("book.epub", "OEBPS/ch1.xhtml 8:3")]["url"] == "http://[broken"
    moved = by_where[("docs/intro.md", "12:5")]
    assert (moved["status"], moved["final_url"]) == ("redirect_permanent", "https://example.org/new")
    down = by_where[("docs/guide.md", "9:1")]
    assert (down["http_status"], down["final_url"], down["error"]) == ("", "", "connection refused")
    assert [row["where"] for row in table if row["url"] == "https://example.org/missing"] == ["7:10", "20:1", "25:3"]


def test_every_result_and_status_is_listed_whatever_fail_on_says():
    table = rows(sample_report())
    assert {row["status"] for row in table} == {result.status.value for result in sample_report().results}
    assert rows(sample_report()) == list(csv.DictReader(io.StringIO(render(sample_report(), fail_on=frozenset()), newline="")))


def test_empty_and_orphan():
    assert render(empty_report()) == ",".join(COLUMNS) + "\n"
    report = empty_report()
    report.results.append(Result("https://nowhere.example/", Status.DEAD, 404, error="404 Not Found"))
    assert rows(report) == [
        {"file": "", "line": "", "column": "", "where": "", "url": "https://nowhere.example/", "status": "dead",
         "http_status": "404", "final_url": "", "error": "404 Not Found", "drift_similarity": "", "drifted": "",
         "drift_compared_to": "", "suggested_copy": "", "suggested_copy_captured_at": "", "suggested_copy_source": ""},
    ]  # fmt: skip


def test_hostile_values_stay_in_their_cells_and_never_run():
    table = list(csv.reader(io.StringIO(render(injection_report()), newline="")))
    assert table[0] == list(COLUMNS)
    assert len(table) == 1 + 5 and all(len(row) == len(COLUMNS) for row in table)
    for row in table[1:]:
        assert not any(value.startswith(_FORMULA_START) for value in row), row
    cells = [dict(zip(COLUMNS, row)) for row in table[1:]]
    hostile = [row for row in cells if row["file"] == HOSTILE_FILE]
    assert [row["where"] for row in hostile] == ["1:2", "3:4"]
    assert hostile[0]["url"] == HOSTILE_URL.replace("\x1b", "").replace("\x00", "").replace("\x07", "").replace("\x0b", "").replace("\x0c", "")
    assert hostile[0]["error"].startswith("'=cmd|' /C calc'!A0 </script>")
    assert hostile[1]["error"] == "'@SUM(1+1)"
    formula = next(row for row in cells if row["status"] == "invalid")
    assert (formula["url"], formula["error"]) == ("'" + FORMULA_URL, "'-2+3")
    assert [row["error"] for row in cells if row["status"] == "unsupported"] == ["'+scheme javascript: is not checked"]
