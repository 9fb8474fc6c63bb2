"""Fetching one cited URL: HEAD first with a GET fallback, redirects followed hop by hop,
transient failures retried.

Redirects are followed here, not inside httpx, so that every hop is recorded, loops are
caught, and each hop goes through the politeness limiter of its own host.
"""

from __future__ import annotations

import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
from tenacity import AsyncRetrying, retry_if_result, stop_after_attempt

from linkcheck.check.cookies import RunCookies
from linkcheck.check.limits import Limiter
from linkcheck.check.outcome import Exchange, Failure, FailureKind, Outcome
from linkcheck.check.retry import retry_wait, should_retry
from linkcheck.check.send import Sender
from linkcheck.models import Redirect
from linkcheck.redirects import REDIRECT_STATUSES, RedirectRefused, RedirectTrail, redirect_target

#: Answers to HEAD that many servers give although GET works: try GET before believing them.
HEAD_UNRELIABLE_STATUSES = frozenset({400, 403, 404, 405, 406, 410, 500, 501})
#: Answers to HEAD that a bot wall gives (its challenge page is in the body HEAD lacks):
#: asked again with GET, whose page says which wall it is.
HEAD_WALL_STATUSES = frozenset({429, 503, 999})
#: Bytes of body kept from a GET that follows an unreliable HEAD: the evidence a wall,
#: a parking lander or an error page shows early.
EVIDENCE_BODY_LIMIT = 64 * 1024
#: Failures on HEAD that mean "this server does not do HEAD properly", not "the page is gone".
HEAD_UNRELIABLE_FAILURES = frozenset({FailureKind.PROTOCOL, FailureKind.RESET})


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    max_redirects: int
    retries: int
    backoff_base: float
    backoff_max: float
    retry_after_max: float
    get_body_limit: int
    head_first: bool = True
    max_headers: int = 256
    max_decompression_ratio: float = 100.0


HeadersFor = Callable[[str], Mapping[str, str]]
Precheck = Callable[[str], Awaitable[Failure | None]]


