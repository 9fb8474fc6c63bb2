"""The HTML report: one self-contained page, every value escaped, the script's data inert."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
from html.parser import HTMLParser

from linkcheck.models import Status
from linkcheck.report import ReportOptions
from linkcheck.report.html import script_json, write
from tests.report_samples import (
    HOSTILE_FILE,
    HOSTILE_URL,
    diff_report,
    empty_report,
    injection_report,
    interrupted_report,
    sample_report,
)


def render(report, **options) -> str:
    stream = io.StringIO()
    write(report, stream, ReportOptions(**options))
    return stream.getvalue()


class Page(HTMLParser):
    """Every element with its attributes, the raw text of scripts and styles, and the table rows."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.raw: dict[str, list[str]] = {"script": [], "style": []}
        self.rows: list[dict[str, str | None]] = []
        self.cells: list[list[str]] = []
        self._in: str | None = None
        self._table: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.elements.append((tag, attributes))
        if tag in self.raw:
            self._in = tag
            self.raw[tag].append("")
        elif tag == "table":
            self._table = attributes.get("id")
        elif tag == "tr" and self._table == "results" and "data-status" in attributes:
            self.rows.append(attributes)
            self.cells.append([])
        elif tag == "td" and self._table == "results":
            self._cell = []

    def handle_endtag(self, tag):
        if tag == self._in:
            self._in = None
        elif tag == "table":
            self._table = None
        elif tag == "td" and self._cell is not None:
            self.cells[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data):
        if self._in:
            self.raw[self._in][-1] += data
        elif self._cell is not None:
            self._cell.append(data)

    def find(self, tag: str, **attributes: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.elements if name == tag and all(attrs.get(k) == v for k, v in attributes.items())]


def parse(text: str) -> Page:
    page = Page()
    page.feed(text)
    page.close()
    return page


def test_the_elements_the_script_and_the_tests_rely_on():
    page = parse(render(sample_report()))
    assert len(page.find("table", id="results")) == 1
    assert len(page.find("select", id="status-filter")) == 1
    assert len(page.find("input", id="text-filter")) == 1
    options = [attrs["value"] for attrs in page.find("option")]
    assert options == ["", "broken", "warning", "drifted", *(status.value for status in Status)]
    assert [th["data-key"] for th in page.find("th") if "data-key" in th] == [
        "file", "where", "status", "http", "url", "detail", "drift", "copy",
    ]  # fmt: skip


def test_one_row_per_citation_broken_first_then_in_document_order():
    page = parse(render(sample_report()))
    assert len(page.rows) == 16
    listed = [(cells[0], cells[1], row["data-status"], row["data-kind"]) for row, cells in zip(page.rows, page.cells)]
    assert [kind for *_, kind in listed[:8]] == ["broken"] * 8 and "broken" not in [kind for *_, kind in listed[8:]]
    assert listed[:3] == [
        ("analysis.ipynb", "cell 2, 4:1", "soft404", "broken"),
        ("book.epub", "OEBPS/ch1.xhtml 8:3", "invalid", "broken"),
        ("docs/guide.md", "7:10", "dead", "broken"),
    ]
    assert listed[8:12] == [
        ("README.md", "2:3", "unsupported", "other"),
        ("README.md", "10:5", "ok", "ok"),
        ("docs/guide.md", "1:1", "excluded", "other"),
        ("docs/guide.md", "4:2", "redirect_temporary", "other"),
    ]
    pdf = page.cells[[cells[0] for cells in page.cells].index("papers/report.pdf")]
    assert pdf == ["papers/report.pdf", "p. 3", "blocked", "403", "https://paywall.example/article", "403 Forbidden after 3 attempts", "", ""]
    error = page.cells[[cells[4] for cells in page.cells].index("https://down.example/")]
    assert error[3] == ""  # no response: the HTTP cell stays empty
    kinds = {row["data-status"]: row["data-kind"] for row in page.rows}
    assert kinds["dead"] == "broken" and kinds["blocked"] == "warning" and kinds["ok"] == "ok"


