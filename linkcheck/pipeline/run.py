"""The check run: documents -> extract -> links -> check -> results -> report.

`check_paths` is what the CLI calls and what a Python user can call too. It returns a
`Report` (data, not text) and raises only the errors of `linkcheck.errors`. The run's
memory, rot hooks and snapshots are the sibling modules.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import signal
import warnings
from collections.abc import Callable, Collection, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from linkcheck.check.loop import run as run_loop
from linkcheck.check.spread import SpreadRun, SpreadSession, can_fork, merge_stats, run_spread, workers_wanted, worker_count
from linkcheck.collect import Extraction, PathLike, Reading
from linkcheck.collect import extract_paths as _extract_paths
from linkcheck.config import Settings
from linkcheck.discover import require_inputs
from linkcheck.errors import Interrupted, NetworkUnavailable, UsageError
from linkcheck.models import Link, Notice, Report, Result, verdict_result
from linkcheck.pipeline.memory import Memory
from linkcheck.pipeline.rot import ReferenceRot, WorkerRot, cited_copy
from linkcheck.pipeline.snapshots import Snapshots

if TYPE_CHECKING:  # the HTTP stack is imported where a request is about to be made
    from linkcheck.check.transport import Client

    from linkcheck.check.engine import Engine, EngineHooks

__all__ = ["Extraction", "RunMessage", "check_paths", "extract_paths"]  # extraction lives in linkcheck.collect


def extract_paths(
    paths: Sequence[PathLike],
    settings: Settings | None = None,
    *,
    only: Collection[Path] | None = None,
    cache: Any = None,
    link_text: bool = True,
) -> Extraction:
    """Every link in the documents under `paths`, deduplicated by normalized URL, with all
    locations (no network); `settings` default to the embedded defaults."""
    return _extract_paths(paths, settings or Settings(), only=only, cache=cache, link_text=link_text)


def check_paths(
    paths: Sequence[PathLike],
    settings: Settings | None = None,
    *,
    client: Client | None = None,
    on_total: Callable[[int], None] | None = None,
    on_result: Callable[[Result], None] | None = None,
    clock: Callable[[], datetime] | None = None,
    only: Collection[Path] | None = None,
    on_message: Callable[[str], None] | None = None,
) -> Report:
    """Extract, check and return the report; with history on, also record, reuse and diff.

    Raises `InputError`/`ConfigError` for bad input, `ArchiveBusy` when another run holds
    the archive folder, `NetworkUnavailable` when nothing at all could be reached (with
    the report attached), and `Interrupted` on Ctrl-C or SIGTERM (with the partial report).
    `clock` replaces the wall clock (tests of confirmation over days use it).
    `client`: every request of the run through this transport or `httpx.AsyncClient`
    (yours to close; the run then checks in this process) instead of linkcheck's own.
    `on_message` hears what the run wants said while it goes on (waiting for the archive
    lock, an archive repaired on opening); by default each becomes a `RunMessage` warning.
    """
    settings = settings or Settings()
    say = on_message or _as_warning
    now = clock or _now
    started_at = now()
    require_inputs(paths)  # a run that cannot start records nothing
    with contextlib.ExitStack() as stack:
        memory = stack.enter_context(Memory.open(settings, paths, started_at, now, say)) if settings.history.enabled else None
        cache = memory.extraction_cache() if memory is not None else None
        reading = Reading(paths, settings, only=only, cache=cache, link_text=False)
        workers = _stream_workers(settings, reading) if client is None and not settings.check.ray else 0
        run = _CheckRun(settings, Extraction(), started_at, now, memory, on_result, say)
        try:
            if settings.check.ray and client is None:
                reachable = run_loop(run.execute_ray(reading, on_total))
            elif workers:
                reachable = run_loop(run.execute_streaming(reading, workers, on_total))
            else:
                run.extraction = reading.read_all()
                if on_total is not None:
                    on_total(len(run.extraction.links))
                reachable = run_loop(run.execute(client))
        except (KeyboardInterrupt, asyncio.CancelledError):
            raise Interrupted(run.finish(interrupted=True)) from None
        except UsageError:
            if memory is not None:  # bad input found while reading: not an interrupted run
                memory.discard()
            raise
        if not reachable:
            if memory is not None:
                memory.discard()
            raise NetworkUnavailable(
                "network unavailable: no host could be reached and the network probe failed "
                f"({', '.join(settings.network.probe_urls)}); no verdict on the citations is possible",
                run.report(),
            )
        return run.finish(interrupted=False)
    raise AssertionError("unreachable")  # pragma: no cover - the with block always returns or raises


class _CheckRun:
    """One `check`: cached verdicts first, the engine for the rest, every verdict remembered."""

    def __init__(
        self,
        settings: Settings,
        extraction: Extraction,
        started_at: datetime,
        now: Callable[[], datetime],
        memory: Memory | None,
        on_result: Callable[[Result], None] | None,
        on_message: Callable[[str], None],
    ) -> None:
        self.settings = settings
        self.on_message = on_message
        self.extraction = extraction
        self.started_at = started_at
        self.now = now
        self.memory = memory
        self.on_result = on_result
        self.results: list[Result] = []
        self.engine: Engine | None = None
        #: Per-host stats of a run spread over workers (their engines live in other processes).
        self.host_stats: dict[str, Any] = {}

    def accept(self, result: Result) -> None:
        if self.memory is not None:
            result = self.memory.remember(result)
        self.results.append(result)
        if self.on_result is not None:
            self.on_result(result)

    async def execute(self, client: Client | None) -> bool:
        """Check everything; False when nothing could be reached and the probe failed too."""
        _cancel_on_sigterm()
        known: list[Link] = []
        to_check = self._to_request(self.extraction.links, known, self.accept)
        if not to_check:
            # Nothing needs a request (a repeat run served from history, or local links only):
            # no client, no connection pool, no event-loop work beyond this.
            for link in known:
                self.accept(verdict_result(link, self.now()))
            return True
        to_check = known + to_check  # the engine reports the known verdicts without a request
        workers = worker_count(self.settings, to_check) if client is None and not self.settings.archive.enabled else 1
        if workers > 1:
            return await self._execute_spread(to_check, workers)
        from linkcheck.check import make_client, network_available
        from linkcheck.check.engine import all_unreachable

        owned = client is None
        http = client or make_client(self.settings)
        async with contextlib.AsyncExitStack() as stack:
            if owned:
                await stack.enter_async_context(http)
            engine = await self.engine_here(http, self.extraction.notices, stack)
            await engine.run(to_check, self.accept)
            if all_unreachable(list(engine.outcomes.values())) and self.settings.network.probe_urls:
                return await network_available(http, self.settings.network.probe_urls)
            return True

    async def engine_here(self, http: Client, notices: list[Notice], stack: contextlib.AsyncExitStack) -> Engine:
        """The engine that checks in this process (`execute`, `_HereSession`): the run's rot
        hooks and, when archiving, its snapshots, whose archive stays open for `stack`'s life."""
        from linkcheck.check import Engine

        rot = ReferenceRot(self.settings, http, notices, self.started_at, self.memory)
        snapshots = Snapshots(self.settings, http, notices, self.on_message) if self.settings.archive.enabled else None

        def hooks(engine: Engine) -> EngineHooks:
            hooks = rot.hooks(engine)
            return dataclasses.replace(hooks, capture=snapshots.capture_for(engine.limiter)) if snapshots is not None else hooks

        engine = self.engine = Engine(self.settings, http, clock=self.now, hooks=hooks)
        if snapshots is not None:
            await stack.enter_async_context(snapshots.archive)
        return engine

    async def _execute_spread(self, to_check: list[Link], workers: int) -> bool:
        """`execute` with the hosts split over worker processes (linkcheck.check.spread)."""
        spread = await run_spread(self.settings, to_check, self.accept, workers=workers, hooks=self._worker_hooks, clock=self.now)
        return await self._spread_done(spread)

    async def execute_streaming(self, reading: Reading, workers: int, on_total: Callable[[int], None] | None) -> bool:
        """Read the documents and check at once: new links go to the workers (or, with
        one, to the engine in this process) in batches as documents are read (FEED_BATCH,
        HERE_BATCH): a large corpus no longer waits for its last file.

        Verdicts that arrive while reading goes on are held until it ends, because a
        link's locations are complete only then; so are verdicts reused from history.
        """
        _cancel_on_sigterm()
        held: list[Result] | None = []
        copies_sent: dict[str, int] = {}  # archived copies each link had when it went to a worker
        late: list[Result] = []  # broken, and its document cited an archived copy the worker never saw

        def locate(result: Result) -> Link | None:
            """Give the result every citation of its URL, now that they are known."""
            link = reading.links.get(result.url)
            if link is not None:
                result.locations = list(link.locations)
            return link

        def settle(result: Result) -> None:
            link = locate(result)
            if link is not None:
                sent = copies_sent.get(result.url)
                if sent is not None and len(link.archived_copies) > sent and self._wantscited_copy(result):
                    late.append(result)
                    return
            self.accept(result)

        def arrive(result: Result) -> None:
            if held is not None:
                held.append(result)
            else:
                settle(result)

        known: list[Link] = []
        sessions = contextlib.AsyncExitStack()
        session: SpreadSession | _HereSession | None = None

        async def send(links: list[Link]) -> None:
            nonlocal session
            to_request = self._to_request(links, known, arrive)
            if to_request and session is None:  # no client, no workers when history answers everything
                session = await sessions.enter_async_context(
                    SpreadSession(self.settings, workers, arrive, hooks=self._worker_hooks, clock=self.now)
                    if workers > 1
                    else _HereSession(self, arrive)
                )
            if session is not None:
                session.feed(to_request)
                copies_sent.update((link.url, len(link.archived_copies)) for link in to_request)

        batch = FEED_BATCH if workers > 1 else HERE_BATCH
        try:
            async with sessions:
                pending: list[Link] = []
                for new_links in reading.steps():
                    pending.extend(new_links)
                    if len(pending) >= batch:
                        await send(pending)
                        pending = []
                    # after every document: the workers' pipes are served, and Ctrl-C or
                    # SIGTERM (a cancellation of this task) takes effect here
                    await asyncio.sleep(0)
                await send(pending)
                self.extraction = reading.extraction()
                if on_total is not None:
                    on_total(len(self.extraction.links))
                held, early = None, held
                for result in early:
                    settle(result)
            if late:
                await self._check_cited_copies(late, reading.links)
        finally:
            self.extraction = reading.extraction()
            for result in [*(held or []), *late]:  # interrupted: keep what was checked, as it is
                locate(result)
                self.accept(result)
            late.clear()
            for link in known:  # local, invalid, excluded …: known without a request, kept either way
                self.accept(verdict_result(link, self.now()))
        return await self._spread_done(session.run) if session is not None else True

    async def execute_ray(self, reading: Reading, on_total: Callable[[int], None] | None) -> bool:
        """Read and check on a Ray cluster (`check.ray`, linkcheck.pipeline.ray_run)."""
        from linkcheck.pipeline.ray_run import check_on_ray

        _cancel_on_sigterm()
        self.extraction, spread = await check_on_ray(
            self.settings, reading, self.memory, self.accept, self.now, self.started_at, self.on_message, on_total
        )
        return await self._spread_done(spread)

    def _wantscited_copy(self, result: Result) -> bool:
        from linkcheck.check.engine import wants_archived_copy

        return self.settings.rot.suggestions and wants_archived_copy(result)

    async def _check_cited_copies(self, results: list[Result], links: dict[str, Link]) -> None:
        """The archived copies documents cite for these broken URLs, checked here: they were
        read after the URL had gone to a worker. A copy that answers is the suggestion (as
        in `ReferenceRot.suggest`); each result is accepted once settled."""
        from linkcheck.check import make_client

        async with make_client(self.settings) as http:
            while results:
                result = results[-1]  # popped once settled: interrupted meanwhile, it is still there
                result.suggestion = await cited_copy(links[result.url], http) or result.suggestion
                self.accept(results.pop())

    def _to_request(self, links: list[Link], known: list[Link], arrive: Callable[[Result], None]) -> list[Link]:
        """The links that need a request; a verdict known without one (local, invalid …)
        waits in `known`, and one fresh in history goes to `arrive`."""
        memory, now = self.memory, None
        if memory is not None:
            memory.prefetch(links)
            now = self.now()  # one moment for the batch: ages differ by microseconds at most
        to_request = []
        for link in links:
            if link.verdict is not None:
                known.append(link)
                continue
            cached = memory.cached(link, now) if memory is not None else None
            if cached is not None:
                arrive(cached)
            else:
                to_request.append(link)
        return to_request

    @property
    def _worker_hooks(self) -> WorkerRot:
        return WorkerRot(self.settings, self.started_at)

    async def _spread_done(self, spread: SpreadRun) -> bool:
        self.host_stats = spread.host_stats
        self.extraction.notices.extend(notice for notice in spread.notices if notice not in self.extraction.notices)
        if spread.all_unreachable and self.settings.network.probe_urls:
            from linkcheck.check import make_client, network_available

            async with make_client(self.settings) as http:
                return await network_available(http, self.settings.network.probe_urls)
        return True

    def report(self, interrupted: bool = False) -> Report:
        return Report(
            results=sorted(self.results, key=lambda result: result.url),
            started_at=self.started_at,
            finished_at=self.now(),
            documents=self.extraction.documents,
            links=self.extraction.citations,
            notices=self.extraction.notices,
            interrupted=interrupted,
            run_id=self.memory.run_id if self.memory is not None else None,
            host_stats={
                host: {"requests": stats.requests, "retries": stats.retries, "throttled": stats.throttled,
                       "probes": stats.probes,
                       "mean_latency": round(stats.mean_latency, 4)}
                for host, stats in sorted((self.engine.host_stats if self.engine is not None else self.host_stats).items())
            },
        )  # fmt: skip

    def finish(self, interrupted: bool) -> Report:
        report = self.report(interrupted)
        if self.memory is not None:
            report.diff = self.memory.finish(report)
        return report


