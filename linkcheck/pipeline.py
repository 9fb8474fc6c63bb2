"""The library's front door: documents -> extract -> links -> check -> results -> report.

`check_paths` is what the CLI calls and what a Python user can call too. It returns a
`Report` (data, not text) and raises only the errors of `linkcheck.errors`.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import itertools
import os
import re
import signal
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx

from linkcheck.check import Engine, make_client, network_available
from linkcheck.check.engine import PageVerdict, all_unreachable, verdict_result
from linkcheck.check.loop import run as run_loop
from linkcheck.check.spread import run_spread, worker_count
from linkcheck.check.outcome import Outcome
from linkcheck.config import Settings
from linkcheck.discover import DiscoverOptions, Discovery, Document, read_text
from linkcheck.archive.lock import ArchiveLock
from linkcheck.confirm import ConfirmRule, confirm
from linkcheck.errors import InputError, Interrupted, NetworkUnavailable
from linkcheck.extract import ExtractionError, ExtractOptions, extractor, is_binary
from linkcheck.extract_cache import ExtractionCache
from linkcheck.history import Check, History, inputs_key
from linkcheck.models import Diff, Link, Location, Notice, RawLink, Report, Result, Status
from linkcheck.identifiers import identifier_url, is_identifier
from linkcheck.local import LocalLinks
from linkcheck.urls import InvalidURL, classify_target, normalize

PathLike = str | os.PathLike[str]


@dataclass
class Extraction:
    """What reading the documents produced, before any network access."""

    links: list[Link] = field(default_factory=list)
    documents: int = 0
    citations: int = 0
    notices: list[Notice] = field(default_factory=list)


def extract_paths(
    paths: Sequence[PathLike],
    settings: Settings | None = None,
    *,
    only: Collection[Path] | None = None,
    cache: ExtractionCache | None = None,
) -> Extraction:
    """Every link in the documents under `paths`, deduplicated by normalized URL, with all locations.

    `only` (absolute, resolved paths) limits reading to those files (`--changed-since`).
    """
    settings = settings or Settings()
    discovery = Discovery(
        DiscoverOptions(
            include=settings.files.include,
            exclude=settings.files.exclude,
            hidden=settings.files.hidden,
            gitignore=settings.files.gitignore,
        )
    )
    collector = _LinkCollector(settings)
    extraction = Extraction()
    options = ExtractOptions(include_code=settings.files.include_code)
    documents = [doc for doc in discovery.documents(paths) if only is None or doc.path.resolve() in only]
    for document, raw_links, notices in _extracted(documents, options, settings.files.max_file_size, cache):
        extraction.documents += 1
        extraction.notices.extend(notices)
        for raw in raw_links:
            collector.add(raw, document)
            extraction.citations += 1
    extraction.notices[:0] = discovery.notices
    extraction.links = list(collector.links.values())
    return extraction


def check_paths(
    paths: Sequence[PathLike],
    settings: Settings | None = None,
    *,
    client: httpx.AsyncClient | None = None,
    on_total: Callable[[int], None] | None = None,
    on_result: Callable[[Result], None] | None = None,
    clock: Callable[[], datetime] | None = None,
    only: Collection[Path] | None = None,
) -> Report:
    """Extract, check and return the report; with history on, also record, reuse and diff.

    Raises `InputError`/`ConfigError` for bad input, `ArchiveBusy` when another run holds
    the archive folder, `NetworkUnavailable` when nothing at all could be reached (with
    the report attached), and `Interrupted` on Ctrl-C or SIGTERM (with the partial report).
    `clock` replaces the wall clock (tests of confirmation over days use it).
    """
    settings = settings or Settings()
    now = clock or _now
    started_at = now()
    with contextlib.ExitStack() as stack:
        memory = stack.enter_context(_Memory.open(settings, paths, started_at, now)) if settings.history.enabled else None
        cache = None
        if memory is not None:  # the history's own connection: one writer, no lock between the two
            cache = ExtractionCache(memory.history.db, ExtractOptions(include_code=settings.files.include_code))
        extraction = extract_paths(paths, settings, only=only, cache=cache)
        if on_total is not None:
            on_total(len(extraction.links))
        run = _CheckRun(settings, extraction, started_at, now, memory, on_result)
        try:
            reachable = run_loop(run.execute(client))
        except (KeyboardInterrupt, asyncio.CancelledError):
            raise Interrupted(run.finish(interrupted=True)) from None
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
    ) -> None:
        self.settings = settings
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
        to_check = []
        if self.memory is not None:
            self.memory.prefetch(self.extraction.links)
        for link in self.extraction.links:
            cached = self.memory.cached(link) if self.memory is not None and link.verdict is None else None
            if cached is not None:
                self.accept(cached)
            else:
                to_check.append(link)
        if all(link.verdict is not None for link in to_check):
            # Nothing needs a request (a repeat run served from history, or local links only):
            # no client, no connection pool, no event-loop work beyond this.
            for link in to_check:
                self.accept(verdict_result(link, self.now()))
            return True
        workers = worker_count(self.settings, to_check) if client is None and not self.settings.archive.enabled else 1
        if workers > 1:
            return await self._execute_spread(to_check, workers)
        owned = client is None
        http = client or make_client(self.settings)
        async with contextlib.AsyncExitStack() as stack:
            if owned:
                await stack.enter_async_context(http)
            engine = self.engine = Engine(self.settings, http, clock=self.now)
            _ReferenceRot(self.settings, engine, http, self.extraction.notices, self.started_at, self.memory).attach()
            if self.settings.archive.enabled:
                engine.capture = await stack.enter_async_context(_Snapshots.open(self.settings, engine, http, self.extraction.notices))
            await engine.run(to_check, self.accept)
            if all_unreachable(list(engine.outcomes.values())) and self.settings.network.probe_urls:
                return await network_available(http, self.settings.network.probe_urls)
            return True

    async def _execute_spread(self, to_check: list[Link], workers: int) -> bool:
        """`execute` with the hosts split over worker processes (linkcheck.check.spread)."""

        def prepare(engine: Engine, http: httpx.AsyncClient) -> None:
            # Runs in each worker: no history there (its SQLite connection is this process's).
            _ReferenceRot(self.settings, engine, http, [], self.started_at, None).attach()

        spread = await run_spread(self.settings, to_check, self.accept, workers=workers, prepare=prepare, clock=self.now)
        self.host_stats = spread.host_stats
        if spread.all_unreachable and self.settings.network.probe_urls:
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
        engine: Engine,
        client: httpx.AsyncClient,
        notices: list[Notice],
        started_at: datetime,
        memory: _Memory | None,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.client = client
        self.notices = notices
        self.started_at = started_at
        self.memory = memory
        self.detector: Any = None
        self._said: set[str] = set()

    def attach(self) -> None:
        rot = self.settings.rot
        if rot.soft404 or rot.drift:
            from linkcheck.rot import DEFAULT_BODY_LIMIT, Soft404Detector, Soft404Options

            self.engine.judge = self.judge
            self.engine.judge_body_limit = DEFAULT_BODY_LIMIT
            if rot.soft404:
                options = Soft404Options(
                    probe=rot.soft404_probe,
                    probe_similarity=rot.soft404_similarity,
                    skip_hosts=frozenset(host.lower() for host in rot.soft404_skip_hosts),
                )
                self.detector = Soft404Detector(self._probe, options)
        if rot.suggestions:
            self.engine.suggest = self.suggest

    async def _probe(self, url: str) -> Any:
        from linkcheck.rot import DEFAULT_BODY_LIMIT, snapshot_from_outcome

        return snapshot_from_outcome(url, await self.engine.fetch(url, DEFAULT_BODY_LIMIT))

    async def judge(self, url: str, outcome: Outcome) -> PageVerdict:
        from linkcheck.rot import DEFAULT_BODY_LIMIT, compare_with_archive, snapshot_from_outcome

        if self.detector is not None:
            verdict = await self.detector.check(snapshot_from_outcome(url, outcome))
            if verdict is not None:
                return PageVerdict(status=Status.SOFT404, error=verdict.reason)
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
                before=self.started_at, body_limit=DEFAULT_BODY_LIMIT,
            )  # fmt: skip
        except ArchiveError as exc:
            self._note(archive_dir.as_posix(), f"drift not compared: {exc}")
            return PageVerdict()
        return PageVerdict(drift=drift)

    async def suggest(self, link: Link, result: Result) -> dict[str, Any] | None:
        from linkcheck.rot import check_cited_copy, suggest

        for archive_url, archive_date in link.archived_copies:
            cited = await check_cited_copy(archive_url, self.client, archive_date=archive_date)
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

    def __init__(self, archive: Any, client: httpx.AsyncClient, notices: list[Notice]) -> None:
        self.archive = archive
        self.client = client
        self.notices = notices
        self.broken = False

    @classmethod
    @contextlib.asynccontextmanager
    async def open(cls, settings: Settings, engine: Engine, client: httpx.AsyncClient, notices: list[Notice]):  # type: ignore[no-untyped-def]
        from linkcheck.archive import Archive

        archive = Archive(
            settings.archive.path,
            policy=settings.archive.policy,
            options=settings.capture_options(),
            lock_timeout=settings.archive.lock_timeout,
            on_message=_warn,
            slot=engine.limiter.slot,
            headers_for=settings.host_headers,
        )
        async with archive:
            yield cls(archive, client, notices).capture

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
            self._latest = self.history.latest_many([link.url for link in links if link.verdict is None], self.run_id)

    @classmethod
    @contextlib.contextmanager
    def open(cls, settings: Settings, paths: Sequence[PathLike], started_at: datetime, now: Callable[[], datetime]):  # type: ignore[no-untyped-def]
        folder = Path(settings.archive.path)
        _ensure_folder(folder)
        lock = ArchiveLock(folder, settings.archive.lock_timeout, on_wait=_warn)
        lock.acquire_blocking()  # ArchiveLocked (exit 5) or ArchiveError (exit 2) propagate
        try:
            with History(folder) as history:
                memory = cls(settings, history, lock, history.start_run(inputs_key(paths), started_at), now)
                yield memory
        finally:
            lock.release()

    def cached(self, link: Link) -> Result | None:
        """A fresh enough verdict from history, reused instead of a request.

        After an interrupted run, its verdicts younger than `history.resume_within` are
        reused too, so the next run resumes instead of starting over.
        """
        history = self.settings.history
        if self.resumed_run is not None:
            check = self.history.check_in_run(self.resumed_run, link.url)
            if check is not None and (self.now() - check.checked_at).total_seconds() <= history.resume_within:
                return check.as_result(list(link.locations))
        if history.max_age <= 0 and history.max_age_broken <= 0:
            return None
        check = self._latest.get(link.url) if self._latest is not None else self.history.latest(link.url, before_run=self.run_id)
        if check is None:
            return None
        age = (self.now() - check.checked_at).total_seconds()
        live = check.status in (Status.OK, Status.REDIRECT_PERMANENT, Status.REDIRECT_TEMPORARY)
        limit = history.max_age if live else history.max_age_broken
        if limit <= 0 or age > limit or check.status is Status.SUSPECT:
            return None
        return check.as_result(list(link.locations))

    def remember(self, result: Result) -> Result:
        """Apply confirmation to a fresh broken verdict, then record it."""
        if not result.cached and result.status in self.settings.fail_on and not self.rule.immediate:
            streak = self.history.failure_streak(result.url, self.settings.fail_on, self.run_id)
            result = confirm(result, [check.checked_at for check in streak], self.rule, self.now())
        self.history.record(self.run_id, result)
        return result

    def discard(self) -> None:
        self.history.discard_run(self.run_id)

    def finish(self, report: Report) -> Diff:
        self.history.finish_run(self.run_id, report.finished_at, report.documents, report.links, report.interrupted)
        return self.history.diff(self.run_id, self.settings.fail_on)


def _ensure_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the archive folder {folder}: {exc.strerror or exc}") from None


def _warn(message: str) -> None:
    import sys

    print(f"linkcheck: {message}", file=sys.stderr, flush=True)


#: Plain text larger than this is read line by line in blocks instead of whole.
STREAM_THRESHOLD = 8 * 1024 * 1024
_STREAM_BLOCK_BYTES = 1024 * 1024


#: Below this much text, extracting in one process is faster than starting workers.
PARALLEL_THRESHOLD = 8 * 1024 * 1024


def _extracted(
    documents: list[Document], options: ExtractOptions, max_file_size: int, cache: ExtractionCache | None = None
) -> Iterator[tuple[Document, Iterable[RawLink], list[Notice]]]:
    """Each document with its raw links and notices, in order.

    A file unchanged since the last run (same content hash) reuses its links from `cache`.
    Large inputs are extracted by one worker process per core (parsing is CPU-bound and
    the GIL would serialize it); the results are the same, in the same order, as in one
    process. Huge plain-text files are always streamed here, in this process.
    """
    digests = [cache.digest(document) if cache is not None else None for document in documents]
    known = [cache.get(document, digest) if cache is not None else None for document, digest in zip(documents, digests)]
    todo = [document for document, hit in zip(documents, known) if hit is None]
    fresh = iter(_parse(todo, options, max_file_size))
    for document, digest, hit in zip(documents, digests, known):
        if hit is not None:
            yield document, hit[0], hit[1]
            continue
        _, raw_links, notices = next(fresh)
        if cache is not None and digest is not None:
            raw_links = list(raw_links)
            cache.put(document, digest, raw_links, notices)
        yield document, raw_links, notices


def _parse(
    documents: list[Document], options: ExtractOptions, max_file_size: int
) -> Iterator[tuple[Document, Iterable[RawLink], list[Notice]]]:
    total = sum(_size(document) for document in documents)
    workers = min(os.cpu_count() or 1, 4)
    if workers < 2 or total < PARALLEL_THRESHOLD or len(documents) < 2:
        for document in documents:
            notices: list[Notice] = []
            raw_links = _raw_links(document, options, notices, max_file_size)
            yield document, raw_links, notices
        return
    import concurrent.futures
    import functools

    job = functools.partial(_extract_in_worker, options=options, max_file_size=max_file_size)
    window = 4 * workers  # documents in flight: results never pile up ahead of the consumer
    with concurrent.futures.ProcessPoolExecutor(max_workers=workers) as pool:
        pending: collections.deque[tuple[Document, concurrent.futures.Future[Any]]] = collections.deque()
        queue = iter(documents)
        for document in itertools.islice(queue, window):
            pending.append((document, pool.submit(job, document)))
        while pending:
            document, future = pending.popleft()
            raw_links, notices = future.result()
            for following in itertools.islice(queue, 1):
                pending.append((following, pool.submit(job, following)))
            if raw_links is None:  # too large to ship between processes: stream it here
                notices = []
                raw_links = _raw_links(document, options, notices, max_file_size)
            yield document, raw_links, notices


def _extract_in_worker(document: Document, *, options: ExtractOptions, max_file_size: int) -> tuple[list[RawLink] | None, list[Notice]]:
    if document.format == "plaintext" and _size(document) > STREAM_THRESHOLD:
        return None, []
    notices: list[Notice] = []
    return list(_raw_links(document, options, notices, max_file_size)), notices


def _size(document: Document) -> int:
    try:
        return document.path.stat().st_size
    except OSError:
        return 0


def _raw_links(document: Document, options: ExtractOptions, notices: list[Notice], max_file_size: int) -> Iterable[RawLink]:
    try:
        size = document.path.stat().st_size
        if document.format == "plaintext" and size > STREAM_THRESHOLD:
            return _streamed_plaintext(document, options)
        if size > max_file_size:
            notices.append(Notice(document.display, f"skipped: {size} bytes is over files.max_file_size ({max_file_size})"))
            return []
        if is_binary(document.format):
            data: str | bytes = document.path.read_bytes()
        else:
            data, notice = read_text(document)
            if notice is not None:
                notices.append(notice)
    except OSError as exc:
        notices.append(Notice(document.display, f"skipped: cannot read ({exc.strerror or exc})"))
        return []
    try:
        return list(extractor(document.format)(data, options))
    except ExtractionError as exc:
        notices.append(Notice(document.display, f"skipped: {exc}"))
        return []
    except Exception as exc:  # noqa: BLE001 - one broken document must not stop the run
        notices.append(Notice(document.display, f"could not extract links ({type(exc).__name__}: {exc})"))
        return []


def _streamed_plaintext(document: Document, options: ExtractOptions) -> Iterator[RawLink]:
    """A huge text file in blocks of whole lines: URLs never span lines in plain text, so
    positions stay exact and memory stays flat (a 1 GB log is fine)."""
    from dataclasses import replace

    extract = extractor("plaintext")
    first_line = 1
    with document.path.open("r", encoding="utf-8", errors="replace", newline="") as handle:
        while True:
            block = handle.readlines(_STREAM_BLOCK_BYTES)  # whole lines, about this many characters
            if not block:
                return
            for raw in extract("".join(block), options):
                yield replace(raw, line=(raw.line or 1) + first_line - 1)
            first_line += len(block)


class _LinkCollector:
    """Turns raw links into deduplicated, checkable `Link`s and applies the URL rules."""

    def __init__(self, settings: Settings) -> None:
        self.links: dict[str, Link] = {}
        self._settings = settings
        self._include = [re.compile(pattern) for pattern in settings.urls.include]
        self._exclude = [re.compile(pattern) for pattern in settings.urls.exclude]
        self._local = LocalLinks()
        self._checkable = 0
        self._seen: dict[tuple[str, str | None], Link] = {}
        self._local_keys: set[str] = set()

    def add(self, raw: RawLink, document: Document) -> None:
        target = raw.target.strip()
        cited_as = target if is_identifier(target) else None
        link = self._link_for(identifier_url(target, self._settings.urls.doi_resolver) or target, raw, document)
        if link is None:
            return
        link.locations.append(Location.of(document.display, raw, cited_as))
        if raw.archive_url and (raw.archive_url, raw.archive_date) not in link.archived_copies:
            link.archived_copies.append((raw.archive_url, raw.archive_date))

    def _link_for(self, target: str, raw: RawLink, document: Document) -> Link | None:
        # A URL cited a thousand times is normalized once (local links depend on the document).
        key = (target, raw.base)
        cached = self._seen.get(key)
        if cached is not None:
            return cached
        link = self._new_link_for(target, raw, document)
        if link is not None and link.url not in self._local_keys:
            self._seen[key] = link
        return link

    def _new_link_for(self, target: str, raw: RawLink, document: Document) -> Link | None:
        kind = classify_target(target)
        if kind == "local" and raw.base and classify_target(raw.base) == "http":
            kind = "http"
        if kind == "local":
            if not self._settings.files.local_links:
                return None
            verdict = self._local.judge(target, document.path, document.root)
            self._local_keys.add(verdict.key)
            return self._get(verdict.key, verdict.status, verdict.reason)
        if kind == "unsupported":
            return self._get(target, Status.UNSUPPORTED, f"{target.split(':', 1)[0].lower()}: links are not checked")
        if len(target) > self._settings.urls.max_length:
            return self._get(target[:200] + "…", Status.INVALID, f"URL longer than {self._settings.urls.max_length} characters")
        try:
            url = normalize(target, raw.base)
        except InvalidURL as exc:
            return self._get(target, Status.INVALID, f"not a valid URL: {exc}")
        rule = self._excluded_by(url)
        if rule is not None:
            return self._get(url, Status.EXCLUDED, rule)
        return self._get(url)

    def _excluded_by(self, url: str) -> str | None:
        for pattern in self._exclude:
            if pattern.search(url):
                return f"excluded by pattern {pattern.pattern!r}"
        if self._include and not any(pattern.search(url) for pattern in self._include):
            return "matches no include pattern"
        return None

    def _get(self, url: str, verdict: Status | None = None, reason: str | None = None) -> Link:
        link = self.links.get(url)
        if link is None:
            limit = self._settings.check.max_urls
            if verdict is None and limit:
                self._checkable += 1
                if self._checkable > limit:
                    verdict, reason = Status.EXCLUDED, f"over the run's limit of {limit} URLs (check.max_urls)"
            link = self.links[url] = Link(url=url, verdict=verdict, reason=reason)
        return link


def _cancel_on_sigterm() -> None:
    """SIGTERM stops the run like Ctrl-C does: cancel, keep what was checked, report it."""
    task = asyncio.current_task()
    if task is None:
        return
    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)


def _now() -> datetime:
    return datetime.now(timezone.utc)
