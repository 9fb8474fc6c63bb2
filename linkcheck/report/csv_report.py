"""The CSV report: one row per citation (a result × each place it is cited), for spreadsheets and scripts.

Columns: file, line, column, where, url, status, http_status, final_url, error, then content
drift (drift_similarity, drifted `true`/`false`, drift_compared_to: when the capture compared
with was taken) and the suggested archived copy (suggested_copy, suggested_copy_captured_at,
suggested_copy_source). A value the report does not have (None) is an empty cell. Rows are in document order. Quoting is the
`csv` module's (RFC 4180 quoting, `\\n` line ends), so commas, quotes and newlines in a value
stay inside their cell.

Formula injection: spreadsheet programs run a cell that starts with `=`, `+`, `-` or `@`
(and some with a leading tab or carriage return) as a formula, so a cited URL like
`=cmd|' /C calc'!A0` could execute on the reader's machine. Such a text value gets a
leading `'` (OWASP's advice): the spreadsheet shows it as text, and a script reading the CSV
sees the `'` and can strip it. Numbers (line, column, HTTP status) are never prefixed.
Control characters other than tab, newline and carriage return are dropped (an ANSI
escape in a URL must not restyle the terminal of whoever `cat`s the file).
"""

from __future__ import annotations

import csv
import re
from typing import TextIO

from linkcheck.models import Location, Report, Result
from linkcheck.report import ReportOptions
from linkcheck.report.rot_notes import compared_to, similarity, suggestion_url

COLUMNS = (
    "file", "line", "column", "where", "url", "status", "http_status", "final_url", "error",
    "drift_similarity", "drifted", "drift_compared_to", "suggested_copy", "suggested_copy_captured_at", "suggested_copy_source",
)  # fmt: skip

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def cell(value: str | int | float | None) -> str | int | float:
    """One CSV value: None empty, numbers as they are, text cleaned and defused against formulas."""
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        return value
    text = _CONTROL.sub("", value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def write(report: Report, stream: TextIO, options: ReportOptions) -> None:
    out = csv.writer(stream, lineterminator="\n")
    out.writerow(COLUMNS)
    pairs = [(location, result) for result in report.results for location in (result.locations if result.locations else [None])]
    for location, result in sorted(pairs, key=lambda pair: (pair[0].sort_key() if pair[0] else ("",), pair[1].url)):
        out.writerow([cell(value) for value in _row(location, result)])


def _row(location: Location | None, result: Result) -> tuple[str | int | float | None, ...]:
    drift = result.drift if isinstance(result.drift, dict) else None
    copy = result.suggestion if isinstance(result.suggestion, dict) else {}
    return (
        location.file if location else None,
        location.line if location else None,
        location.column if location else None,
        location.where() if location else None,
        result.url,
        result.status.value,
        result.http_status,
        result.final_url,
        result.error,
        similarity(result),
        None if drift is None else ("true" if drift.get("drifted") else "false"),
        compared_to(result),
        suggestion_url(result),
        _text(copy.get("captured_at")),
        _text(copy.get("source")),
    )


def _text(value: object) -> str | None:
    return str(value) if value else None
