"""From what happened to a verdict: the table of README's Results section as one pure function.

The status code is only the first reading. Before it is believed, the answer is read for
what the real web puts in front of a page (`linkcheck.signatures`): a bot wall answers
403, 429, 503, 999 or even 200 with a challenge; a rate limit asks for a wait; a deep
link redirected to a sign-in or consent page, or a domain that changed hands, answers 200
with something that is not the source. Each of those is named in the reason.
"""

from __future__ import annotations

import math
from collections.abc import Container
from datetime import datetime
from urllib.parse import urlsplit

from linkcheck.check.outcome import Exchange, FailureKind, Outcome
from linkcheck.models import Status
from linkcheck.signatures import (
    BlockReason,
    Scan,
    Wall,
    blocked_by,
    bot_wall,
    is_html,
    meta_refresh,
    page_shape,
    page_wall_in,
    parked,
    redirect_wall,
    scan,
)

PERMANENT_REDIRECTS = frozenset({301, 308})
DEAD_STATUSES = frozenset({404, 410})
#: The server refused *us*; the page may well be alive (bot walls, auth, rate limits, legal blocks).
BLOCKED_STATUSES = frozenset({401, 403, 429, 451, 999})
#: Answers that carry a wait (`Retry-After`): "not now", not "not here".
QUOTA_STATUSES = frozenset({429, 503})
#: The DOI resolver's hosts: what it answers is the registry speaking, not the publisher.
DOI_HOSTS = frozenset({"doi.org", "dx.doi.org", "www.doi.org"})

_DEAD_FAILURES = frozenset({FailureKind.NXDOMAIN})


def classify(outcome: Outcome, accept: Container[int], retry_after_max: float = math.inf) -> tuple[Status, str | None]:
    """The status and a short human sentence (None when all is well).

    `retry_after_max`: a `Retry-After` longer than this was not waited out (the fetcher
    does not retry it), so the verdict is `blocked` with the time to come back.
    """
    status, reason = _classify(outcome, accept, retry_after_max)
    cited = outcome.hops[0].url if outcome.hops else outcome.final_url
    if "doi.org" in cited.lower() and (urlsplit(cited).hostname or "").lower() in DOI_HOSTS:  # the cheap test first
        return _as_doi(outcome, status, reason)
    return status, reason


def _classify(outcome: Outcome, accept: Container[int], retry_after_max: float) -> tuple[Status, str | None]:
    if outcome.failure is not None:
        if outcome.failure.kind is FailureKind.INVALID_URL:
            return Status.INVALID, outcome.failure.message
        if outcome.failure.kind is FailureKind.BLOCKED_ADDRESS:
            return Status.EXCLUDED, outcome.failure.message
        status = Status.DEAD if outcome.failure.kind in _DEAD_FAILURES else Status.ERROR
        return status, outcome.failure.message
    code = outcome.status
    last = outcome.last
    if code is None or last is None:  # pragma: no cover - an outcome always has a failure or a status
        return Status.ERROR, "no response"
    if code in accept and not 200 <= code < 300:
        return _live(outcome, code, last)  # the user counts this code as alive (`check.accept`)
    host = (urlsplit(outcome.final_url).hostname or "") if code == 999 else ""  # only 999 names its site
    scanned = scan(last.body)  # one pass over the page for every recogniser below
    wall = bot_wall(code, last.headers, last.body, host, scanned)
    if wall is not None:
        return Status.BLOCKED, wall.message
    if code in QUOTA_STATUSES and last.retry_after is not None and (code == 429 or last.retry_after > retry_after_max):
        return Status.BLOCKED, _rate_limited(code, last, waited=last.retry_after <= retry_after_max)
    if code in accept:
        return _live(outcome, code, last, scanned)
    if code in DEAD_STATUSES:
        return Status.DEAD, f"{_phrase(code)} ({code})"
    if code == 451:
        target = blocked_by(last.headers)
        by = f", blocked by {target}" if target else ""
        return Status.BLOCKED, f"{BlockReason.LEGAL.value}: unavailable for legal reasons (451){by}; the page may exist where it is not blocked"
    if code == 429:
        return Status.BLOCKED, f"{BlockReason.RATE_LIMIT.value}: too many requests (429); the page may be alive"
    if code in BLOCKED_STATUSES:
        return Status.BLOCKED, f"{_phrase(code)} ({code}): the server refused the checker; the page may be alive"
    if 300 <= code < 400:
        return Status.ERROR, f"redirect ({code}) without a usable Location"
    if code >= 500:
        return Status.ERROR, f"server error: {_phrase(code)} ({code})"
    return Status.ERROR, f"{_phrase(code)} ({code})"


