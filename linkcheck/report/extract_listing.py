"""`linkcheck extract` output: every link with its locations, as a table, JSON or CSV.

CSV columns: file, line, column, url, text, verdict, and `where` when a location is not
just a line and column (a PDF page, a DOCX paragraph, a notebook cell, an EPUB chapter):
`p. 3`, `¶ 14`, `cell 2, 4:1`, `ch1.xhtml 8:3`, the words of the `check` CSV's `where`
(`Location.where()`), given then for every row. A listing of line-based documents only
keeps the six columns, so scripts written for them read it unchanged.
"""

from __future__ import annotations

import csv
from typing import TextIO

from linkcheck.models import Location
from linkcheck.pipeline import Extraction
from linkcheck.report.json_report import write_with_list


def _rows(extraction: Extraction) -> list[dict[str, object]]:
    rows = []
    for link in extraction.links:
        for location in link.locations:
            rows.append(
                {
                    "url": link.url,
                    "file": location.file,
                    "line": location.line,
                    "column": location.column,
                    "where": location.where(),
                    "sort": location.sort_key(),
                    "text": location.text,
                    "verdict": link.verdict.value if link.verdict else None,
                }
            )
    rows.sort(key=lambda row: row["sort"])  # type: ignore[arg-type, return-value]
    return rows


def _with_text(location: Location) -> dict[str, object]:
    data = location.to_dict()
    data["text"] = location.text
    return data


def write_listing(extraction: Extraction, fmt: str, stream: TextIO) -> None:
    if fmt == "json":
        links = (
            {
                "url": link.url,
                "verdict": link.verdict.value if link.verdict else None,
                "reason": link.reason,
                "locations": [_with_text(location) for location in link.locations],
            }
            for link in extraction.links
        )
        write_with_list(stream, {"documents": extraction.documents}, "links", links)
        return
    rows = _rows(extraction)
    if fmt == "csv":
        fieldnames = ["file", "line", "column", "url", "text", "verdict"]
        if any(row["where"] != f"{row['line']}:{row['column']}" for row in rows):
            fieldnames.append("where")
        writer = csv.DictWriter(stream, fieldnames=fieldnames, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
        return
    from rich.console import Console  # the table only: JSON and CSV listings need no rich
    from rich.table import Table
    from rich.text import Text

    from linkcheck.report.markdown import plural
    from linkcheck.report.plain import safe

    console = Console(file=stream, highlight=False, emoji=False, no_color=not stream.isatty())
    table = Table(box=None, pad_edge=False)
    for column in ("File", "Where", "URL", "Text"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(Text(safe(str(row["file"]))), Text(safe(str(row["where"]))), Text(safe(str(row["url"]))), Text(safe(str(row["text"] or ""))))
    console.print(table)
    console.print(f"{plural(len(rows), 'citation')} of {plural(len(extraction.links), 'unique URL')} in {plural(extraction.documents, 'document')}.")
