"""Checking on several cores: the hosts split over worker processes, each with its own
event loop, client and engine, the verdicts streamed back to the caller as they come.

Why: one Python process checks at most a few thousand URLs a second however many
cores there are; lychee uses them all (bench/README.md, scenario a).

How the politeness limits hold:
- A host lives in exactly one worker (hosts are grouped by site, `example.org` with
  `www.example.org`, so same-site redirects stay inside it), and its worker applies the
  host's concurrency and interval as one process would: exact for every cited host.
- The global limit is split: worker i gets G/n (rounded so the shares add up to G).
- A host a worker reaches only through a redirect to another site gets 1/n of its
  concurrency there (and n times its interval), so all workers together stay within
  the host's limits even if every one of them is redirected to it.

Workers are forked, so they inherit the settings, links and hooks without pickling; the
parent keeps history, reports and archive writing (this runner is not for --archive).
A worker that dies is not fatal: its unanswered links are checked in the parent.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import gc
import multiprocessing
import os
import pickle
import signal
import struct
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from linkcheck.check.limits import HostStats
from linkcheck.config import Settings
from linkcheck.models import Link, Result

#: Below this many links to request, forking costs more than it saves.
MIN_LINKS = 2000
#: Results are sent back in batches of at most this many, or every FLUSH_SECONDS.
BATCH = 256
FLUSH_SECONDS = 0.02

ResultCallback = Callable[[Result], None]
#: Runs in each worker once its engine and client exist (e.g. attaches the rot hooks). It
#: must open its own files and databases: descriptors inherited from the parent are not its own.
Prepare = Callable[[Any, httpx.AsyncClient], Awaitable[None] | None]
_HEADER = struct.Struct("!I")


@dataclass
class SpreadRun:
    """What the workers did: their results (also given to `on_result`), per-host stats and
    whether every request failed at the network level (see `engine.all_unreachable`)."""

    results: list[Result] = field(default_factory=list)
    host_stats: dict[str, HostStats] = field(default_factory=dict)
    tried: bool = False
    unreachable: bool = True

    @property
    def all_unreachable(self) -> bool:
        return self.tried and self.unreachable


def worker_count(settings: Settings, links: Sequence[Link]) -> int:
    """How many workers are worth starting: 1 means check in this process."""
    if "fork" not in multiprocessing.get_all_start_methods() or sys.platform == "darwin":
        return 1  # forking a process that runs threads is only dependable on Linux
    checkable = [link for link in links if link.verdict is None]
    if len(checkable) < MIN_LINKS:
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    sites = {_site(link.request_url) for link in checkable}
    return max(1, min(cores, len(sites), settings.check.max_concurrency))


def partition(links: Sequence[Link], workers: int) -> list[list[Link]]:
    """Links grouped by site, sites dealt to the least loaded worker, biggest first."""
    by_site: dict[str, list[Link]] = {}
    for link in links:
        by_site.setdefault(_site(link.request_url), []).append(link)
    shares: list[list[Link]] = [[] for _ in range(workers)]
    for site_links in sorted(by_site.values(), key=len, reverse=True):
        min(shares, key=len).extend(site_links)
    return shares


async def run_spread(
    settings: Settings,
    links: Sequence[Link],
    on_result: ResultCallback | None = None,
    *,
    workers: int,
    prepare: Prepare | None = None,
    clock: Callable[[], datetime] | None = None,
) -> SpreadRun:
    """Check `links` in `workers` forked processes; verdicts reach `on_result` in this one.

    Links that already carry a verdict are reported here, without a worker.
    """
    from linkcheck.check.engine import Engine

    run = SpreadRun()

    def accept(result: Result) -> None:
        run.results.append(result)
        if on_result is not None:
            on_result(result)

    checkable = [link for link in links if link.verdict is None]
    if any(link.verdict is not None for link in links):
        await _check_here(settings, [link for link in links if link.verdict is not None], accept, run, None, clock)
    shares = [share for share in partition(checkable, workers) if share]
    totals = _split(settings.check.max_concurrency, len(shares))
    answered: set[str] = set()
    processes: list[_Worker] = []
    finished = False
    try:
        gc.freeze()  # the forked workers share these objects: their collector must not touch (copy) them
        try:
            for index, share in enumerate(shares):
                processes.append(_Worker.start(_worker_settings(settings, share, totals[index], len(shares)), share, prepare, clock, Engine))
        finally:
            gc.unfreeze()
        by_url = {link.url: link for link in checkable}
        await asyncio.gather(*(worker.collect(accept, answered, run, by_url) for worker in processes))
        finished = True
    finally:
        for worker in processes:
            worker.stop(graceful=finished)
    missing = [link for link in checkable if link.url not in answered]
    if missing:  # a worker died: check what it left in this process
        await _check_here(settings, missing, accept, run, prepare, clock)
    return run


async def _check_here(
    settings: Settings, links: list[Link], accept: ResultCallback, run: SpreadRun, prepare: Prepare | None, clock: Callable[[], datetime] | None
) -> None:
    from linkcheck.check.client import make_client
    from linkcheck.check.engine import Engine, all_unreachable

    async with make_client(settings) as client:
        engine = Engine(settings, client, clock=clock)
        if prepare is not None:
            await _maybe_await(prepare(engine, client))
        await engine.run(links, accept)
        _merge(run, engine.host_stats, list(engine.outcomes.values()), all_unreachable)


def _merge(run: SpreadRun, stats: dict[str, HostStats], outcomes: list[Any], all_unreachable: Callable[[Any], bool]) -> None:
    for host, host_stats in stats.items():
        total = run.host_stats.setdefault(host, HostStats())
        total.requests += host_stats.requests
        total.retries += host_stats.retries
        total.throttled += host_stats.throttled
        total.total_seconds += host_stats.total_seconds
    if outcomes:
        run.tried = True
        run.unreachable = run.unreachable and all_unreachable(outcomes)


def _split(total: int, parts: int) -> list[int]:
    """`total` in `parts` whole shares that add up to it (each at least 1)."""
    base, extra = divmod(total, parts)
    return [max(1, base + (index < extra)) for index in range(parts)]


def _site(url: str) -> str:
    """The last two labels of the host (a cheap stand-in for the registrable domain)."""
    host = (urlsplit(url).hostname or "").rstrip(".")
    if host.replace(".", "").isdigit() or ":" in host:
        return host  # an IP address is its own site
    return ".".join(host.split(".")[-2:])


def _worker_settings(settings: Settings, links: list[Link], max_concurrency: int, workers: int) -> Settings:
    """The worker's copy: its share of the global limit, and 1/n of any host it does not own."""
    own = {urlsplit(link.request_url).hostname or "" for link in links}
    copy = dataclasses.replace(settings, check=dataclasses.replace(settings.check, max_concurrency=max_concurrency))
    base = settings.host_limits

    def host_limits(host: str) -> tuple[int, float]:
        concurrency, interval = base(host)
        if host in own:
            return concurrency, interval
        return max(1, concurrency // workers), interval * workers

    copy.host_limits = host_limits  # type: ignore[method-assign,assignment]
    return copy


async def _maybe_await(value: Awaitable[None] | None) -> None:
    if value is not None:
        await value


class _Worker:
    """One forked worker: the process, and the read end of the pipe its results come through."""

    def __init__(self, process: multiprocessing.process.BaseProcess, read_fd: int) -> None:
        self.process = process
        self.read_fd = read_fd

    @classmethod
    def start(cls, settings: Settings, links: list[Link], prepare: Prepare | None, clock: Callable[[], datetime] | None, engine_class: Any) -> _Worker:
        read_fd, write_fd = os.pipe()
        context = multiprocessing.get_context("fork")
        process = context.Process(target=_worker_main, args=(settings, links, prepare, clock, engine_class, read_fd, write_fd), daemon=True)
        process.start()
        os.close(write_fd)
        return cls(process, read_fd)

    async def collect(self, accept: ResultCallback, answered: set[str], run: SpreadRun, links: dict[str, Link]) -> None:
        """Read the worker's frames until its pipe closes.

        Results arrive without their locations (a million citations would otherwise be
        pickled, sent and rebuilt a second time here); they get this process's own back.
        """
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader(limit=2**26)
        transport, _ = await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), os.fdopen(self.read_fd, "rb", buffering=0))
        try:
            while True:
                try:
                    header = await reader.readexactly(_HEADER.size)
                    frame = await reader.readexactly(_HEADER.unpack(header)[0])
                except asyncio.IncompleteReadError:
                    return  # the worker is gone; run_spread checks what it left
                kind, payload = pickle.loads(frame)
                if kind == "results":
                    for result in payload:
                        answered.add(result.url)
                        link = links.get(result.url)
                        if link is not None:
                            result.locations = list(link.locations)
                        accept(result)
                elif kind == "done":
                    stats, tried, unreachable = payload
                    _merge(run, stats, [], lambda outcomes: True)
                    if tried:
                        run.tried = True
                        run.unreachable = run.unreachable and unreachable
        finally:
            transport.close()

    def stop(self, graceful: bool) -> None:
        """Reap the worker: let a finished one exit by itself, stop any other at once."""
        if graceful:
            self.process.join(timeout=2)
        if self.process.is_alive():
            self.process.terminate()
        self.process.join(timeout=5)