class Fetcher:
    """Fetches URLs through one shared client, under the limiter's politeness rules."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        limiter: Limiter,
        policy: FetchPolicy,
        headers_for: HeadersFor = lambda host: {},
        rng: random.Random | None = None,
        precheck: Precheck | None = None,
    ) -> None:
        #: Through a proxy the connection layer cannot see addresses: check hosts first.
        self.precheck = precheck
        self.client = client
        self.sender = Sender(client, policy.max_headers, policy.max_decompression_ratio)
        self.limiter = limiter
        self.policy = policy
        self.headers_for = headers_for
        self.rng = rng or random.Random()
        self.cookies = RunCookies()
        #: Keep each GET's response as received (`Exchange.received`), for the archive.
        self.keep_received = False

    async def fetch(self, url: str, body_limit: int = 0, retry: bool = True) -> Outcome:
        """Follow `url` to its end; never raises for anything the network or server does.

        With `body_limit`, the page is fetched with GET and up to that many bytes of its
        body are kept (for #anchor checks); otherwise HEAD first, and bodies are discarded.
        `retry=False`: every hop is asked once (transient failures stand).
        """
        outcome = Outcome(final_url=url)
        trail = RedirectTrail(url, self.policy.max_redirects, state=self.cookies.version)
        current = url
        while True:
            exchange = await self._exchange(current, outcome, body_limit, retry)
            outcome.last = exchange
            outcome.final_url = current
            if exchange.failure is not None:
                outcome.failure = exchange.failure
                return outcome
            if exchange.status not in REDIRECT_STATUSES:
                return outcome
            try:
                target = redirect_target(current, exchange.status or 0, exchange.headers.get("location") if exchange.headers else None)
            except RedirectRefused as refused:
                outcome.failure = Failure(FailureKind.BAD_REDIRECT, str(refused))
                return outcome
            outcome.hops.append(_hop(current, exchange))
            try:
                trail.follow(target, self.cookies.version)
            except RedirectRefused as refused:
                kind = FailureKind.REDIRECT_LOOP if refused.loop else FailureKind.TOO_MANY_REDIRECTS
                outcome.failure = Failure(kind, str(refused))
                return outcome
            current = target

    async def _exchange(self, url: str, outcome: Outcome, body_limit: int, retry: bool) -> Exchange:
        """One hop: HEAD (if allowed and no body is wanted) and, when HEAD is unreliable, GET."""
        if self.policy.head_first and not body_limit:
            head = await self._with_retries("HEAD", url, outcome, 0, retry, walls_to_get=True)
            if not _head_unreliable(head):
                return head
            body_limit = EVIDENCE_BODY_LIMIT
        return await self._with_retries("GET", url, outcome, body_limit, retry)

    async def _with_retries(
        self, method: str, url: str, outcome: Outcome, body_limit: int, retry: bool, walls_to_get: bool = False
    ) -> Exchange:
        """`walls_to_get`: a HEAD answered with a wall's status goes to GET at once, unretried."""
        host = urlsplit(url).hostname or ""
        first = await self._send(method, url, host, body_limit)
        if walls_to_get and _wall_status(first):
            return first
        if not retry or not self.policy.retries or not self._retryable(first):
            return first  # the common case needs no retry machinery
        pending = [first]

        async def attempt() -> Exchange:
            if pending:
                return pending.pop()  # tenacity judges the first attempt like any other
            return await self._send(method, url, host, body_limit)

        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.policy.retries + 1),
            retry=retry_if_result(self._retryable),
            wait=lambda state: self._wait(state.outcome.result(), state.attempt_number, host),
            before_sleep=lambda state: self._count_retry(host),
            # Out of retries: the last exchange is the verdict's evidence, not an exception.
            retry_error_callback=lambda state: state.outcome.result(),
        )
        return await retrying(attempt)  # type: ignore[no-any-return]

    def _retryable(self, exchange: Exchange) -> bool:
        return should_retry(exchange, self.policy.retry_after_max)

    def _count_retry(self, host: str) -> None:
        self.limiter.gate(host).stats.retries += 1

    def _wait(self, exchange: Exchange, attempt_number: int, host: str) -> float:
        seconds = retry_wait(
            exchange,
            attempt_number,
            base=self.policy.backoff_base,
            maximum=self.policy.backoff_max,
            retry_after_max=self.policy.retry_after_max,
            rng=self.rng,
        )
        if exchange.status == 429 or exchange.retry_after is not None:
            gate = self.limiter.gate(host)
            gate.stats.throttled += exchange.status == 429
            gate.pause(seconds, time.monotonic())
        return seconds

    async def _send(self, method: str, url: str, host: str, body_limit: int) -> Exchange:
        if self.precheck is not None:
            refused = await self.precheck(url)
            if refused is not None:
                return Exchange(method, url, failure=refused)
        # HEAD reads nothing; GET reads a capped prefix, kept (and decoded) only when asked for.
        read_limit = 0 if method == "HEAD" else body_limit or self.policy.get_body_limit
        headers = self.headers_for(host)
        cookie = self.cookies.header_for(url)
        if cookie is not None and not any(name.lower() == "cookie" for name in headers):
            headers = {**headers, "Cookie": cookie}
        async with self.limiter.slot(host):
            exchange = await self.sender.send(method, url, headers, read_limit, bool(body_limit), self.keep_received and method == "GET")
        if exchange.headers is not None:
            self.cookies.remember(url, exchange.headers)
        return exchange


def _head_unreliable(exchange: Exchange) -> bool:
    if exchange.failure is not None:
        return exchange.failure.kind in HEAD_UNRELIABLE_FAILURES
    return exchange.status in HEAD_UNRELIABLE_STATUSES or _wall_status(exchange)


def _wall_status(exchange: Exchange) -> bool:
    """A wall's status without a wait asked for (a `Retry-After` is honoured on HEAD itself)."""
    return exchange.status in HEAD_WALL_STATUSES and exchange.retry_after is None


def _hop(url: str, exchange: Exchange) -> Redirect:
    return Redirect(url=url, status=exchange.status or 0)
