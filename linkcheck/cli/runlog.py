"""`--log-file`: the appended run log."""

from __future__ import annotations

import time

from linkcheck.cli.common import _error
from linkcheck.config import Settings
from linkcheck.models import Report
from linkcheck.report import ReportOptions


class _RunLog:
    """`--log-file`: an appended, timestamped record of each run, for unattended use."""

    def __init__(self, path: str | None) -> None:
        self.path = path

    def report(self, report: Report, settings: Settings) -> None:
        if self.path is None:
            return
        from linkcheck.report.plain import safe, summary_text

        stamp = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        lines = [f"{stamp} notice {safe(str(notice))}" for notice in report.notices]
        for result in report.broken(settings.fail_on):
            for location in result.locations:
                lines.append(f"{stamp} broken {safe(location.file)} {location.where()} {result.status.value} {safe(result.url)} {safe(result.error or '')}")
        summary = summary_text(report, ReportOptions(fail_on=settings.fail_on, fail_on_drift=settings.fail_on_drift))
        lines.append(f"{stamp} summary {summary}")
        try:
            with open(self.path, "a", encoding="utf-8") as handle:
                handle.write("\n".join(lines) + "\n")
        except OSError as exc:
            _error(f"cannot write the log file {self.path}: {exc.strerror or exc}")
