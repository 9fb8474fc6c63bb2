"""`report.plain`: the summary in words and `safe`, with no terminal library, saying what the
terminal report says."""

import subprocess
import sys

import pytest

from linkcheck.models import Location, Result, Status
from linkcheck.report import ReportOptions
from linkcheck.report.plain import safe, summary_text
from linkcheck.report.terminal import summary_line
from tests.report_samples import diff_report, empty_report, injection_report, interrupted_report, rot_report, sample_report


@pytest.mark.parametrize("make", [sample_report, diff_report, interrupted_report, empty_report, injection_report, rot_report])
@pytest.mark.parametrize("drift", [False, True])
def test_the_stderr_summary_is_the_terminal_summary_on_one_line(make, drift):
    options = ReportOptions(fail_on_drift=drift, elapsed=1.25)
    report = make()
    assert summary_text(report, options) == summary_line(report, options).plain.replace("\n", " ")


def test_the_summary_counts_and_words_what_broke():
    report = sample_report()
    report.results = [Result("https://a.example/", Status.DEAD, locations=[Location("a.md", 1, 1), Location("b.md", 2, 5)])]
    text = summary_text(report, ReportOptions())
    assert "1 dead." in text and "2 broken citations (1 URL)." in text


def test_safe_leaves_no_control_character_and_shows_newlines():
    assert safe("a\x1b[31mb\rc\x07d\x08e\x0bf\x0cg\nh\x00i") == "a[31mbcdefg\u23ceh\ufffdi"


def test_the_summary_does_not_import_rich():
    code = "import sys, linkcheck.report.plain; print(sorted(m for m in sys.modules if m == 'rich' or m.startswith('rich.')))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "[]"
