"""Politeness: a global cap on requests in flight, a per-host cap and a per-host pace.

httpx limits connections per pool, not per host; the per-host part is ours. A request
takes its host's slot first and a global slot second, so no global slot is ever held
while waiting for a busy host (no head-of-line blocking). A 429 or 503 with Retry-After
slows the whole host, not only the one URL.
"""

from __future__ import annotations

import asyncio
import collections
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol


@dataclass
class HostStats:
    requests: int = 0
    retries: int = 0
    throttled: int = 0
    #: Soft-404 probes (made-up addresses) among the requests.
    probes: int = 0
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

    async def hold(self, clock: Callable[[], float]) -> None:
        """Take this host's place: a slot of its concurrency, then its start under its
        interval (waited for); the slot is given back if the wait is cancelled."""
        await self.semaphore.acquire()
        try:
            wait = self.claim_start(clock())
            if wait > 0:
                await asyncio.sleep(wait)
        except BaseException:
            self.semaphore.release()
            raise

    def claim_start(self, now: float) -> float:
        """Reserve the next start time for this host; returns how long to wait for it."""
        start = max(now, self.next_start, self.paused_until)
        self.next_start = start + self.interval
        return start - now

    def pause(self, seconds: float, now: float) -> None:
        self.paused_until = max(self.paused_until, now + seconds)


class GlobalSlots(Protocol):
    """The global cap: an `asyncio.Semaphore` in one process, `SharedSlots` across workers."""

    async def acquire(self) -> bool | None: ...

    def release(self) -> None: ...


class SharedSlots:
    """One global limit for every forked worker of a run, so `--max-concurrency N` means N
    requests in flight in all, whichever workers have the work.

    A share per worker never adds up to the whole: a worker whose sites are done (or that
    was dealt one big site, e.g. fifty hosts under one registrable domain) leaves its share
    idle while the other is capped at its own. So the slots are one process-shared
    semaphore, created before the fork. Taking a free slot is a non-blocking `sem_trywait`;
    when none is free, the waiter queues in its own loop and one thread per worker blocks
    on the semaphore for the queue, handing each slot it gets to the first waiter still
    waiting (or giving it back). Releasing is one `sem_post`, never a wait.
    """

    def __init__(self, total: int, workers: int) -> None:
        context = multiprocessing.get_context("fork")
        self._semaphore = context.BoundedSemaphore(total)
        #: Slots each worker holds, written by that worker only: a dead worker's are reclaimed.
        self._held = context.RawArray("i", workers)
        self._index = -1
        self._pid = 0
        self._loop: asyncio.AbstractEventLoop | None = None

    def bind(self, index: int) -> None:
        """In worker `index`, before its first request."""
        self._index = index

    def reclaim(self, index: int) -> None:
        """In the parent, once worker `index` is gone: what it held is free again."""
        for _ in range(self._held[index]):
            self._semaphore.release()
        self._held[index] = 0

    def _attach(self) -> None:
        """Per-process state, made in the worker on first use (a fork copies no thread)."""
        self._pid = os.getpid()
        self._loop = asyncio.get_running_loop()
        self._waiters: collections.deque[asyncio.Future[None]] = collections.deque()
        self._demand = threading.Semaphore(0)
        threading.Thread(target=self._broker, name="linkcheck-slots", daemon=True).start()

    async def acquire(self) -> bool:
        if self._pid != os.getpid() or self._loop is not asyncio.get_running_loop():
            self._attach()
        if not self._waiters and self._semaphore.acquire(False):
            self._held[self._index] += 1
            return True
        waiter: asyncio.Future[None] = self._loop.create_future()
        self._waiters.append(waiter)
        self._demand.release()
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self._semaphore.release()  # granted as we were cancelled: give it back
            raise
        self._held[self._index] += 1
        return True

    def release(self) -> None:
        self._held[self._index] -= 1
        self._semaphore.release()

    def _broker(self) -> None:
        while True:
            self._demand.acquire()
            self._semaphore.acquire()
            try:
                self._loop.call_soon_threadsafe(self._grant)
            except RuntimeError:  # the loop is closed: the worker is ending
                self._semaphore.release()
                return

    def _grant(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self._semaphore.release()  # every waiter gave up meanwhile


class Limiter:
    """Hands out request slots: `async with limiter.slot(host): ...` around each request."""

    def __init__(
        self,
        max_concurrency: int,
        host_policy: Callable[[str], tuple[int, float]],
        clock: Callable[[], float] = time.monotonic,
        global_slots: GlobalSlots | None = None,
    ) -> None:
        self._global: GlobalSlots = global_slots if global_slots is not None else asyncio.Semaphore(max_concurrency)
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
        await gate.hold(self._limiter._clock)
        try:
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