def _live(outcome: Outcome, code: int, last: Exchange, scanned: Scan | None = None) -> tuple[Status, str | None]:
    """An accepted answer: the source, or a wall or lander that answered in its place."""
    cited = outcome.hops[0].url if outcome.hops else outcome.final_url
    content_type = last.headers.get("content-type") if last.headers is not None else None
    scanned = scanned or scan(last.body)
    lander = parked(cited, outcome.final_url, code, last.body, content_type, scanned)
    if lander is not None:
        return Status.PARKED, f"the domain no longer belongs to the cited site: {lander}"
    moved = bool(outcome.hops) and outcome.final_url != cited  # back where it started (a cookie was set): not moved
    wall = _redirect_wall(cited, outcome.final_url, last, content_type) if moved else None
    refresh = meta_refresh(last.body, outcome.final_url) if wall is None and is_html(content_type, last.body) else None
    if refresh is not None:  # `<meta http-equiv="refresh" content="0; url=/login?next=…">` is a redirect too
        wall = redirect_wall(cited, refresh, None)
    wall = wall or page_wall_in(last.body, content_type, outcome.final_url, scanned)
    if wall is not None:
        return Status.BLOCKED, wall.message
    if not moved:
        return Status.OK, None
    first = outcome.hops[0].status
    if first in PERMANENT_REDIRECTS:
        return Status.REDIRECT_PERMANENT, f"moved permanently ({first}) to {outcome.final_url}"
    return Status.REDIRECT_TEMPORARY, None


def _redirect_wall(cited: str, final: str, last: Exchange, content_type: str | None) -> Wall | None:
    shape = page_shape(last.body) if last.body and is_html(content_type, last.body) else None
    return redirect_wall(cited, final, shape)


def _rate_limited(code: int, last: Exchange, waited: bool) -> str:
    if waited:
        return f"{BlockReason.RATE_LIMIT.value} ({code}): still refused after waiting {last.retry_after:g}s as asked; the page may be alive"
    when = _moment(last.retry_at) if last.retry_at is not None else f"{last.retry_after:g}s"
    return (
        f"{BlockReason.RATE_LIMIT.value} ({code}), retry after {when}: a longer wait than check.retry_after_max "
        "was asked for; the page may be alive"
    )


def _moment(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%SZ")


def _as_doi(outcome: Outcome, status: Status, reason: str | None) -> tuple[Status, str | None]:
    """A DOI's verdict in the registry's words: not registered, deleted, or registered (and
    what the publisher did)."""
    final = urlsplit(outcome.final_url)
    final_host = (final.hostname or "").lower()
    if "_deleted-doi" in final.path or "deleted-doi" in final.path.lower():
        return Status.DEAD, f"DOI deleted: the registry sends it to its deleted-DOI page ({outcome.final_url})"
    if final_host in DOI_HOSTS and outcome.status == 404:
        return Status.DEAD, "DOI not registered (doi.org answers 404)"
    if final_host in DOI_HOSTS or outcome.failure is not None and not outcome.hops:
        return status, reason
    if reason is None:
        return status, reason
    return status, f"DOI registered (doi.org redirects to the publisher); {reason}"


def _phrase(code: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(code).phrase.lower()
    except ValueError:
        return "HTTP status"
