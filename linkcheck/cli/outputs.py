"""Where a check's report goes: the --format/--output targets, each written (stdout or
atomically to its file), the notices and the one summary line on stderr."""

from __future__ import annotations

import os
import sys
from typing import TextIO

from linkcheck.cli.common import _error
from linkcheck.cli.host_stats import _print_host_stats
from linkcheck.config import Settings
from linkcheck.errors import UsageError
from linkcheck.models import Report
from linkcheck.outfile import check_writable, is_stdout, write_safely
from linkcheck.report import ReportOptions, known_formats, writer


def _report_targets(formats: tuple[str, ...] | list[str], output: str) -> list[tuple[str, str | None]]:
    targets: list[tuple[str, str | None]] = []
    for spec in formats:
        name, _, file = spec.partition(":")
        if name not in known_formats():
            raise UsageError(f"unknown report format {name!r} (known: {', '.join(known_formats())})")
        targets.append((name, file or None))
    if output:
        if len(targets) != 1:
            raise UsageError("--output goes with exactly one --format; use --format FMT:FILE for several")
        targets = [(targets[0][0], output)]
    targets = [(name, None if is_stdout(file) else file) for name, file in targets]
    if sum(1 for _, file in targets if file is None) > 1:
        raise UsageError("only one report format can go to stdout; give the others a file (--format FMT:FILE)")
    for _, file in targets:
        if file is not None:
            check_writable(file, "report")  # before the run, not after an hour of checking
    return targets


def _render(report: Report, settings: Settings, targets: list[tuple[str, str | None]], elapsed: float, quiet: bool) -> None:
    if not quiet:
        for notice in report.notices:
            _error(str(notice))
    if settings.report.host_stats and report.host_stats:
        _print_host_stats(report.host_stats)
    for name, file in targets:
        options = ReportOptions(
            fail_on=settings.fail_on,
            fail_on_drift=settings.fail_on_drift,
            verbose=settings.report.verbose,
            quiet=quiet,
            color=file is None and _wants_color(sys.stdout),
            elapsed=elapsed,
        )
        if file is None:
            writer(name)(report, sys.stdout, options)
            sys.stdout.flush()
        else:
            write_safely(file, lambda stream: writer(name)(report, stream, options), what="report")
    if not quiet and all(file is not None for _, file in targets):
        _print_summary(report, settings, [file for _, file in targets if file is not None])


def _print_summary(report: Report, settings: Settings, files: list[str]) -> None:
    """Every report went to a file: one line on stderr still says how the run went."""
    from linkcheck.report.plain import summary_text

    summary = summary_text(report, ReportOptions(fail_on=settings.fail_on, fail_on_drift=settings.fail_on_drift))
    _error(f"{summary} (report: {', '.join(files)})")


def _wants_color(stream: TextIO) -> bool:
    return stream.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"
