"""Links in PDF: annotations and text by page, wrapped URLs, de-duplication, damaged and
encrypted files, a quiet pypdf, and the fixture generator's determinism."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest

from linkcheck.extract import ExtractionError, ExtractOptions
from linkcheck.extract.pdf import extract, join_wrapped_urls

BINARY = Path(__file__).parent / "fixtures" / "binary"

REPORT = [
    ("https://tides.example.org/archive/2023", 1),  # annotation and text: once
    ("https://harbour.example.net/office", 1),  # annotation only
    ("https://data.example.com/gauges/kobe-hourly.csv", 2),  # wrapped after a hyphen
    ("https://data.example.com/stations/index.html?region=kansai&page=2", 2),  # wrapped after a slash
    ("https://example.org/intro", 2),  # ends a line followed by prose: not joined
    ("mailto:tides@example.org", 2),
    ("https://github.com/tidewatch/gauges", 3),  # two annotations and wrapped text: once
    ("https://doi.org/10.5555/12345678", 3),
]


def table(data: bytes) -> list[tuple[str, int | None]]:
    return [(link.target, link.page) for link in extract(data, ExtractOptions())]


def test_report_exact_table() -> None:
    assert table((BINARY / "report.pdf").read_bytes()) == REPORT


def test_report_has_pages_not_lines() -> None:
    for link in extract((BINARY / "report.pdf").read_bytes(), ExtractOptions()):
        assert (link.line, link.column, link.paragraph, link.cell, link.part) == (None, None, None, None, None)


def test_pdf_encrypted_with_an_empty_user_password_is_read() -> None:
    assert table((BINARY / "owner-locked.pdf").read_bytes()) == [("https://secret.example.org/draft", 1)]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("encrypted.pdf", "encrypted PDF: it needs a password to open"),
        ("truncated.pdf", r"damaged PDF \(it ends early, without %%EOF: truncated\?\), pypdf cannot read it"),
        ("not-a-zip.docx", "not a PDF: no %PDF- header"),
    ],
)
def test_unreadable_pdf_raises_extraction_error(name: str, message: str) -> None:
    with pytest.raises(ExtractionError, match=message):
        list(extract((BINARY / name).read_bytes(), ExtractOptions()))


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"%PDF-1.4\n",
        b"%PDF-1.7\n%%EOF\n",
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\nstartxref\n9\n%%EOF\n",
        b"%PDF-1.4\n" + bytes(range(256)) * 8,
    ],
)
def test_junk_raises_only_extraction_error(data: bytes) -> None:
    with pytest.raises(ExtractionError):
        list(extract(data, ExtractOptions()))


def test_every_truncation_gives_links_or_extraction_error() -> None:
    report = (BINARY / "report.pdf").read_bytes()
    for end in range(0, len(report), 61):
        try:
            list(extract(report[:end], ExtractOptions()))
        except ExtractionError:
            pass


def test_pypdf_stays_quiet(caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]) -> None:
    caplog.set_level(logging.DEBUG)
    level = logging.getLogger("pypdf").level
    for name in ("truncated.pdf", "encrypted.pdf"):
        with pytest.raises(ExtractionError):
            list(extract((BINARY / name).read_bytes(), ExtractOptions()))
    assert [record for record in caplog.records if record.name.startswith("pypdf")] == []
    assert capsys.readouterr().err == ""
    assert logging.getLogger("pypdf").level == level


@pytest.mark.parametrize(
    ("text", "known", "expected"),
    [
        # The brief's case: the line ends inside a URL, the next continues it without a space.
        ("see https://example.org/some-\npath", (), "see https://example.org/some-path"),
        ("https://example.org/a_\nb c", (), "https://example.org/a_b c"),
        ("https://example.org/q?a=1&\nb=2", (), "https://example.org/q?a=1&b=2"),
        # No telling sign at the break, but the next word is URL structure.
        ("https://example.org/papers/\n2020.pdf", (), "https://example.org/papers/2020.pdf"),
        ("https://exam\nple.org/path here", (), "https://example.org/path here"),
        ("at https://example.org/data\nv2/file.csv", (), "at https://example.org/datav2/file.csv"),
        # Prose after a URL that ends a line is left alone.
        ("at https://example.org/intro\nwhere it is", (), "at https://example.org/intro\nwhere it is"),
        ("at https://example.org/\nwhere it is", (), "at https://example.org/\nwhere it is"),
        ("ends https://example.org/a.\nThe next", (), "ends https://example.org/a.\nThe next"),
        ("ends https://example.org/a -\nthe next", (), "ends https://example.org/a -\nthe next"),
        # A space on either side of the break means the URL ended.
        ("https://example.org/some- \npath", (), "https://example.org/some- \npath"),
        ("https://example.org/some-\n path", (), "https://example.org/some-\n path"),
        # The next line starts another URL.
        ("https://a.example/x-\nhttps://b.example/", (), "https://a.example/x-\nhttps://b.example/"),
        ("https://a.example/x-\nwww.b.example", (), "https://a.example/x-\nwww.b.example"),
        # No URL at the end of the line.
        ("well-\nknown fact", (), "well-\nknown fact"),
        # An annotation on the page decides, either way.
        ("https://github.com/o/\nrepo and", ("https://github.com/o/repo",), "https://github.com/o/repo and"),
        ("https://example.org/a-\nb", ("https://example.org/a-",), "https://example.org/a-\nb"),
        # Three lines, joined twice.
        ("https://example.org/a-\nb-\nc", (), "https://example.org/a-b-c"),
        ("one\r\ntwo", (), "one\ntwo"),
        ("", (), ""),
    ],
)
def test_join_wrapped_urls(text: str, known: tuple[str, ...], expected: str) -> None:
    assert join_wrapped_urls(text, known) == expected


def test_generator_is_deterministic(tmp_path: Path) -> None:
    """Regenerating the fixtures gives the committed bytes (so the committed files are current)."""
    subprocess.run([sys.executable, str(BINARY / "make_fixtures.py"), str(tmp_path)], check=True)
    generated = sorted(path.name for path in tmp_path.iterdir())
    committed = sorted(
        path.name for path in BINARY.iterdir() if path.name not in ("make_fixtures.py", "analysis.ipynb", "__pycache__")
    )
    assert generated == committed
    for name in generated:
        assert (tmp_path / name).read_bytes() == (BINARY / name).read_bytes(), name
