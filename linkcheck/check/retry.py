"""When to try a request again, and how long to wait: a pure predicate and a wait policy.

tenacity supplies the looping and sleeping; the decisions live here so they can be tested
as a table.
"""

from __future__ import annotations

import math
import random
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

from linkcheck.check.outcome import Exchange, FailureKind
from linkcheck.signatures import bot_wall

#: Statuses that mean "not now", not "not here".
RETRY_STATUSES = frozenset({429, 502, 503, 504})
#: Failures that are usually gone on the next try.
RETRY_FAILURES = frozenset({FailureKind.CONNECT_TIMEOUT, FailureKind.TIMEOUT, FailureKind.RESET})


def should_retry(exchange: Exchange, retry_after_max: float = math.inf) -> bool:
    """Transient failures only: timeouts, resets, 429, 502, 503, 504.

    Not when the server asks for a longer wait than `retry_after_max` (the run must not
    stall on it: the verdict says when to come back), nor when the answer is a bot wall's
    challenge (it does not pass by asking again).
    """
    if exchange.failure is not None:
        return exchange.failure.kind in RETRY_FAILURES
    if exchange.status not in RETRY_STATUSES:
        return False
    if exchange.retry_after is not None and exchange.retry_after > retry_after_max:
        return False
    return bot_wall(exchange.status, exchange.headers, exchange.body) is None


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds from a `Retry-After` header (delta-seconds or an HTTP date); None if absent or bad."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    delta = (moment - (now or datetime.now(timezone.utc))).total_seconds()
    return max(0.0, delta)


def retry_wait(
    exchange: Exchange,
    attempt: int,
    *,
    base: float,
    maximum: float,
    retry_after_max: float,
    rng: random.Random | None = None,
) -> float:
    """Seconds before attempt `attempt + 1`: the server's Retry-After (capped) if it gave one,
    else exponential backoff with full jitter (base, 2·base, 4·base … capped at `maximum`)."""
    if exchange.retry_after is not None:
        return min(exchange.retry_after, retry_after_max)
    ceiling = min(maximum, base * (2 ** max(0, attempt - 1)))
    return (rng or random).uniform(ceiling / 2, ceiling)
