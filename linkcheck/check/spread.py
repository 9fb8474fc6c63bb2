"""Checking on several cores: the hosts split over worker processes, each with its own
event loop, client and engine, the verdicts streamed back to the caller as they come.

Why: one Python process checks at most a few thousand URLs a second however many
cores there are; lychee uses them all (bench/README.md, scenario a).

How the politeness limits hold:
- A host lives in exactly one worker (hosts are grouped by site, `example.org` with
  `www.example.org`, so same-site redirects stay inside it), and its worker applies the
  host's concurrency and interval as one process would: exact for every cited host.
- The global limit is one semaphore shared by every worker (`limits.SharedSlots`): G in
  flight in all, whichever workers have the work (a share each never adds up to G).
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
import functools
import gc
import multiprocessing
import os
import pickle
import signal
import struct
import sys
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from linkcheck.check.limits import HostStats, SharedSlots
from linkcheck.check.options import CheckConfig, CheckSettings, NetworkSettings
from linkcheck.models import Link, Notice, Result, verdict_result
from linkcheck.sites import registrable_domain

if TYPE_CHECKING:
    from linkcheck.check.transport import Client

#: Below this many links to request, forking costs more than it saves.
MIN_LINKS = 2000
#: How long an interrupted run waits for its workers' last verdicts.
SALVAGE_SECONDS = 1.0
#: Results are sent back in batches of at most this many, or every FLUSH_SECONDS.
BATCH = 256
FLUSH_SECONDS = 0.02

ResultCallback = Callable[[Result], None]
#: Builds each worker engine's `EngineHooks` (e.g. the rot hooks) from that engine and its
#: client, as the engine is built. It runs in the worker, so it must open its own files and
#: databases: descriptors inherited from the parent are not its own.
WorkerHooks = Callable[[Any, "Client"], Any]
#: Runs in each worker once its engine and client exist (same rule about descriptors).
Prepare = Callable[[Any, "Client"], Awaitable[None] | None]


@dataclass(frozen=True, slots=True)
class WorkerSetup:
    """What each worker engine is built with (`hooks`) and then given to (`prepare`)."""

    hooks: WorkerHooks | None = None
    prepare: Prepare | None = None

    def engine(self, engine_class: Any, settings: CheckConfig, client: Any, **kwargs: Any) -> Any:
        hooks = self.hooks
        return engine_class(settings, client, hooks=(lambda engine: hooks(engine, client)) if hooks is not None else None, **kwargs)

    async def ready(self, engine: Any, client: Any) -> None:
        if self.prepare is not None:
            await _maybe_await(self.prepare(engine, client))
_HEADER = struct.Struct("!I")


@dataclass
class SpreadRun:
    """What the workers did: their results (also given to `on_result`), per-host stats and
    whether every request failed at the network level (see `engine.all_unreachable`)."""

    results: list[Result] = field(default_factory=list)
    host_stats: dict[str, HostStats] = field(default_factory=dict)
    #: The workers' engine notices (each said once).
    notices: list[Notice] = field(default_factory=list)
    tried: bool = False
    unreachable: bool = True

    @property
    def all_unreachable(self) -> bool:
        return self.tried and self.unreachable


def can_fork() -> bool:
    """Forking a process that runs threads is only dependable on Linux."""
    return "fork" in multiprocessing.get_all_start_methods() and sys.platform != "darwin"


def worker_count(settings: CheckConfig, links: Sequence[Link]) -> int:
    """How many workers are worth starting: 1 means check in this process."""
    if not can_fork():
        return 1
    checkable = [link for link in links if link.verdict is None]
    if len(checkable) < MIN_LINKS:
        return 1
    sites = {site_of(link.request_url) for link in checkable}
    return max(1, min(workers_wanted(settings), len(sites), settings.check.max_concurrency))


def usable_cores() -> int:
    """The cores this process may run on (its affinity, where the OS tells)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def workers_wanted(settings: CheckConfig) -> int:
    """Worker processes worth starting (`check.workers`; by default all cores but one,
    which the parent keeps busy reading the documents, collecting verdicts, writing history
    and the report). With two cores that is one, and one worker is this process: forking
    then only adds the cost of carrying every link and verdict between processes (shared
    benchmark, 2 cores, 10,000 URLs at 0 ms: 4.9 s with two workers, 4.4 s in one process)."""
    return settings.check.workers or max(1, usable_cores() - 1)


