"""`linkcheck extract` listings: the CSV says where a link is when lines cannot (issue 17, 12)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from linkcheck.collect import Extraction
from linkcheck.pipeline import extract_paths
from linkcheck.models import Link, Location
from linkcheck.report.extract_listing import write_listing

BINARY = Path(__file__).parent / "fixtures" / "binary"


def csv_rows(extraction: Extraction) -> list[dict[str, str]]:
    stream = io.StringIO()
    write_listing(extraction, "csv", stream)
    return list(csv.DictReader(io.StringIO(stream.getvalue())))


def test_csv_carries_page_paragraph_cell_and_part_as_where() -> None:
    extraction = Extraction(
        links=[
            Link("https://example.org/paper", [Location("report.pdf", None, None, page=3)]),
            Link("https://example.org/doc", [Location("notes.docx", None, None, "notes", paragraph=14)]),
            Link("https://example.org/nb", [Location("analysis.ipynb", 4, 1, cell=2)]),
            Link("https://example.org/book", [Location("book.epub", 8, 3, part="ch1.xhtml")]),
            Link("https://example.org/md", [Location("a.md", 1, 9)]),
        ],
        documents=5,
    )
    rows = csv_rows(extraction)
    assert [(row["file"], row["line"], row["column"], row["where"], row["url"]) for row in rows] == [
        ("a.md", "1", "9", "1:9", "https://example.org/md"),
        ("analysis.ipynb", "4", "1", "cell 2, 4:1", "https://example.org/nb"),
        ("book.epub", "8", "3", "ch1.xhtml 8:3", "https://example.org/book"),
        ("notes.docx", "", "", "¶ 14", "https://example.org/doc"),
        ("report.pdf", "", "", "p. 3", "https://example.org/paper"),
    ]
    assert rows[3]["text"] == "notes"


def test_pdf_pages_reach_the_csv(monkeypatch) -> None:
    monkeypatch.chdir(BINARY)
    rows = csv_rows(extract_paths(["report.pdf"]))
    assert rows and all(row["line"] == "" and row["where"].startswith("p. ") for row in rows)
    assert {row["where"] for row in rows} >= {"p. 1"}


def test_where_column_follows_the_check_csv_convention() -> None:
    """The same words as `check --format csv`: csv_report writes `Location.where()` too."""
    location = Location("report.pdf", None, None, page=2)
    rows = csv_rows(Extraction(links=[Link("https://example.org/x", [location])], documents=1))
    assert rows[0]["where"] == location.where() == "p. 2"


def test_line_based_listing_keeps_its_six_columns() -> None:
    extraction = Extraction(links=[Link("https://example.org/a", [Location("a.md", 1, 9, "x")])], documents=1)
    stream = io.StringIO()
    write_listing(extraction, "csv", stream)
    assert stream.getvalue().splitlines() == ["file,line,column,url,text,verdict", "a.md,1,9,https://example.org/a,x,"]