class _HereSession:
    """`SpreadSession`'s part in a run that checks in this process: the engine, with the
    run's rot hooks, fed as the documents are read; `run` says what it did once it is left."""

    def __init__(self, check_run: _CheckRun, on_result: Callable[[Result], None]) -> None:
        self.check_run = check_run
        self.on_result = on_result
        self.run = SpreadRun()
        self._stack = contextlib.AsyncExitStack()
        self._feed: Callable[[Sequence[Link]], None] | None = None
        self._engine: Engine | None = None

    async def __aenter__(self) -> _HereSession:
        from linkcheck.check import make_client

        run = self.check_run
        stack = await self._stack.__aenter__()
        try:
            http = await stack.enter_async_context(make_client(run.settings))
            # Notices go to the run's list, not to the extraction, which is replaced once reading ends.
            engine = self._engine = await run.engine_here(http, self.run.notices, stack)
            self._feed = await stack.enter_async_context(engine.stream(self.on_result))
        except BaseException as error:
            await self._stack.__aexit__(type(error), error, error.__traceback__)
            raise
        return self

    def feed(self, links: Sequence[Link]) -> None:
        assert self._feed is not None, "fed outside its block"
        self._feed(links)

    async def __aexit__(self, *exc: Any) -> bool | None:
        try:
            return await self._stack.__aexit__(*exc)
        finally:
            if self._engine is not None:
                from linkcheck.check.engine import all_unreachable

                merge_stats(self.run, self._engine.host_stats, list(self._engine.outcomes.values()), all_unreachable)