def _by_site(links: Sequence[Link]) -> dict[str, list[Link]]:
    by_site: dict[str, list[Link]] = {}
    for link in links:
        by_site.setdefault(site_of(link.request_url), []).append(link)
    return by_site


def _deal(by_site: dict[str, list[Link]], load: list[int], owner: dict[str, int]) -> Iterator[tuple[int, list[Link]]]:
    """(worker, links) per site, biggest site first: a site seen before stays with its
    worker (`owner`), a new one goes to the least loaded; `load` counts links per worker."""
    for site, site_links in sorted(by_site.items(), key=lambda item: -len(item[1])):
        index = owner.get(site)
        if index is None:
            index = owner[site] = min(range(len(load)), key=load.__getitem__)
        load[index] += len(site_links)
        yield index, site_links


async def run_spread(
    settings: CheckConfig,
    links: Sequence[Link],
    on_result: ResultCallback | None = None,
    *,
    workers: int,
    hooks: WorkerHooks | None = None,
    prepare: Prepare | None = None,
    clock: Callable[[], datetime] | None = None,
) -> SpreadRun:
    """Check `links` in `workers` forked processes; verdicts reach `on_result` in this one.

    Links that already carry a verdict are reported here, without a worker.
    """
    async with SpreadSession(settings, workers, on_result, hooks=hooks, prepare=prepare, clock=clock) as session:
        session.feed(links)
    return session.run