def _worker_main(
    settings: Settings, links: list[Link], prepare: Prepare | None, clock: Callable[[], datetime] | None, engine_class: Any, read_fd: int, write_fd: int
) -> None:
    """The worker process: a fresh loop, its own client and engine, results down the pipe."""
    os.close(read_fd)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle; it stops us
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    with contextlib.suppress(ValueError):
        signal.set_wakeup_fd(-1)  # the parent loop's wake-up pipe is not ours
    from linkcheck.check.loop import run

    run(_work(settings, links, prepare, clock, engine_class, write_fd))


async def _work(
    settings: Settings, links: list[Link], prepare: Prepare | None, clock: Callable[[], datetime] | None, engine_class: Any, write_fd: int
) -> None:
    from linkcheck.check.client import make_client
    from linkcheck.check.engine import all_unreachable

    with os.fdopen(write_fd, "wb", buffering=0) as pipe:
        outbox = _Outbox(pipe)
        async with make_client(settings) as client:
            engine = engine_class(settings, client, clock=clock)
            if prepare is not None:
                await _maybe_await(prepare(engine, client))
            ticker = asyncio.create_task(outbox.tick())
            try:
                await engine.run(links, outbox.add)
            finally:
                ticker.cancel()
            outbox.flush()
            outcomes = list(engine.outcomes.values())
            outbox.send("done", (engine.host_stats, bool(outcomes), all_unreachable(outcomes) if outcomes else True))


class _Outbox:
    """Results in batches down the pipe: one write per BATCH results or FLUSH_SECONDS."""

    def __init__(self, pipe: Any) -> None:
        self.pipe = pipe
        self.batch: list[Result] = []

    def send(self, kind: str, payload: Any) -> None:
        frame = pickle.dumps((kind, payload), protocol=pickle.HIGHEST_PROTOCOL)
        self.pipe.write(_HEADER.pack(len(frame)) + frame)  # blocking: a slow reader slows this worker

    def add(self, result: Result) -> None:
        result.locations = []  # the parent has them: see _Worker.collect
        self.batch.append(result)
        if len(self.batch) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if self.batch:
            self.send("results", self.batch)
            self.batch = []

    async def tick(self) -> None:
        while True:
            await asyncio.sleep(FLUSH_SECONDS)
            self.flush()


__all__ = ["MIN_LINKS", "SpreadRun", "partition", "run_spread", "worker_count"]
