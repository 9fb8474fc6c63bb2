"""From what happened to a verdict: the table of README's Results section as one pure function."""

from __future__ import annotations

from collections.abc import Container

from linkcheck.check.outcome import FailureKind, Outcome
from linkcheck.models import Status

PERMANENT_REDIRECTS = frozenset({301, 308})
DEAD_STATUSES = frozenset({404, 410})
#: The server refused *us*; the page may well be alive (bot walls, auth, rate limits, legal blocks).
BLOCKED_STATUSES = frozenset({401, 403, 429, 451})

_DEAD_FAILURES = frozenset({FailureKind.NXDOMAIN})


def classify(outcome: Outcome, accept: Container[int]) -> tuple[Status, str | None]:
    """The status and a short human sentence (None when all is well)."""
    if outcome.failure is not None:
        if outcome.failure.kind is FailureKind.INVALID_URL:
            return Status.INVALID, outcome.failure.message
        if outcome.failure.kind is FailureKind.BLOCKED_ADDRESS:
            return Status.EXCLUDED, outcome.failure.message
        status = Status.DEAD if outcome.failure.kind in _DEAD_FAILURES else Status.ERROR
        return status, outcome.failure.message
    code = outcome.status
    if code is None:  # pragma: no cover - an outcome always has a failure or a status
        return Status.ERROR, "no response"
    if code in accept:
        if not outcome.hops:
            return Status.OK, None
        first = outcome.hops[0].status
        if first in PERMANENT_REDIRECTS:
            return Status.REDIRECT_PERMANENT, f"moved permanently ({first}) to {outcome.final_url}"
        return Status.REDIRECT_TEMPORARY, None
    if code in DEAD_STATUSES:
        return Status.DEAD, f"{_phrase(code)} ({code})"
    if code in BLOCKED_STATUSES:
        return Status.BLOCKED, f"{_phrase(code)} ({code}): the server refused the checker; the page may be alive"
    if 300 <= code < 400:
        return Status.ERROR, f"redirect ({code}) without a usable Location"
    if code >= 500:
        return Status.ERROR, f"server error: {_phrase(code)} ({code})"
    return Status.ERROR, f"{_phrase(code)} ({code})"


def _phrase(code: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(code).phrase.lower()
    except ValueError:
        return "HTTP status"