class SpreadSession:
    """Workers forked before the links are all known, and fed as they are found.

    `async with SpreadSession(...) as session: session.feed(links)` (any number of
    times). Leaving the block says that no more links are coming, waits for every
    verdict, and checks here what a dead worker left; `session.run` holds what happened.
    A site goes to one worker for good, the least loaded when it is first seen (within
    one `feed`, biggest sites first), so its limits hold exactly in that worker.
    """

    def __init__(
        self,
        settings: CheckConfig,
        workers: int,
        on_result: ResultCallback | None = None,
        *,
        hooks: WorkerHooks | None = None,
        prepare: Prepare | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.settings = settings
        self.size = max(1, workers)
        self.on_result = on_result
        self.setup = WorkerSetup(hooks, prepare)
        self.clock = clock
        self.run = SpreadRun()
        #: Every link fed, by URL: results come back without locations and get these links' own.
        self._fed: dict[str, Link] = {}
        self._answered: set[str] = set()
        self._site_worker: dict[str, int] = {}
        self._load = [0] * self.size
        self._workers: list[_Worker] = []
        self._collecting: list[asyncio.Task[None]] = []

    async def __aenter__(self) -> SpreadSession:
        from linkcheck.check.engine import Engine

        # One global limit for all workers (see SharedSlots), made before they fork.
        self._slots = SharedSlots(self.settings.check.max_concurrency, self.size)
        _import_http_stack()  # once here rather than once in every worker
        # The forked workers share these objects: their collector must not touch (copy)
        # them. Not when something is frozen already (the reader, or the caller, did it).
        freeze = gc.get_freeze_count() == 0
        if freeze:
            gc.freeze()
        try:
            for index in range(self.size):
                inherited = [fd for worker in self._workers for fd in worker.fds]
                self._workers.append(_Worker.start(self.settings, self._slots, index, self.size, self.setup, self.clock, Engine, inherited))
        finally:
            if freeze:
                gc.unfreeze()
        try:
            for worker in self._workers:
                await worker.connect()
                self._collecting.append(asyncio.create_task(worker.collect(self._receive, self.run)))
        except BaseException:  # cancelled before the block even began: leave no worker behind
            for task in self._collecting:
                task.cancel()
            _stop_all(self._workers, graceful=False)
            raise
        return self

    def feed(self, links: Sequence[Link]) -> None:
        checkable = []
        for link in links:
            if link.verdict is not None:  # known without a request: reported here and now
                self._accept(verdict_result(link, self.clock() if self.clock else datetime.now(timezone.utc)))
            else:
                self._fed[link.url] = link
                checkable.append(link)
        batches: dict[int, list[Link]] = {}
        for index, site_links in _deal(_by_site(checkable), self._load, self._site_worker):
            batches.setdefault(index, []).extend(site_links)
        for index, batch in batches.items():
            # the worker needs the URL (and any archived copy the document cites), not the locations
            self._workers[index].send([Link(link.url, archived_copies=list(link.archived_copies)) for link in batch])

    def _accept(self, result: Result) -> None:
        self.run.results.append(result)
        if self.on_result is not None:
            self.on_result(result)

    def _receive(self, result: Result) -> None:
        self._answered.add(result.url)
        link = self._fed.get(result.url)
        if link is not None:
            # The link's own list, not a copy: a caller still reading documents (which add
            # to it) gives the result its final copy once reading ends.
            result.locations = link.locations
        self._accept(result)

    async def _salvage(self) -> None:
        """Interrupted: ask every worker to stop (SIGTERM), and take the verdicts they had
        not sent yet, for at most SALVAGE_SECONDS; a URL that was checked is not lost."""
        for worker in self._workers:
            if worker.process.is_alive():
                worker.process.terminate()
        pending = [task for task in self._collecting if not task.done()]
        if pending:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait(pending, timeout=SALVAGE_SECONDS)

    async def __aexit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        finished = False
        try:
            if exc_type is None:
                for worker in self._workers:
                    worker.end()
                # not gather: cancelled here, gather would cancel the readers too, and the
                # workers' last verdicts would have nobody to read them (see _salvage)
                await asyncio.wait(self._collecting)
                for task in self._collecting:
                    task.result()  # a reader's own failure is not to be swallowed
                finished = True
        finally:
            if not finished:
                await self._salvage()
            for task in self._collecting:
                task.cancel()
            _stop_all(self._workers, graceful=finished)
        if not finished:
            return
        missing = [link for url, link in self._fed.items() if url not in self._answered]
        if missing:  # a worker died: check what it left in this process
            await check_here(self.settings, missing, self._accept, self.run, self.setup, self.clock)


async def check_here(
    settings: CheckConfig, links: list[Link], accept: ResultCallback, run: SpreadRun, setup: WorkerSetup, clock: Callable[[], datetime] | None
) -> None:
    from linkcheck.check.client import make_client
    from linkcheck.check.engine import Engine, all_unreachable

    async with make_client(settings) as client:
        engine = setup.engine(Engine, settings, client, clock=clock)
        await setup.ready(engine, client)
        await engine.run(links, accept)
        merge_stats(run, engine.host_stats, list(engine.outcomes.values()), all_unreachable)
        run.notices.extend(notice for notice in engine.notices if notice not in run.notices)


def merge_stats(run: SpreadRun, stats: dict[str, HostStats], outcomes: list[Any], all_unreachable: Callable[[Any], bool]) -> None:
    for host, host_stats in stats.items():
        total = run.host_stats.setdefault(host, HostStats())
        total.requests += host_stats.requests
        total.retries += host_stats.retries
        total.throttled += host_stats.throttled
        total.probes += host_stats.probes
        total.total_seconds += host_stats.total_seconds
    if outcomes:
        run.tried = True
        run.unreachable = run.unreachable and all_unreachable(outcomes)


def _import_http_stack() -> None:
    """Import what every worker's client needs (aiohttp, uvloop) before forking them."""
    from linkcheck.check import aio, loop  # noqa: F401

    with contextlib.suppress(ImportError):
        import aiohttp  # noqa: F401
        import uvloop  # noqa: F401


def site_of(url: str) -> str:
    """The site a URL's politeness is dealt by (linkcheck.sites, the one definition)."""
    return registrable_domain(_host(url))


def _host(url: str) -> str:
    """The host of a normalized URL; plain string work for the usual `scheme://host[:port]/…`
    (urlsplit costs ~10 µs, and a run asks for every URL twice)."""
    _, sep, rest = url.partition("://")
    netloc = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    if not sep or "@" in netloc or "[" in netloc:
        return urlsplit(url).hostname or ""
    return netloc.split(":", 1)[0].lower()


def _worker_settings(settings: CheckConfig, workers: int) -> tuple[CheckConfig, set[str]]:
    """The worker's view: 1/n of any host it does not own (the global limit is shared,
    `SharedSlots`). The returned set is the worker's own hosts; it adds each host it is fed.
    """
    own: set[str] = set()
    return _WorkerConfig(settings, own, workers), own


class _WorkerConfig:
    """A worker's configuration: the run's, except that a host it does not own gets a
    1/n share of its concurrency (and n times its interval), so all workers together keep
    the host's limits when a redirect sends them there."""

    def __init__(self, base: CheckConfig, own: set[str], workers: int) -> None:
        self.base = base
        self.own = own
        self.workers = workers
        self.check: CheckSettings = base.check
        self.network: NetworkSettings = base.network

    def host_limits(self, hostname: str) -> tuple[int, float]:
        concurrency, interval = self.base.host_limits(hostname)
        if hostname in self.own:
            return concurrency, interval
        return max(1, concurrency // self.workers), interval * self.workers

    def host_headers(self, hostname: str) -> dict[str, str]:
        return self.base.host_headers(hostname)


async def _maybe_await(value: Awaitable[None] | None) -> None:
    if value is not None:
        await value


class _Worker:
    """One forked worker: the process, the pipe its links go down and the one its results come up."""

    def __init__(self, process: multiprocessing.process.BaseProcess, results_fd: int, links_fd: int, on_gone: Callable[[], None]) -> None:
        self.process = process
        self.on_gone = on_gone
        self.results_fd = results_fd
        self.links_fd = links_fd
        self.fds = [results_fd, links_fd]
        self._links: asyncio.WriteTransport | None = None

    @classmethod
    def start(
        cls, settings: CheckConfig, slots: SharedSlots, index: int, workers: int, setup: WorkerSetup,
        clock: Callable[[], datetime] | None, engine_class: Any, inherited: list[int],
    ) -> _Worker:  # fmt: skip
        """Fork worker `index`; `inherited` are the other workers' pipe ends, which it closes."""
        links_read, links_write = os.pipe()
        results_read, results_write = os.pipe()
        worker_settings, own = _worker_settings(settings, workers)
        context = multiprocessing.get_context("fork")
        process = context.Process(
            target=_worker_main,
            args=(worker_settings, own, slots, index, setup, clock, engine_class, links_read, results_write, [*inherited, links_write, results_read]),
            daemon=True,
        )
        process.start()
        os.close(links_read)
        os.close(results_write)
        return cls(process, results_read, links_write, functools.partial(slots.reclaim, index))

    async def connect(self) -> None:
        loop = asyncio.get_running_loop()
        # asyncio buffers what the worker has not read yet: feeding never blocks this loop
        self._links, _ = await loop.connect_write_pipe(asyncio.Protocol, os.fdopen(self.links_fd, "wb", buffering=0))

    def send(self, links: list[Link]) -> None:
        self._write("links", links)

    def end(self) -> None:
        self._write("end", None)
        if self._links is not None:
            self._links.close()

    def _write(self, kind: str, payload: Any) -> None:
        if self._links is None or self._links.is_closing():
            return  # the worker is gone; its links are checked in this process at the end
        frame = pickle.dumps((kind, payload), protocol=pickle.HIGHEST_PROTOCOL)
        self._links.write(_HEADER.pack(len(frame)) + frame)

    async def collect(self, receive: ResultCallback, run: SpreadRun) -> None:
        """Read the worker's frames until its pipe closes.

        Results arrive without their locations (a million citations would otherwise be
        pickled, sent and rebuilt a second time here); `receive` gives them back.
        """
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader(limit=2**26)
        transport, _ = await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), os.fdopen(self.results_fd, "rb", buffering=0))
        try:
            while True:
                frame = await _read_frame(reader)
                if frame is None:
                    self.on_gone()  # the slots it held are free for the other workers
                    return  # the worker is gone; the session checks what it left
                kind, payload = frame
                if kind == "results":
                    for result in payload:
                        receive(result)
                elif kind == "done":
                    stats, tried, unreachable, notices = payload
                    merge_stats(run, stats, [], lambda outcomes: True)
                    run.notices.extend(notice for notice in notices if notice not in run.notices)
                    if tried:
                        run.tried = True
                        run.unreachable = run.unreachable and unreachable
        finally:
            transport.close()

    def close_links(self) -> None:
        if self._links is not None and not self._links.is_closing():
            self._links.abort()


