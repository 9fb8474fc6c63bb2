"""The classification table of DESIGN.md."""

import pytest

from linkcheck.check.classify import classify
from linkcheck.check.outcome import Exchange, Failure, FailureKind, Outcome
from linkcheck.models import Redirect, Status

ACCEPT = frozenset(range(200, 300))


def outcome(status=None, hops=(), failure=None, final="https://example.org/b"):
    return Outcome(
        hops=[Redirect(f"https://example.org/{i}", code) for i, code in enumerate(hops)],
        final_url=final,
        last=Exchange("GET", final, status=status) if status else None,
        failure=Failure(failure, "why") if failure else None,
    )


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        (outcome(200), Status.OK),
        (outcome(204), Status.OK),
        (outcome(200, hops=[301]), Status.REDIRECT_PERMANENT),
        (outcome(200, hops=[308]), Status.REDIRECT_PERMANENT),
        (outcome(200, hops=[301, 302]), Status.REDIRECT_PERMANENT),
        (outcome(200, hops=[302]), Status.REDIRECT_TEMPORARY),
        (outcome(200, hops=[303]), Status.REDIRECT_TEMPORARY),
        (outcome(200, hops=[307, 301]), Status.REDIRECT_TEMPORARY),
        (outcome(404), Status.DEAD),
        (outcome(410), Status.DEAD),
        (outcome(404, hops=[301]), Status.DEAD),
        (outcome(401), Status.BLOCKED),
        (outcome(403), Status.BLOCKED),
        (outcome(429), Status.BLOCKED),
        (outcome(451), Status.BLOCKED),
        (outcome(500), Status.ERROR),
        (outcome(503), Status.ERROR),
        (outcome(400), Status.ERROR),
        (outcome(300), Status.ERROR),
        (outcome(failure=FailureKind.NXDOMAIN), Status.DEAD),
        (outcome(failure=FailureKind.DNS), Status.ERROR),
        (outcome(failure=FailureKind.REFUSED), Status.ERROR),
        (outcome(failure=FailureKind.RESET), Status.ERROR),
        (outcome(failure=FailureKind.TIMEOUT), Status.ERROR),
        (outcome(failure=FailureKind.TLS), Status.ERROR),
        (outcome(failure=FailureKind.REDIRECT_LOOP), Status.ERROR),
        (outcome(failure=FailureKind.TOO_MANY_REDIRECTS), Status.ERROR),
        (outcome(failure=FailureKind.PROTOCOL), Status.ERROR),
    ],
)
def test_classification_table(case, expected):
    status, error = classify(case, ACCEPT)
    assert status is expected
    assert (error is None) == (status in (Status.OK, Status.REDIRECT_TEMPORARY))


def test_accepted_codes_are_configurable():
    assert classify(outcome(429), frozenset({429}))[0] is Status.OK
    assert classify(outcome(200), frozenset({204}))[0] is Status.ERROR


def test_permanent_redirect_names_the_new_url():
    status, error = classify(outcome(200, hops=[301], final="https://example.org/new"), ACCEPT)
    assert "https://example.org/new" in error