def test_summary_and_verdict():
    text = render(sample_report())
    assert "<title>linkcheck report: 8 broken citations (6 URLs)</title>" in text
    assert '<tr data-status="dead"><td><a class="badge broken" href="#status=dead">dead</a></td><td class="num">2</td><td class="num">4</td><td>broken</td></tr>' in text
    assert "13 unique URLs, 16 citations, 7 documents" in text
    assert 'id="interrupted"' not in text
    assert 'id="interrupted"' in render(interrupted_report())
    empty = render(empty_report())
    assert "linkcheck: No broken citations" in empty and "Nothing was checked." in empty
    assert parse(empty).rows == []


def test_fail_on_changes_the_kind():
    page = parse(render(sample_report(), fail_on=frozenset({Status.BLOCKED})))
    assert {row["data-status"] for row in page.rows if row["data-kind"] == "broken"} == {"blocked"}


def test_embedded_data_matches_the_rows():
    page = parse(render(sample_report()))
    data = json.loads(page.raw["script"][0])
    assert page.find("script")[0] == {"type": "application/json", "id": "report-data"}
    assert [item["url"] for item in data["rows"]] == [cells[4] for cells in page.cells]
    assert [item["status"] for item in data["rows"]] == [row["data-status"] for row in page.rows]
    assert data["rows"][0]["position"] == ["", 2, 0, 0, 4, 1]


def test_script_json_cannot_close_its_element():
    text = script_json({"url": "</script><script>alert(1)</script><!-- & -->"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"url": "</script><script>alert(1)</script><!-- & -->"}


def test_hostile_values_are_inert():
    text = render(injection_report())
    page = parse(text)
    scripts = page.find("script")
    assert scripts == [{"type": "application/json", "id": "report-data"}, {}]  # the data and our own script, nothing else
    assert len(page.raw["script"]) == 2
    data = page.raw["script"][0]
    assert "<" not in data and ">" not in data and "&" not in data
    assert json.loads(data)["rows"][0]["url"].startswith("https://evil.example/</script>")
    assert not [attrs for _, attrs in page.elements if any(name.startswith("on") for name in attrs)]
    assert {tag for tag, _ in page.elements} <= {
        "html", "head", "meta", "title", "style", "body", "header", "h1", "p", "h2", "table", "thead", "tbody", "tr",
        "th", "td", "a", "ul", "li", "code", "div", "label", "select", "option", "input", "span", "button", "script",
        "noscript", "time", "strong",
    }  # fmt: skip
    hrefs = [attrs["href"] for attrs in page.find("a")]
    assert all(href.startswith(("#status=", "https://")) for href in hrefs)
    assert "javascript:alert(1)" not in hrefs
    # The text shows what the report says (made printable), in the right cells.
    hostile = [cells for cells in page.cells if cells[0].startswith("docs/<script>")]
    assert [cells[2] for cells in hostile] == ["dead", "redirect_permanent"]
    assert hostile[0][0] == HOSTILE_FILE.replace("\n", "\u23ce")
    assert hostile[0][4].startswith(HOSTILE_URL.split("\n")[0])
    assert "\x1b" not in text and "\x00" not in text


def test_self_contained_and_locked_down():
    text = render(sample_report())
    page = parse(text)
    assert not page.find("link") and not page.find("img") and not page.find("iframe")
    assert not [attrs for _, attrs in page.elements if "src" in attrs]
    assert "url(" not in page.raw["style"][0] and "@import" not in page.raw["style"][0]
    assert "fetch(" not in page.raw["script"][1] and "XMLHttpRequest" not in page.raw["script"][1]
    (csp,) = [attrs["content"] for attrs in page.find("meta") if attrs.get("http-equiv") == "Content-Security-Policy"]

    def sha(source: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"

    assert f"script-src {sha(page.raw['script'][1])};" in csp
    assert f"style-src {sha(page.raw['style'][0])};" in csp
    assert re.match(r"default-src 'none';", csp)


def test_since_the_previous_run():
    assert '<p id="diff">Since run 41: 2 newly broken, 1 fixed, 1 still broken, 1 new and 0 removed citations.</p>' in render(diff_report())
    assert 'id="diff"' not in render(sample_report())