def _stop_all(workers: list[_Worker], graceful: bool) -> None:
    """Reap the workers: let finished ones exit by themselves (2 s between them all), stop
    any other at once, and kill what SIGTERM did not stop within 3 s more."""
    for worker in workers:
        worker.close_links()
    if graceful:
        _join_all(workers, 2.0)
    for worker in workers:
        if worker.process.is_alive():
            worker.process.terminate()
    _join_all(workers, 3.0)
    for worker in workers:
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join(timeout=1)


def _join_all(workers: list[_Worker], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    for worker in workers:
        worker.process.join(timeout=max(0.0, deadline - time.monotonic()))


async def _read_frame(reader: asyncio.StreamReader) -> tuple[str, Any] | None:
    """One (kind, payload) frame, or None when the other side has closed the pipe."""
    try:
        header = await reader.readexactly(_HEADER.size)
        frame: tuple[str, Any] = pickle.loads(await reader.readexactly(_HEADER.unpack(header)[0]))
    except asyncio.IncompleteReadError:
        return None
    return frame


def _worker_main(
    settings: CheckConfig, own: set[str], slots: SharedSlots, index: int, setup: WorkerSetup, clock: Callable[[], datetime] | None,
    engine_class: Any, links_fd: int, results_fd: int, inherited: list[int],
) -> None:  # fmt: skip
    """The worker process: a fresh loop, its own client and engine, results down the pipe."""
    from linkcheck.check.loop import raise_gc_threshold, run

    raise_gc_threshold()  # this process is linkcheck's own
    for fd in inherited:  # the parent's ends and other workers' pipes: not ours to hold open
        with contextlib.suppress(OSError):
            os.close(fd)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle; it stops us
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # until the loop runs; then _work sends what it has first
    with contextlib.suppress(ValueError):
        signal.set_wakeup_fd(-1)  # the parent loop's wake-up pipe is not ours
    with contextlib.suppress(asyncio.CancelledError):
        slots.bind(index)
        run(_work(settings, own, slots, setup, clock, engine_class, links_fd, results_fd))


async def _work(
    settings: CheckConfig, own: set[str], slots: SharedSlots, setup: WorkerSetup, clock: Callable[[], datetime] | None,
    engine_class: Any, links_fd: int, results_fd: int,
) -> None:  # fmt: skip
    from linkcheck.check.client import make_client
    from linkcheck.check.engine import all_unreachable

    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    if task is not None:  # SIGTERM from the parent: stop checking, send the verdicts we have
        loop.add_signal_handler(signal.SIGTERM, task.cancel)
    reader = asyncio.StreamReader(limit=2**26)
    inbox, _ = await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), os.fdopen(links_fd, "rb", buffering=0))
    outbox = await _Outbox.open(results_fd)
    try:
        async with make_client(settings) as client:
            engine = setup.engine(engine_class, settings, client, clock=clock, global_slots=slots)
            await setup.ready(engine, client)
            ticker = asyncio.create_task(outbox.tick())
            try:
                async with engine.stream(outbox.add) as feed:
                    while (frame := await _read_frame(reader)) is not None and frame[0] == "links":
                        own.update(_host(link.request_url) for link in frame[1])
                        feed(frame[1])
                    if frame is None:  # the pipe closed without "end": the parent is gone
                        raise asyncio.CancelledError
            finally:
                ticker.cancel()
                inbox.close()
            outbox.flush()
            outcomes = list(engine.outcomes.values())
            outbox.send("done", (engine.host_stats, bool(outcomes), all_unreachable(outcomes) if outcomes else True, engine.notices))
    finally:
        await outbox.close()


