"""The library's front door: documents -> extract -> links -> check -> results -> report.

`check_paths` is what the CLI calls and what a Python user can call too. It returns a
`Report` (data, not text) and raises only the errors of `linkcheck.errors`.
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
from linkcheck.check.spread import SpreadRun, SpreadSession, can_fork, run_spread, usable_cores, worker_count
from linkcheck.config import Settings
from linkcheck.archive.lock import ArchiveLock
from linkcheck.confirm import ConfirmRule, confirm
from linkcheck.discover import require_inputs
from linkcheck.errors import InputError, Interrupted, NetworkUnavailable, UsageError
from linkcheck.collect import Extraction, PathLike, Reading
from linkcheck.collect import extract_paths as _extract_paths
from linkcheck.extract import ExtractOptions
from linkcheck.extract_cache import ExtractionCache
from linkcheck.history import Check, History, inputs_key, open_history
from linkcheck.models import Diff, Link, Notice, Report, Result, Status, verdict_result
from linkcheck.urls import is_http

if TYPE_CHECKING:  # the HTTP stack is imported where a request is about to be made
    import httpx

    from linkcheck.check.engine import Engine, EngineHooks, PageVerdict
    from linkcheck.check.outcome import Outcome

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
    client: httpx.AsyncClient | None = None,
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
    `on_message` hears what the run wants said while it goes on (waiting for the archive
    lock, an archive repaired on opening); by default each becomes a `RunMessage` warning.
    """
    settings = settings or Settings()
    say = on_message or _as_warning
    now = clock or _now
    started_at = now()
    require_inputs(paths)  # a run that cannot start records nothing
    with contextlib.ExitStack() as stack:
        memory = stack.enter_context(_Memory.open(settings, paths, started_at, now, say)) if settings.history.enabled else None
        cache = None
        if memory is not None:  # the history's own connection: one writer, no lock between the two
            cache = ExtractionCache(memory.history.db, ExtractOptions(include_code=settings.files.include_code))
        reading = Reading(paths, settings, only=only, cache=cache, link_text=False)
        workers = _stream_workers(settings, reading) if client is None else 1
        run = _CheckRun(settings, Extraction(), started_at, now, memory, on_result, say)
        try:
            if workers > 1:
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
        memory: _Memory | None,
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

    async def execute(self, client: httpx.AsyncClient | None) -> bool:
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
        from linkcheck.check import Engine, make_client, network_available
        from linkcheck.check.engine import all_unreachable

        owned = client is None
        http = client or make_client(self.settings)
        async with contextlib.AsyncExitStack() as stack:
            if owned:
                await stack.enter_async_context(http)
            rot = _ReferenceRot(self.settings, http, self.extraction.notices, self.started_at, self.memory)
            snapshots = _Snapshots(self.settings, http, self.extraction.notices, self.on_message) if self.settings.archive.enabled else None

            def hooks(engine: Engine) -> EngineHooks:
                hooks = rot.hooks(engine)
                return dataclasses.replace(hooks, capture=snapshots.capture_for(engine)) if snapshots is not None else hooks

            engine = self.engine = Engine(self.settings, http, clock=self.now, hooks=hooks)
            if snapshots is not None:
                await stack.enter_async_context(snapshots.archive)
            await engine.run(to_check, self.accept)
            if all_unreachable(list(engine.outcomes.values())) and self.settings.network.probe_urls:
                return await network_available(http, self.settings.network.probe_urls)
            return True

    async def _execute_spread(self, to_check: list[Link], workers: int) -> bool:
        """`execute` with the hosts split over worker processes (linkcheck.check.spread)."""
        spread = await run_spread(self.settings, to_check, self.accept, workers=workers, hooks=self._worker_hooks, clock=self.now)
        return await self._spread_done(spread)

    async def execute_streaming(self, reading: Reading, workers: int, on_total: Callable[[int], None] | None) -> bool:
        """Read the documents and check at once: each document's new links go to the
        workers as soon as it is read (a large corpus no longer waits for its last file).

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
                if sent is not None and len(link.archived_copies) > sent and self._wants_cited_copy(result):
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
        session: SpreadSession | None = None

        async def send(links: list[Link]) -> None:
            nonlocal session
            to_request = self._to_request(links, known, arrive)
            if to_request and session is None:  # no workers at all when history answers everything
                session = await sessions.enter_async_context(
                    SpreadSession(self.settings, workers, arrive, hooks=self._worker_hooks, clock=self.now)
                )
            if session is not None:
                session.feed(to_request)
                copies_sent.update((link.url, len(link.archived_copies)) for link in to_request)

        try:
            async with sessions:
                pending: list[Link] = []
                for new_links in reading.steps():
                    pending.extend(new_links)
                    if len(pending) >= FEED_BATCH:
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

    def _wants_cited_copy(self, result: Result) -> bool:
        from linkcheck.check.engine import wants_archived_copy

        return self.settings.rot.suggestions and wants_archived_copy(result)

    async def _check_cited_copies(self, results: list[Result], links: dict[str, Link]) -> None:
        """The archived copies documents cite for these broken URLs, checked here: they were
        read after the URL had gone to a worker. A copy that answers is the suggestion (as
        in `_ReferenceRot.suggest`); each result is accepted once settled."""
        from linkcheck.check import make_client

        async with make_client(self.settings) as http:
            while results:
                result = results[-1]  # popped once settled: interrupted meanwhile, it is still there
                result.suggestion = await _cited_copy(links[result.url], http) or result.suggestion
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

    def _worker_hooks(self, engine: Engine, http: httpx.AsyncClient) -> EngineHooks:
        # Runs in each worker: no history there (its SQLite connection is this process's).
        return _ReferenceRot(self.settings, http, engine.notices, self.started_at, None).hooks(engine)

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


class _ReferenceRot:
    """Soft 404s, content drift and archived copies (linkcheck.rot), hooked into the engine.

    A page is judged only when it answered 2xx; its body is fetched with GET for that. A
    broken or drifted citation gets the best archived copy: one the document itself cites
    (wikitext `archive-url`), else the local archive, else a Memento TimeGate or the
    Wayback Machine (unless `rot.offline_suggestions`). What a service could not answer
    becomes one notice, and the run completes either way.
    """

    def __init__(
        self,
        settings: Settings,
        client: httpx.AsyncClient,
        notices: list[Notice],
        started_at: datetime,
        memory: _Memory | None,
    ) -> None:
        self.settings = settings
        #: The engine judged for: its probe asks for template pages (set by `hooks`).
        self.engine: Engine | None = None
        self.client = client
        self.notices = notices
        self.started_at = started_at
        self.memory = memory
        self.detector: Any = None
        self._said: set[str] = set()

    def hooks(self, engine: Engine) -> EngineHooks:
        """The hooks for `engine` (an engine's `HooksFactory`): soft-404 probes are its own."""
        from linkcheck.check.engine import EngineHooks

        rot = self.settings.rot
        self.engine = engine
        judge, body_limit = None, 0
        if rot.soft404 or rot.drift:
            from linkcheck.rot import DEFAULT_BODY_LIMIT, Soft404Detector, Soft404Options

            judge, body_limit = self.judge, DEFAULT_BODY_LIMIT
            if rot.soft404:
                options = Soft404Options(
                    probe=rot.soft404_probe,
                    probe_similarity=rot.soft404_similarity,
                    skip_hosts=frozenset(host.lower() for host in rot.soft404_skip_hosts),
                )
                self.detector = Soft404Detector(self._probe, options, is_cited=engine.cited.__contains__)
        return EngineHooks(judge=judge, judge_body_limit=body_limit, suggest=self.suggest if rot.suggestions else None)

    async def _probe(self, url: str) -> Any:
        from linkcheck.rot import DEFAULT_BODY_LIMIT, snapshot_from_outcome

        assert self.engine is not None  # the detector exists only once `hooks` has run
        return snapshot_from_outcome(url, await self.engine.probe(url, DEFAULT_BODY_LIMIT))

    async def judge(self, url: str, outcome: Outcome) -> PageVerdict:
        from linkcheck.check.engine import PageVerdict
        from linkcheck.rot import DEFAULT_BODY_LIMIT, compare_with_archive, snapshot_from_outcome

        if self.detector is not None:
            verdict = await self.detector.check(snapshot_from_outcome(url, outcome))
            if verdict is not None:
                return PageVerdict(status=Status.BLOCKED if verdict.blocked else Status.SOFT404, error=verdict.reason)
        last = outcome.last
        if not self.settings.rot.drift or last is None or last.body is None:
            return PageVerdict()
        archive_dir = Path(self.settings.archive.path)
        if not (archive_dir / "catalog.sqlite").is_file():
            return PageVerdict()
        from linkcheck.archive import ArchiveError

        try:
            drift = await compare_with_archive(
                url, last.body, archive_dir, self.settings.rot.drift_threshold,
                content_type=last.headers.get("content-type") if last.headers else None,
                before=self.started_at, body_limit=DEFAULT_BODY_LIMIT, storage_url=self.settings.archive.url or None,
            )  # fmt: skip
        except ArchiveError as exc:
            self._note(archive_dir.as_posix(), f"drift not compared: {exc}")
            return PageVerdict()
        return PageVerdict(drift=drift)

    async def suggest(self, link: Link, result: Result) -> dict[str, Any] | None:
        from linkcheck.rot import suggest

        cited = await _cited_copy(link, self.client)
        if cited is not None:
            return cited
        rot = self.settings.rot
        online = not rot.offline_suggestions
        outcome = await suggest(
            link.request_url,
            self._first_seen(link.url) or result.checked_at or self.started_at,
            archive_dir=self.settings.archive.path,
            client=self.client,
            memento_timegate=(rot.memento_timegate or None) if online else None,
            wayback_api=(rot.wayback_api or None) if online else None,
        )
        for note in outcome.notes:
            self._note("suggestions", note)
        return outcome.suggestion

    def _first_seen(self, url: str) -> datetime | None:
        """The citation's date, as well as linkcheck knows it: the first time it checked the URL."""
        if self.memory is None:
            return None
        timeline = self.memory.history.timeline(url)
        return timeline[0].checked_at if timeline else None

    def _note(self, where: str, message: str) -> None:
        key = f"{where}: {message.split(':', 1)[0]}"
        if key not in self._said:
            self._said.add(key)
            self.notices.append(Notice(where, message))


class _Snapshots:
    """`--archive`: every live page captured once per run into the archive folder.

    A failure of the archive itself (full disk, unwritable folder) stops the captures with
    one notice; checking goes on and the report is still written.
    """

    def __init__(self, settings: Settings, client: httpx.AsyncClient, notices: list[Notice], on_message: Callable[[str], None]) -> None:
        self.settings = settings
        self.on_message = on_message
        self.archive: Any = None
        self.client = client
        self.notices = notices
        self.broken = False

    def capture_for(self, engine: Engine) -> Callable[[str], Any]:
        """The capture hook of `engine`, whose politeness limits the archive shares; the
        caller enters `archive` (an async context manager) before checking starts."""
        self.archive = self.settings.archive_store(slot=engine.limiter.slot, on_message=self.on_message)
        return self.capture

    async def capture(self, url: str) -> dict[str, Any] | None:
        from linkcheck.archive import ArchiveError

        if self.broken:
            return None
        try:
            captured = await self.archive.capture(self.client, url)
        except ArchiveError as exc:
            self.broken = True
            self.notices.append(Notice(self.archive.layout.root.as_posix(), f"archiving stopped: {exc}"))
            return None
        return captured.to_dict() if captured is not None else None


class _Memory:
    """The history side of a run: the archive-folder lock, the run row, cache and confirmation."""

    def __init__(self, settings: Settings, history: History, lock: ArchiveLock, run_id: int, now: Callable[[], datetime]) -> None:
        self.settings = settings
        self.history = history
        self.lock = lock
        self.run_id = run_id
        self.now = now
        self.rule = ConfirmRule.parse(settings.history.confirm)
        inputs = history.run_inputs(run_id)
        #: A run over the same inputs that was killed or interrupted just before this one.
        self.resumed_run = history.interrupted_predecessor(inputs, run_id) if inputs is not None else None
        #: The newest earlier check of every cited URL, loaded at once by `prefetch`.
        self._latest: dict[str, Check] | None = None

    def prefetch(self, links: Sequence[Link]) -> None:
        if self.settings.history.max_age > 0 or self.settings.history.max_age_broken > 0:
            latest = self.history.latest_many([link.url for link in links if link.verdict is None], self.run_id)
            if self._latest is None:
                self._latest = latest
            else:  # streaming: one batch of links per document
                self._latest.update(latest)

    @classmethod
    @contextlib.contextmanager
    def open(  # type: ignore[no-untyped-def]
        cls, settings: Settings, paths: Sequence[PathLike], started_at: datetime, now: Callable[[], datetime], on_message: Callable[[str], None]
    ):
        folder = Path(settings.archive.path)
        _ensure_folder(folder)
        lock = ArchiveLock(folder, settings.archive.lock_timeout, on_wait=on_message)
        lock.acquire_blocking()  # ArchiveLocked (exit 5) or ArchiveError (exit 2) propagate
        try:
            with open_history(settings) as history:
                memory = cls(settings, history, lock, history.start_run(inputs_key(paths), started_at), now)
                yield memory
        finally:
            lock.release()

    def cached(self, link: Link, now: datetime | None = None) -> Result | None:
        """A fresh enough verdict from history, reused instead of a request (`now`: the
        moment to measure ages from, the clock's when not given).

        After an interrupted run, its verdicts younger than `history.resume_within` are
        reused too, so the next run resumes instead of starting over.
        """
        history = self.settings.history
        if now is None:
            now = self.now()
        if self.resumed_run is not None:
            check = self.history.check_in_run(self.resumed_run, link.url)
            if check is not None and (now - check.checked_at).total_seconds() <= history.resume_within:
                return check.as_result(list(link.locations))
        if history.max_age <= 0 and history.max_age_broken <= 0:
            return None
        check = self._latest.get(link.url) if self._latest is not None else self.history.latest(link.url, before_run=self.run_id)
        if check is None:
            return None
        age = (now - check.checked_at).total_seconds()
        live = check.status in _LIVE
        limit = history.max_age if live else history.max_age_broken
        if limit <= 0 or age > limit or check.status is Status.SUSPECT:
            return None
        return check.as_result(list(link.locations))

    def remember(self, result: Result) -> Result:
        """Apply confirmation to a fresh broken verdict, then record it.

        Only a web request can fail transiently: a missing local file or an invalid URL
        is broken at once, whatever `--confirm` says."""
        if not result.cached and result.status in self.settings.fail_on and not self.rule.immediate and is_http(result.url):
            streak = self.history.failure_streak(result.url, self.settings.fail_on, self.run_id)
            result = confirm(result, [check.checked_at for check in streak], self.rule, self.now())
        self.history.record(self.run_id, result)
        return result

    def discard(self) -> None:
        self.history.discard_run(self.run_id)

    def finish(self, report: Report) -> Diff:
        self.history.finish_run(self.run_id, report.finished_at, report.documents, report.links, report.interrupted)
        return self.history.diff(self.run_id, self.settings.fail_on)


#: Verdicts reused for `history.max_age` (any other status waits for `max_age_broken`).
_LIVE = frozenset((Status.OK, Status.REDIRECT_PERMANENT, Status.REDIRECT_TEMPORARY))

#: A corpus smaller than this is read before checking starts, in one process: workers
#: cost more than they save below a couple of thousand links (~200 bytes of text each).
STREAM_MIN_BYTES = 512 * 1024
#: New links are sent to the workers in batches of about this many (fewer, larger frames).
FEED_BATCH = 1000


def _stream_workers(settings: Settings, reading: Reading) -> int:
    """Worker processes to check with while reading (1: read first, then decide)."""
    if settings.archive.enabled or not can_fork():
        return 1
    cores = usable_cores()
    if cores < 2 or reading.size() < STREAM_MIN_BYTES:
        return 1
    return min(cores, settings.check.max_concurrency)


async def _cited_copy(link: Link, client: httpx.AsyncClient) -> dict[str, Any] | None:
    """The first archived copy the documents cite for `link` that answers, as a suggestion."""
    from linkcheck.rot import check_cited_copy

    for archive_url, archive_date in link.archived_copies:
        cited = await check_cited_copy(archive_url, client, archive_date=archive_date)
        if cited is not None:
            return cited
    return None


def _ensure_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the archive folder {folder}: {exc.strerror or exc}") from None


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
