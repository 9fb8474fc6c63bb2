"""Report formats: one small module each, one interface, one registry.

Every format module has `write(report: Report, stream: TextIO, options: ReportOptions) -> None`.
Adding a format is one module and one line in `_FORMATS`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO

from linkcheck.models import DEFAULT_FAIL_ON, Report, Status

#: Format name -> module under `linkcheck.report`.
_FORMATS: dict[str, str] = {
    "terminal": "terminal",
    "json": "json_report",
    "markdown": "markdown",
    "html": "html",
    "junit": "junit",
    "sarif": "sarif",
    "github": "github",
    "csv": "csv_report",
}


@dataclass(frozen=True)
class ReportOptions:
    fail_on: frozenset[Status] = DEFAULT_FAIL_ON
    #: `--fail-on drift`: a drifted citation counts as broken (by default it is only reported).
    fail_on_drift: bool = False
    #: List every result, not only those needing attention (terminal).
    verbose: bool = False
    #: Only what is broken or new since the last run (terminal; for cron mail).
    quiet: bool = False
    color: bool = False
    width: int | None = None
    #: Seconds the run took, for the summary line (None to leave it out, e.g. golden tests).
    elapsed: float | None = None


Writer = Callable[[Report, TextIO, ReportOptions], None]


def known_formats() -> list[str]:
    return sorted(_FORMATS)


def writer(name: str) -> Writer:
    """The `write` function of a format; KeyError for an unknown one."""
    module = importlib.import_module(f"linkcheck.report.{_FORMATS[name]}")
    return module.write  # type: ignore[no-any-return]
