"""Politeness: a global cap on requests in flight, a per-host cap and a per-host pace.

httpx limits connections per pool, not per host; the per-host part is ours. A request
takes its host's slot first and a global slot second, so no global slot is ever held
while waiting for a busy host (no head-of-line blocking). A 429 or 503 with Retry-After
slows the whole host, not only the one URL.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class HostStats:
    requests: int = 0
    retries: int = 0
    throttled: int = 0
    total_seconds: float = 0.0

    @property
    def mean_latency(self) -> float:
        return self.total_seconds / self.requests if self.requests else 0.0


@dataclass
class HostGate:
    """One host's slots and pace."""

    concurrency: int
    interval: float
    semaphore: asyncio.Semaphore = field(init=False)
    next_start: float = 0.0
    paused_until: float = 0.0
    stats: HostStats = field(default_factory=HostStats)

    def __post_init__(self) -> None:
        self.semaphore = asyncio.Semaphore(self.concurrency)

    def claim_start(self, now: float) -> float:
        """Reserve the next start time for this host; returns how long to wait for it."""
        start = max(now, self.next_start, self.paused_until)
        self.next_start = start + self.interval
        return start - now

    def pause(self, seconds: float, now: float) -> None:
        self.paused_until = max(self.paused_until, now + seconds)


class Limiter:
    """Hands out request slots: `async with limiter.slot(host): ...` around each request."""

    def __init__(
        self,
        max_concurrency: int,
        host_policy: Callable[[str], tuple[int, float]],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._global = asyncio.Semaphore(max_concurrency)
        self._host_policy = host_policy
        self._gates: dict[str, HostGate] = {}
        self._clock = clock

    def gate(self, host: str) -> HostGate:
        gate = self._gates.get(host)
        if gate is None:
            concurrency, interval = self._host_policy(host)
            gate = self._gates[host] = HostGate(concurrency, interval)
        return gate

    def concurrency(self, host: str) -> int:
        return self.gate(host).concurrency

    @property
    def stats(self) -> dict[str, HostStats]:
        return {host: gate.stats for host, gate in self._gates.items()}

    def slot(self, host: str) -> _Slot:
        """`async with limiter.slot(host) as gate:` around one request to `host`."""
        return _Slot(self, self.gate(host))


class _Slot:
    """One request's hold on its host's slot, then a global one; the time between is the host's pace.

    A class rather than an @asynccontextmanager: it is entered for every request, and a
    generator-based context manager costs several times more.
    """

    __slots__ = ("_limiter", "_gate", "_started")

    def __init__(self, limiter: Limiter, gate: HostGate) -> None:
        self._limiter = limiter
        self._gate = gate
        self._started = 0.0

    async def __aenter__(self) -> HostGate:
        gate = self._gate
        await gate.semaphore.acquire()
        try:
            wait = gate.claim_start(self._limiter._clock())
            if wait > 0:
                await asyncio.sleep(wait)
            await self._limiter._global.acquire()
        except BaseException:
            gate.semaphore.release()
            raise
        self._started = self._limiter._clock()
        return gate

    async def __aexit__(self, *exc: object) -> None:
        gate = self._gate
        gate.stats.requests += 1
        gate.stats.total_seconds += self._limiter._clock() - self._started
        self._limiter._global.release()
        gate.semaphore.release()
