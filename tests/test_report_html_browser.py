"""The HTML report in a real browser (headless Chromium): the table renders, and the filters and
sorting the page reads from its URL fragment are applied (`#status=dead`, `#q=…`, `#sort=-http`).

No WebDriver: Chromium's `--dump-dom` prints the DOM after the page's scripts ran. Skipped
when no Chromium is installed (Debian: `apt-get install chromium`).
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pytest

from linkcheck.models import Location, Result, Status
from linkcheck.report import ReportOptions
from linkcheck.report.html import write
from tests.report_samples import sample_report

CHROMIUM = next((path for name in ("chromium", "chromium-browser") if (path := shutil.which(name))), None)

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary on PATH (Debian: apt-get install chromium)"),
    pytest.mark.timeout(180),
]

_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def dump_dom(page: Path, fragment: str = "") -> str:
    """The DOM of `page` (opened as file:…#fragment) after its scripts ran."""
    with tempfile.TemporaryDirectory(prefix="linkcheck-chromium-") as profile:
        done = subprocess.run(
            [CHROMIUM, *_FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.as_uri() + fragment],
            capture_output=True,
            text=True,
            check=False,
            timeout=90,
        )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "</html>" in done.stdout, done.stderr[-2000:]
    return done.stdout


class Rows(HTMLParser):
    """The results table's rows as the browser left them: status, hidden or not, cell texts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[dict] = []
        self.body: dict[str, str | None] = {}
        self.title = ""
        self.shown = ""
        self._cell: list[str] | None = None
        self._into: str | None = None
        self._in_row = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "body":
            self.body = attributes
        elif tag == "tr":
            self._in_row = "data-index" in attributes
            if self._in_row:
                self.rows.append({"status": attributes["data-status"], "hidden": "hidden" in attributes, "cells": []})
        elif tag == "td" and self._in_row:
            self._cell = []
        elif tag == "title" or attributes.get("id") == "shown":
            self._into = tag if tag == "title" else "shown"

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            self.rows[-1]["cells"].append("".join(self._cell))
            self._cell = None
        elif tag in ("title", "span"):
            self._into = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        elif self._into == "title":
            self.title += data
        elif self._into == "shown":
            self.shown += data

    def visible(self) -> list[dict]:
        return [row for row in self.rows if not row["hidden"]]


def rows_of(dom: str) -> Rows:
    parser = Rows()
    parser.feed(dom)
    return parser


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("html") / "report.html"
    stream = io.StringIO()
    write(sample_report(), stream, ReportOptions())
    path.write_text(stream.getvalue(), encoding="utf-8")
    return path


def test_the_table_renders_with_every_row_visible(page):
    dom = rows_of(dump_dom(page))
    assert len(dom.rows) == 16 and len(dom.visible()) == 16
    assert dom.shown == "16 of 16 citations shown"
    assert dom.rows[0]["cells"][:3] == ["analysis.ipynb", "cell 2, 4:1", "soft404"]  # broken rows first


def test_status_filter_from_the_fragment(page):
    dom = rows_of(dump_dom(page, "#status=dead"))
    assert [row["status"] for row in dom.visible()] == ["dead"] * 4
    assert all(row["hidden"] for row in dom.rows if row["status"] != "dead")
    assert dom.shown == "4 of 16 citations shown"


def test_broken_group_filter(page):
    dom = rows_of(dump_dom(page, "#status=broken"))
    assert {row["status"] for row in dom.visible()} == {"dead", "error", "soft404", "fragment_missing", "invalid"}
    assert len(dom.visible()) == 8


def test_text_filter_and_status_filter_together(page):
    dom = rows_of(dump_dom(page, "#status=dead&q=INTRO.md"))
    assert [(row["cells"][0], row["cells"][1]) for row in dom.visible()] == [("docs/intro.md", "20:1"), ("docs/intro.md", "25:3")]
    dom = rows_of(dump_dom(page, "#q=" + "paywall"))
    assert [row["status"] for row in dom.visible()] == ["blocked"]


def test_sorting_from_the_fragment(page):
    dom = rows_of(dump_dom(page, "#sort=-http"))
    https = [row["cells"][3] for row in dom.rows]
    answered = [int(value) for value in https if value]
    assert answered == sorted(answered, reverse=True)
    assert https[: len(answered)] == [str(value) for value in answered]  # no-response rows last
    dom = rows_of(dump_dom(page, "#sort=file"))
    files = [row["cells"][0] for row in dom.rows]
    assert files == sorted(files)


def test_hostile_markup_does_not_run(tmp_path):
    report = sample_report()
    payloads = [
        "https://x.example/<img src=x onerror=\"document.body.setAttribute('data-pwned','img')\">",
        "https://x.example/</script><script>document.body.setAttribute('data-pwned','script')</script>",
        "javascript:document.body.setAttribute('data-pwned','href')",
    ]
    report.results += [Result(url, Status.DEAD, 404, error=url, locations=[Location("evil.md", 1, 1)]) for url in payloads]
    path = tmp_path / "report.html"
    stream = io.StringIO()
    write(report, stream, ReportOptions())
    path.write_text(stream.getvalue(), encoding="utf-8")
    dom = rows_of(dump_dom(path, "#q=x.example"))
    assert "data-pwned" not in dom.body
    assert dom.title == "linkcheck report: 11 broken citations (9 URLs)"
    assert sorted(row["cells"][4] for row in dom.visible()) == sorted(payloads[:2])
