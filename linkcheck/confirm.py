"""Confirmed deadness: a citation counts as broken only after failing long enough.

The Internet Archive's dead-link bot does not believe one failure: sites have outages.
With `--confirm 3/72h` a broken verdict stays `suspect` until the URL has failed in 3
checks spanning at least 72 hours. `--confirm 1` (or no history) reports at once, as CI
wants.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime

from linkcheck.durations import format_duration, parse_duration
from linkcheck.models import Result, Status


@dataclass(frozen=True, slots=True)
class ConfirmRule:
    checks: int = 1
    span: float = 0.0

    @classmethod
    def parse(cls, text: str) -> ConfirmRule:
        """`3/72h`, `3` or empty (report at once)."""
        value = text.strip()
        if not value:
            return cls()
        match = re.fullmatch(r"(\d+)(?:/(.+))?", value)
        if not match or int(match.group(1)) < 1:
            raise ValueError(f"{text!r} is not a confirmation rule such as 3/72h (checks/span)")
        return cls(int(match.group(1)), parse_duration(match.group(2)) if match.group(2) else 0.0)

    @property
    def immediate(self) -> bool:
        return self.checks <= 1 and self.span <= 0

    def __str__(self) -> str:
        return f"{self.checks}/{format_duration(self.span)}" if self.span else str(self.checks)


def confirm(result: Result, earlier_failures: list[datetime], rule: ConfirmRule, now: datetime) -> Result:
    """`result` as is when its failure is confirmed, else the same verdict as `suspect`.

    `earlier_failures` are the times of the consecutive failing checks before this one.
    """
    if rule.immediate:
        return result
    first = earlier_failures[0] if earlier_failures else (result.checked_at or now)
    count = len(earlier_failures) + 1
    if count >= rule.checks and (now - first).total_seconds() >= rule.span:
        return replace(result, failing_since=first)
    detail = f"{result.status.value}" + (f": {result.error}" if result.error else "")
    return replace(
        result,
        status=Status.SUSPECT,
        error=f"{detail} (failure {count} of {rule.checks} needed over {format_duration(rule.span)}; not confirmed yet)",
        failing_since=first,
    )
