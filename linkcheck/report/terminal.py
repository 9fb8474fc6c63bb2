"""The terminal report: the citations that need attention, grouped by file, and a summary line.

All document-derived text goes through `Text` (never markup) with control characters
stripped, so a hostile URL or error message cannot restyle or move the terminal.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from linkcheck.models import WARNING_STATUSES, Location, Report, Result, Status
from linkcheck.report import ReportOptions
from linkcheck.report.plain import safe, summary_parts
from linkcheck.report.rot_notes import is_broken, is_drifted, notes, status_label, suggestion_url

_QUIET_STATUSES = frozenset({Status.OK, Status.REDIRECT_TEMPORARY, Status.EXCLUDED, Status.UNSUPPORTED})


def status_style(status: Status, fail_on: frozenset[Status]) -> str:
    if status in fail_on:
        return "bold red"
    if status in WARNING_STATUSES:
        return "yellow"
    if status is Status.OK:
        return "green"
    return "dim"


def write(report: Report, stream: TextIO, options: ReportOptions) -> None:
    console = Console(
        file=stream,
        width=options.width,
        force_terminal=options.color,
        no_color=not options.color,
        highlight=False,
        emoji=False,
        soft_wrap=False,
    )
    if options.quiet:
        new = set(report.diff.new_broken) if report.diff else set()
        shown = [result for result in report.results if is_broken(result, options.fail_on, options.fail_on_drift) or result.url in new]
        if not shown:
            return  # cron mails nothing when nothing is broken
    else:
        shown = [result for result in report.results if options.verbose or needs_attention(result)]
    by_file: dict[str, list[tuple[Location, Result]]] = defaultdict(list)
    for result in shown:
        for location in result.locations:
            by_file[location.file].append((location, result))
    for file in sorted(by_file):
        console.print(Text(safe(file), style="bold underline"), soft_wrap=True)  # a path is never broken
        rows = sorted(by_file[file], key=lambda pair: pair[0].sort_key())
        if _table_fits(rows, console.width):
            console.print(_file_table(rows, options))
        else:
            _print_rows(console, rows, options)
    if report.diff is not None and report.diff.previous_run is not None:
        console.print(diff_line(report), soft_wrap=True)
    console.print(summary_line(report, options), soft_wrap=True)


def needs_attention(result: Result) -> bool:
    """Listed without -v: not a quiet status, or a drifted page, or one with an archived copy."""
    return result.status not in _QUIET_STATUSES or is_drifted(result) or suggestion_url(result) is not None


def result_style(result: Result, options: ReportOptions) -> str:
    """The status's style; a drifted page is a warning (broken under --fail-on drift)."""
    if is_broken(result, options.fail_on, options.fail_on_drift):
        return "bold red"
    if is_drifted(result):
        return "yellow"
    return status_style(result.status, options.fail_on)


def diff_line(report: Report) -> Text:
    """One line on what changed since the previous run over the same inputs."""
    diff = report.diff
    assert diff is not None
    parts = [
        (len(diff.new_broken), "newly broken", "bold red"),
        (len(diff.fixed), "fixed", "green"),
        (len(diff.still_broken), "still broken", ""),
        (len(diff.new_citations), "new URL" if len(diff.new_citations) == 1 else "new URLs", ""),
        (len(diff.removed_citations), "removed URL" if len(diff.removed_citations) == 1 else "removed URLs", ""),
    ]
    text = Text(f"Since run {diff.previous_run}: ")
    for index, (count, label, style) in enumerate(parts):
        if index:
            text.append(", ")
        text.append(f"{count} {label}", style=style if count else "")
    text.append(".")
    return text


#: Columns the table needs beside the URL: where, status, HTTP, a little detail, and gaps.
_TABLE_MIN_REST = 44


def _table_fits(rows: list[tuple[Location, Result]], width: int) -> bool:
    """Whether every URL fits the table whole (a URL broken over lines cannot be copied)."""
    longest = max((len(safe(result.url)) for _, result in rows), default=0)
    return longest + _TABLE_MIN_REST <= width


def _print_rows(console: Console, rows: list[tuple[Location, Result]], options: ReportOptions) -> None:
    """The narrow layout: one line per citation with the URL whole at its end (the terminal
    may wrap it on screen, but no line break is written into it), the detail below."""
    for location, result in rows:
        line = Text(f"  {safe(location.where())}  ")
        line.append(status_label(result), style=result_style(result, options))
        line.append(f"  {result.http_status if result.http_status is not None else '-'}  ")
        line.append(safe(result.url))
        console.print(line, soft_wrap=True)
        text = detail(result)
        if text:
            console.print(Text("      " + safe(text)), overflow="fold")


def _file_table(rows: list[tuple[Location, Result]], options: ReportOptions) -> Table:
    table = Table(box=None, pad_edge=False, show_header=True, header_style="bold")
    table.add_column("Where", justify="right", no_wrap=True)
    table.add_column("Status", no_wrap=True)
    table.add_column("HTTP", justify="right", no_wrap=True)
    table.add_column("URL", overflow="fold")
    table.add_column("Detail", overflow="fold")
    for location, result in rows:
        table.add_row(
            Text(safe(location.where())),
            Text(status_label(result), style=result_style(result, options)),
            str(result.http_status) if result.http_status is not None else "-",
            Text(safe(result.url)),
            Text(safe(detail(result))),
        )
    return table


def detail(result: Result, rot: bool = True) -> str:
    """What to do about a result: the new URL for a redirect, else the error sentence; then
    (with `rot`) the content drift and the archived copy to cite instead, where known."""
    if result.status in (Status.REDIRECT_PERMANENT, Status.REDIRECT_TEMPORARY) and result.final_url:
        text = f"-> {result.final_url}"
    else:
        text = result.error or ""
    if result.status is Status.SUSPECT and result.failing_since is not None:
        text += f" [failing since {result.failing_since:%Y-%m-%d %H:%M}Z]"
    if result.cached:
        text += " (cached)"
    if rot:
        for note in notes(result):
            text = f"{text}; {note}" if text else note
    return text


def summary_line(report: Report, options: ReportOptions) -> Text:
    """`plain.summary_parts`, styled for the terminal."""
    text = Text()
    for part, style in summary_parts(report, options):
        text.append(part, style=style)
    return text