#: A corpus smaller than this is read before checking starts: below a couple of thousand
#: links (~200 bytes of text each) reading is over before the first answer would be.
STREAM_MIN_BYTES = 512 * 1024
#: New links are sent to worker processes in batches of about this many (fewer, larger frames).
FEED_BATCH = 1000
#: The engine in this process takes new links in batches of about this many: fewer history
#: lookups and scheduler passes than one per document, yet the first requests leave early.
HERE_BATCH = 250


def _stream_workers(settings: Settings, reading: Reading) -> int:
    """How a run checks while it reads: 0, it reads first (a small corpus; an archiving run,
    whose captures while reading are not yet proven by a test); 1, into the engine in this
    process; more, to that many worker processes (`check.workers`)."""
    if settings.archive.enabled or reading.size() < STREAM_MIN_BYTES:
        return 0
    cores = workers_wanted(settings) if can_fork() else 1
    return max(1, min(cores, settings.check.max_concurrency))


class RunMessage(UserWarning):
    """A message of a run given no `on_message` (the CLI prints them on stderr instead)."""


def _as_warning(message: str) -> None:
    warnings.warn(message, RunMessage, stacklevel=2)




def _cancel_on_sigterm() -> None:
    """SIGTERM stops the run like Ctrl-C does: cancel, keep what was checked, report it."""
    task = asyncio.current_task()
    if task is None:
        return
    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)


def _now() -> datetime:
    return datetime.now(timezone.utc)
