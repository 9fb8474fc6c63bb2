"""The retry predicate and wait policy, as tables."""

import random
from datetime import datetime, timezone

import pytest

from linkcheck.check.outcome import Exchange, Failure, FailureKind
from linkcheck.check.retry import parse_retry_after, retry_wait, should_retry


def exchange(status=None, failure=None, retry_after=None):
    return Exchange("GET", "https://example.org/", status=status, failure=failure, retry_after=retry_after)


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        (exchange(200), False),
        (exchange(301), False),
        (exchange(404), False),
        (exchange(403), False),
        (exchange(500), False),
        (exchange(501), False),
        (exchange(429), True),
        (exchange(502), True),
        (exchange(503), True),
        (exchange(504), True),
        (exchange(failure=Failure(FailureKind.TIMEOUT, "t")), True),
        (exchange(failure=Failure(FailureKind.CONNECT_TIMEOUT, "t")), True),
        (exchange(failure=Failure(FailureKind.RESET, "r")), True),
        (exchange(failure=Failure(FailureKind.NXDOMAIN, "n")), False),
        (exchange(failure=Failure(FailureKind.REFUSED, "r")), False),
        (exchange(failure=Failure(FailureKind.TLS, "t")), False),
        (exchange(failure=Failure(FailureKind.PROTOCOL, "p")), False),
    ],
)
def test_should_retry_table(case, expected):
    assert should_retry(case) is expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("", None),
        ("0", 0.0),
        ("1", 1.0),
        ("120", 120.0),
        ("soon", None),
        ("-5", None),
        ("Wed, 21 Oct 2015 07:28:30 GMT", 30.0),
        ("Wed, 21 Oct 2015 07:27:00 GMT", 0.0),  # in the past: no wait
    ],
)
def test_parse_retry_after(header, expected):
    now = datetime(2015, 10, 21, 7, 28, 0, tzinfo=timezone.utc)
    assert parse_retry_after(header, now=now) == expected


def test_retry_after_is_honoured_up_to_the_cap():
    assert retry_wait(exchange(429, retry_after=3), 1, base=1, maximum=30, retry_after_max=60) == 3
    assert retry_wait(exchange(429, retry_after=3600), 1, base=1, maximum=30, retry_after_max=60) == 60


def test_backoff_is_exponential_with_jitter_and_capped():
    rng = random.Random(7)
    waits = [retry_wait(exchange(503), attempt, base=1, maximum=5, retry_after_max=60, rng=rng) for attempt in (1, 2, 3, 4, 5)]
    ceilings = [1, 2, 4, 5, 5]
    for wait, ceiling in zip(waits, ceilings):
        assert ceiling / 2 <= wait <= ceiling
    assert len(set(waits)) == len(waits)  # jittered, not a fixed schedule
