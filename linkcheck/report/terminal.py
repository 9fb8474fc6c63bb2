"""The terminal report: the citations that need attention, grouped by file, and a summary line.

All document-derived text goes through `Text` (never markup) with control characters
stripped, so a hostile URL or error message cannot restyle or move the terminal.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TextIO

from rich.console import Console
from rich.control import strip_control_codes
from rich.table import Table
from rich.text import Text

from linkcheck.models import WARNING_STATUSES, Location, Report, Result, Status
from linkcheck.report import ReportOptions

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
        shown = [result for result in report.results if result.status in options.fail_on or result.url in new]
        if not shown:
            return  # cron mails nothing when nothing is broken
    else:
        shown = [result for result in report.results if options.verbose or result.status not in _QUIET_STATUSES]
    by_file: dict[str, list[tuple[Location, Result]]] = defaultdict(list)
    for result in shown:
        for location in result.locations:
            by_file[location.file].append((location, result))
    for file in sorted(by_file):
        console.print(Text(safe(file), style="bold underline"))
        console.print(_file_table(sorted(by_file[file], key=lambda pair: pair[0].sort_key()), options))
    if report.diff is not None and report.diff.previous_run is not None:
        console.print(diff_line(report), soft_wrap=True)
    console.print(summary_line(report, options), soft_wrap=True)


def diff_line(report: Report) -> Text:
    """One line on what changed since the previous run over the same inputs."""
    diff = report.diff
    assert diff is not None
    parts = [
        (len(diff.new_broken), "newly broken", "bold red"),
        (len(diff.fixed), "fixed", "green"),
        (len(diff.still_broken), "still broken", ""),
        (len(diff.new_citations), "new URLs", ""),
        (len(diff.removed_citations), "removed URLs", ""),
    ]
    text = Text(f"Since run {diff.previous_run}: ")
    for index, (count, label, style) in enumerate(parts):
        if index:
            text.append(", ")
        text.append(f"{count} {label}", style=style if count else "")
    text.append(".")
    return text


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
            Text(result.status.value, style=status_style(result.status, options.fail_on)),
            str(result.http_status) if result.http_status is not None else "-",
            Text(safe(result.url)),
            Text(safe(detail(result))),
        )
    return table


def detail(result: Result) -> str:
    """What to do about a result: the new URL for a redirect, else the error sentence."""
    if result.status in (Status.REDIRECT_PERMANENT, Status.REDIRECT_TEMPORARY) and result.final_url:
        text = f"-> {result.final_url}"
    else:
        text = result.error or ""
    if result.status is Status.SUSPECT and result.failing_since is not None:
        text += f" [failing since {result.failing_since:%Y-%m-%d %H:%M}Z]"
    if result.cached:
        text += " (cached)"
    return text


def summary_line(report: Report, options: ReportOptions) -> Text:
    counts = ", ".join(f"{count} {status}" for status, count in report.by_status().items()) or "nothing to check"
    elapsed = f" in {options.elapsed:.1f}s" if options.elapsed is not None else ""
    text = Text(
        f"{_count(report.unique_urls, 'unique URL')}, {_count(report.links, 'citation')}, "
        f"{_count(report.documents, 'document')}{elapsed}: {counts}."
    )
    broken = report.broken(options.fail_on)
    citations = sum(len(result.locations) for result in broken)
    text.append("\n")
    if report.interrupted:
        text.append("Interrupted: the results above are partial. ", style="bold yellow")
    if broken:
        text.append(f"{_count(citations, 'broken citation')} ({_count(len(broken), 'URL')}).", style="bold red")
    else:
        text.append("No broken citations.", style="bold green")
    return text


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def safe(value: str) -> str:
    """Printable text only: no escape sequences, no carriage returns, newlines shown as ⏎."""
    cleaned = strip_control_codes(value).replace("\x1b", "")
    return "".join(ch if ch.isprintable() else "\ufffd" for ch in cleaned.replace("\n", "\u23ce"))
