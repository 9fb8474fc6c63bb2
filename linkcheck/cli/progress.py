"""The progress bar on stderr (a terminal only): failures, by the run's --fail-on, above it."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from linkcheck.models import Result, Status


class _Progress:
    """Progress on stderr: indeterminate until the number of URLs is known, failures above the bar."""

    def __init__(self, enabled: bool, fail_on: frozenset[Status]) -> None:
        self.bar: Any = None
        self.task: Any = None
        self.fail_on = fail_on
        if enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            self.bar = Progress(
                SpinnerColumn(),
                TextColumn("[progress.description]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self.task = self.bar.add_task("Extracting links", total=None)

    def total(self, count: int) -> None:
        if self.bar is not None:
            self.bar.update(self.task, total=count, description="Checking")

    def result(self, result: Result) -> None:
        if self.bar is None:
            return
        from linkcheck.report.plain import safe

        self.bar.advance(self.task)
        if result.status in self.fail_on:  # the run's --fail-on, as in the report
            from rich.text import Text

            where = result.locations[0] if result.locations else None
            place = f"{where.file}:{where.line}:{where.column} " if where else ""
            self.bar.console.print(Text(f"✗ {safe(place)}{result.status.value} {safe(result.url)}", style="red"))


@contextmanager
def _progress(quiet: bool, fail_on: frozenset[Status]) -> Iterator[_Progress]:
    enabled = not quiet and sys.stderr.isatty() and os.environ.get("TERM") != "dumb"
    progress = _Progress(enabled, fail_on)
    if progress.bar is None:
        yield progress
        return
    with progress.bar:
        yield progress