class _Outbox:
    """Results in batches up the pipe: one write per BATCH results or FLUSH_SECONDS.

    Writes are buffered by the loop, never blocking: a parent busy reading documents
    must not stall this worker's requests (the buffer holds at most this worker's results).
    """

    def __init__(self, transport: asyncio.WriteTransport, closed: asyncio.Future[None]) -> None:
        self.transport = transport
        self.closed = closed
        self.batch: list[Result] = []

    @classmethod
    async def open(cls, fd: int) -> _Outbox:
        loop = asyncio.get_running_loop()
        closed: asyncio.Future[None] = loop.create_future()
        transport, _ = await loop.connect_write_pipe(lambda: _Closing(closed), os.fdopen(fd, "wb", buffering=0))
        return cls(transport, closed)

    def send(self, kind: str, payload: Any) -> None:
        if self.transport.is_closing():
            return  # the parent is gone (or we are closing): nobody to send to
        frame = pickle.dumps((kind, payload), protocol=pickle.HIGHEST_PROTOCOL)
        self.transport.write(_HEADER.pack(len(frame)) + frame)

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

    async def close(self) -> None:
        """Send what is buffered, then close the pipe (the parent sees the end)."""
        self.flush()
        self.transport.close()
        with contextlib.suppress(OSError):
            await self.closed


class _Closing(asyncio.Protocol):
    def __init__(self, closed: asyncio.Future[None]) -> None:
        self.closed = closed

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.closed.done():
            self.closed.set_result(None)


__all__ = ["MIN_LINKS", "SpreadRun", "SpreadSession", "can_fork", "run_spread", "usable_cores", "workers_wanted", "worker_count"]
