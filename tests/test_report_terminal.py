"""The terminal report: inert for hostile text, golden-stable with a pinned clock and width."""

import io
import json

import pytest

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


@pytest.mark.parametrize("width", [80, 120])
def test_a_long_url_and_a_path_are_never_broken_over_lines(width):
    """Issue 17 friction: a URL folded mid-string cannot be copied from the terminal."""
    import io

    from linkcheck.models import Location, Report, Result, Status
    from linkcheck.report import ReportOptions, writer

    url = "https://example.org/a/very/long/path/that/goes/on/and/on/forever/and/ever/and/then/some/index.html"
    path = "docs/a folder with spaces/and a long file name article.md"
    result = Result(url, Status.DEAD, http_status=404, error="not found (404)", locations=[Location(path, 3, 6)])
    stream = io.StringIO()
    from datetime import datetime, timezone

    now = datetime(2026, 12, 7, tzinfo=timezone.utc)
    writer("terminal")(Report([result], now, now, documents=1, links=1), stream, ReportOptions(width=width))
    lines = stream.getvalue().splitlines()
    assert any(url in line for line in lines) and any(path in line for line in lines)
