"""The terminal report: inert for hostile text, golden-stable with a pinned clock and width."""

import io
import json

from linkcheck.models import Status
from linkcheck.report import ReportOptions, writer
from tests.report_samples import HOSTILE_URL, injection_report, sample_report


def render(report, **options):
    stream = io.StringIO()
    writer("terminal")(report, stream, ReportOptions(width=120, **options))
    return stream.getvalue()


def test_hostile_text_cannot_restyle_or_move_the_terminal():
    out = render(injection_report(), verbose=True)
    assert "\x1b" not in out and "\r" not in out
    # The newline inside the hostile URL is shown as a symbol, never as a line break.
    assert "\u23ce" in out
    for line in out.splitlines():
        assert not line.lstrip().startswith("::"), line  # no injected annotation lines
    assert "[31m" in out  # the text of the escape sequence survives, inert, without its ESC


def test_colour_is_only_for_statuses():
    coloured = render(injection_report(), color=True)
    plain = render(injection_report(), color=False)
    assert "\x1b[" in coloured and "\x1b[" not in plain


def test_quiet_prints_nothing_without_broken_or_new():
    report = sample_report()
    report.results = [result for result in report.results if result.status is Status.OK]
    assert render(report, quiet=True) == ""


def test_json_report_round_trips_hostile_text():
    stream = io.StringIO()
    writer("json")(injection_report(), stream, ReportOptions())
    urls = [result["url"] for result in json.loads(stream.getvalue())["results"]]
    assert HOSTILE_URL in urls
