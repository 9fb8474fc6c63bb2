"""The Markdown report: verdict, counts, broken table, warnings folded away, and nothing a URL
or an error says can break a table row or turn into Markdown or HTML."""

from __future__ import annotations

import io
from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt

from linkcheck.models import Diff, Status
from linkcheck.report import ReportOptions
from linkcheck.report.markdown import escape, write
from tests.report_samples import (
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


def to_html(markdown: str) -> str:
    """Rendered as GitHub would parse it: CommonMark + tables + strikethrough, raw HTML allowed."""
    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"]).render(markdown)


class Elements(HTMLParser):
    """Start tags in order, and the text of every table cell, row by row, per table."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def parse(markdown: str) -> Elements:
    parser = Elements()
    parser.feed(to_html(markdown))
    return parser


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        (None, ""),
        ("plain https://example.org/a/b?c=d", "plain https://example.org/a/b?c=d"),
        ("a|b", "a&#124;b"),
        ("`code`", "&#96;code&#96;"),
        ("<script>alert(1)</script>", "&#60;script&#62;alert&#40;1&#41;&#60;/script&#62;"),
        ("[x](javascript:alert(1))", "&#91;x&#93;&#40;javascript:alert&#40;1&#41;&#41;"),
        ("![img](http://x/y.png)", "&#33;&#91;img&#93;&#40;http://x/y.png&#41;"),
        ("*em* _em_ ~~del~~ $math$", "&#42;em&#42; &#95;em&#95; &#126;&#126;del&#126;&#126; &#36;math&#36;"),
        ("&amp; \\| \"q\" 'q'", "&#38;amp; &#92;&#124; &#34;q&#34; &#39;q&#39;"),
        ("line one\nline two\r\n", "line one\u23celine two\u23ce"),
        ("\x1b[31mred\x1b[0m", "&#91;31mred&#91;0m"),
        ("nul\x00 bell\x07", "nul\ufffd bell"),
    ],
)
def test_escape(raw, escaped):
    assert escape(raw) == escaped


def test_escape_renders_back_to_the_same_text_and_nothing_else():
    text = "a|b `c` <i>d</i> [e](f) *g* \\h"
    html = to_html(f"| x |\n| --- |\n| {escape(text)} |\n")
    parser = Elements()
    parser.feed(html)
    assert parser.tags == ["table", "thead", "tr", "th", "tbody", "tr", "td"]
    assert parser.tables[0][1] == [text]


def test_heading_counts_and_tables():
    text = render(sample_report())
    lines = text.splitlines()
    assert lines[0] == "## linkcheck: ❌ 8 broken citations (6 URLs)"
    assert "13 unique URLs, 16 citations, 7 documents; checked from 2026-11-29T14:00:00Z to 2026-11-29T14:00:09Z." in lines
    doc = parse(text)
    summary, broken, warnings, notices = doc.tables
    assert summary[0] == ["Status", "URLs", "Citations", "Counts as"]
    assert {row[0]: row[1:] for row in summary[1:]} == {
        "blocked": ["1", "1", "warning"],
        "dead": ["2", "4", "broken"],
        "error": ["1", "1", "broken"],
        "excluded": ["1", "1", ""],
        "fragment_missing": ["1", "1", "broken"],
        "invalid": ["1", "1", "broken"],
        "ok": ["1", "2", ""],
        "redirect_permanent": ["1", "1", "warning"],
        "redirect_temporary": ["1", "1", ""],
        "soft404": ["1", "1", "broken"],
        "suspect": ["1", "1", "warning"],
        "unsupported": ["1", "1", ""],
    }
    assert broken[0] == ["File", "Where", "Status", "HTTP", "URL", "Detail"]
    assert broken[1:] == [
        ["analysis.ipynb", "cell 2, 4:1", "soft404", "200", "https://example.org/deep/link", "redirects a deep link to the home page"],
        ["book.epub", "OEBPS/ch1.xhtml 8:3", "invalid", "", "http://[broken", "invalid IPv6 URL"],
        ["docs/guide.md", "7:10", "dead", "404", "https://example.org/missing", "404 Not Found"],
        ["docs/guide.md", "9:1", "error", "", "https://down.example/", "connection refused (cached)"],
        ["docs/guide.md", "15:8", "dead", "404", "https://doi.org/10.1000/xyz", "DOI not found (404)"],
        ["docs/intro.md", "20:1", "dead", "404", "https://example.org/missing", "404 Not Found"],
        ["docs/intro.md", "25:3", "dead", "404", "https://example.org/missing", "404 Not Found"],
        ["notes.docx", "¶ 14", "fragment_missing", "200", "https://example.org/page#results", "anchor #results not found in the page"],
    ]
    assert [row[:3] for row in warnings[1:]] == [
        ["docs/intro.md", "12:5", "redirect_permanent"],
        ["docs/intro.md", "30:1", "suspect"],
        ["papers/report.pdf", "p. 3", "blocked"],
    ]
    assert warnings[1][5] == "-> https://example.org/new"
    assert notices[1:] == [["docs/image.png", "skipped: binary file"]]


def test_warnings_are_folded_in_details():
    text = render(sample_report())
    start = text.index("<details>\n<summary>3 warnings (3 URLs)</summary>\n\n| File |")
    assert text.index("### Broken citations") < start < text.index("</details>")


def test_no_broken_citations():
    report = sample_report()
    report.results = [result for result in report.results if result.status in (Status.OK, Status.EXCLUDED)]
    text = render(report)
    assert text.startswith("## linkcheck: ✅ no broken citations\n")
    assert "### Broken citations" not in text and "warning" not in text


def test_fail_on_decides_what_is_broken():
    text = render(sample_report(), fail_on=frozenset({Status.BLOCKED}))
    assert text.startswith("## linkcheck: ❌ 1 broken citation (1 URL)\n")
    broken = parse(text).tables[1]
    assert [row[2] for row in broken[1:]] == ["blocked"]
    assert "2 warnings (2 URLs)" in text


def test_interrupted_and_empty():
    assert "> **Interrupted:** the run was stopped early; these results are partial." in render(interrupted_report())
    text = render(empty_report())
    assert text.startswith("## linkcheck: ✅ no broken citations\n")
    assert "| (nothing checked) | 0 | 0 | |" in text
    assert "Interrupted" not in text


def test_hostile_values_stay_inside_their_cells():
    text = render(injection_report())
    doc = parse(text)
    # Only the structure we wrote: no script, link, image, code span but the statuses, emphasis …
    assert set(doc.tags) <= {"h2", "p", "table", "thead", "tbody", "tr", "th", "td", "h3", "code", "details", "summary"}
    assert doc.tags.count("code") == 4 + 3 + 1  # status cells: summary (4), broken (3), warnings (1)
    summary, broken, warnings, notices = doc.tables
    assert all(len(row) == 4 for row in summary)
    assert all(len(row) == 6 for row in broken + warnings)
    assert all(len(row) == 2 for row in notices)
    assert len(broken) == 1 + 3 and len(warnings) == 1 + 1 and len(notices) == 1 + 1
    hostile_row = broken[3]
    assert hostile_row[0] == "docs/<script>alert(1)</script>,x:y\u23ce::error::f.md"
    assert hostile_row[4].startswith("https://evil.example/</script><script>alert(1)</script>\"'\u23ce::error::pwned%0A\u23ce::warning file=x::y")
    assert "[31mred[0m | `tick` ](javascript:alert(1)) <b>*bold*</b> &amp; @here $x$" in hostile_row[4]
    assert hostile_row[5].startswith("=cmd|' /C calc'!A0 ")
    # No raw markup character from a value reaches the Markdown source.
    for line in text.splitlines():
        if line.startswith("| ") and "evil" in line:
            assert line.count("|") == 7 and line.count("`") == 2 and "<" not in line and "\x1b" not in line


def test_since_the_previous_run_and_singulars():
    text = render(diff_report())
    assert "Since run 41: 2 newly broken, 1 fixed, 1 still broken, 1 new and 0 removed citations." in text
    report = sample_report()
    report.diff = Diff(previous_run=None)
    assert "No previous run over these inputs to compare with." in render(report)
    assert "Since run" not in render(sample_report())
    report = sample_report()
    report.results, report.links, report.documents, report.notices = report.results[:1], 1, 1, []
    report.results[0].locations = report.results[0].locations[:1]
    assert "\n1 unique URL, 1 citation, 1 document; checked" in render(report)
