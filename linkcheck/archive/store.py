"""`Archive`: an archive folder opened for capturing, as an async context manager.

Many capture tasks fetch at once; ONE writer task owns the WARC file and the catalog.
Fetched exchanges travel to it on an asyncio.Queue (bounded, so fetching cannot run
far ahead of writing), and it runs the synchronous warcio and SQLite work on one
dedicated thread, so an fsync never stalls the event loop and no two writes ever
interleave. The writer also makes the deduplication decision, so two captures of one
URL in flight cannot both decide they are first.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self, TypeVar

from linkcheck.check.transport import Client

from linkcheck.archive.capture import CaptureSkipped, CapturedHop, FetchHooks, Slot, hop_from_received, fetch_chain
from linkcheck.archive.content import decode_content, requisite_urls
from linkcheck.archive.errors import ArchiveError
from linkcheck.archive.index import Catalog, Entry
from linkcheck.archive.layout import Layout
from linkcheck.archive.lock import ArchiveLock
from linkcheck.archive.options import (
    DEFAULT_LOCK_TIMEOUT,
    DEFAULT_MAX_WARC_FILE_BYTES,
    CaptureOptions,
    CapturePolicy,
    media_type,
)
from linkcheck.archive.recover import recover, refresh_cdxj
from linkcheck.archive.storage import Storage, open_storage
from linkcheck.archive.warc import RecordBuilder, new_record_id, parse_warc_date
from linkcheck.archive.writer import Job, Writer
from linkcheck.models import Received, iso_utc

if TYPE_CHECKING:
    from linkcheck.archive.browser import BrowserSession
    from linkcheck.check.guard import AddressPolicy

T = TypeVar("T")
_log = logging.getLogger("linkcheck.archive")
_QUEUE_SIZE = 64
#: Jobs written together before one fsync and one catalog commit.
_BATCH = 64


@dataclass(frozen=True, slots=True)
class Capture:
    """The snapshot of one cited URL: what the JSON report's `archive` field shows.

    `record_id` names the record holding the page's final answer (after redirects): a
    `response`, or a `revisit` pointing at an identical earlier payload (`refers_to`).
    `reused` means nothing was written this time: the policy let an earlier capture
    stand, and this names it.
    """

    url: str
    final_url: str
    warc_file: str
    record_id: str
    record_type: str
    payload_digest: str | None
    captured_at: str
    http_status: int | None
    content_type: str | None = None
    refers_to: str | None = None
    truncated: str | None = None
    reused: bool = False
    requisites: int = 0

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "warc_file": self.warc_file,
            "record_id": self.record_id,
            "record_type": self.record_type,
            "payload_digest": self.payload_digest,
            "captured_at": iso_utc(parse_warc_date(self.captured_at)),
            "http_status": self.http_status,
            "url": self.final_url,
            "reused": self.reused,
        }
        for name in ("refers_to", "truncated"):
            if getattr(self, name):
                data[name] = getattr(self, name)
        if self.requisites:
            data["requisites"] = self.requisites
        return data


class Archive:
    """An archive folder open for capture: `async with Archive("archive") as archive:`.

    Entering takes the folder's lock (waiting up to `lock_timeout`, with a message;
    at once if this process already holds it, as a check run does for its history)
    and recovers what a killed run left. Leaving writes what is queued, closes the WARC
    file under its final name, rewrites the CDXJ index and releases the lock.

    `slot`, `allow_url` and `headers_for` lend the check engine's politeness limiter
    (`Limiter.slot`), its URL rule (e.g. no private addresses) and its per-host headers
    to every hop and requisite; credentials are redacted in the request records.
    `storage_url` (`archive.url`) keeps the WARC files and the CDXJ index in an S3
    bucket (`s3://bucket/prefix`, see `linkcheck.archive.s3`); the folder then holds the
    lock, the catalog and the file being written.
    With `options.capture == "browser"` each page is loaded in headless Chromium
    (`linkcheck.archive.browser`): every response it makes, a screenshot, and
    `address_policy` (the checker's `network.allow_private` / `network.allow`; default:
    public addresses only) applied to every request the browser makes.
    `on_message` receives lock waits and recovery notes (default: logging). `clock`
    and `make_id` pin dates and record ids, for golden tests.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        policy: CapturePolicy | str = "always",
        options: CaptureOptions | None = None,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
        on_message: Callable[[str], None] | None = None,
        slot: Slot | None = None,
        allow_url: Callable[[str], bool] | None = None,
        headers_for: Callable[[str], Mapping[str, str]] | None = None,
        max_warc_file_bytes: int = DEFAULT_MAX_WARC_FILE_BYTES,
        clock: Callable[[], datetime] | None = None,
        make_id: Callable[[], str] = new_record_id,
        storage_url: str | None = None,
        address_policy: AddressPolicy | None = None,
    ) -> None:
        self.layout = Layout(Path(path))
        self._storage_url = storage_url
        self._storage: Storage | None = None
        self.policy = CapturePolicy.parse(policy) if isinstance(policy, str) else policy
        self.options = options or CaptureOptions()
        #: (url, reason) for every capture that wrote nothing and returned None.
        self.skipped: list[tuple[str, str]] = []
        self._say = on_message or _log.warning
        self._hooks = FetchHooks(slot, allow_url, headers_for)
        self._max_file_bytes = max_warc_file_bytes
        self._clock = clock or (lambda: datetime.now(timezone.utc))
        self._builder = RecordBuilder(make_id)
        self._lock = ArchiveLock(self.layout.root, lock_timeout, self._say)
        self._io = ThreadPoolExecutor(max_workers=1, thread_name_prefix="linkcheck-archive")
        self._queue: asyncio.Queue[Job | None] = asyncio.Queue(_QUEUE_SIZE)
        self._catalog: Catalog | None = None
        self._writer: Writer | None = None
        self._writer_task: asyncio.Task[None] | None = None
        self._failure: ArchiveError | None = None
        self._requisites_seen: set[str] = set()
        self._address_policy = address_policy
        self._browser: BrowserSession | None = None

    @property
    def failure(self) -> ArchiveError | None:
        """The error that stopped writing (e.g. a full disk), already raised to a capture.

        Leaving the context does not raise it again: the run's other work (a report)
        can go on; check this to say that archiving stopped.
        """
        return self._failure

    # ------------------------------------------------------------------ lifecycle

    async def __aenter__(self) -> Self:
        self.layout.prepare()
        await self._lock.acquire()
        try:
            self._storage = await self._run(open_storage, self.layout, self._storage_url)
            self._catalog = await self._run(Catalog, self.layout.catalog)
            for note in await self._run(recover, self.layout, self._catalog, self._storage):
                self._say(note)
            writer_class = Writer
            if self.options.capture == "browser":
                from linkcheck.archive.browser import PageWriter

                writer_class = PageWriter
            self._writer = writer_class(self.layout, self._catalog, self._builder, self._clock, self._max_file_bytes, self._storage)
        except BaseException:
            await self._shutdown_io()
            raise
        self._writer_task = asyncio.create_task(self._write_jobs(), name="linkcheck-archive-writer")
        return self

    async def __aexit__(self, exc_type: object, exc: object, traceback: object) -> None:
        try:
            if self._browser is not None:
                await self._browser.close()
            if self._writer_task is not None:
                await self._queue.put(None)
                await self._writer_task
            await self._run(self._finish)
        except ArchiveError:
            if exc is None:
                raise
        finally:
            await self._shutdown_io()

    async def _shutdown_io(self) -> None:
        if self._catalog is not None:
            await self._run(self._catalog.close)
            self._catalog = None
        self._io.shutdown(wait=True)
        self._lock.release()

    def _finish(self) -> None:
        """Close the WARC file under its final name and bring the CDXJ up to date."""
        assert self._catalog is not None
        if self._writer is not None:
            self._writer.close()
        refresh_cdxj(self.layout, self._catalog, self._storage)

    async def _run(self, function: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._io, function, *args)

    # -------------------------------------------------------------------- capture

    async def capture(self, client: Client, url: str, *, received: Received | None = None) -> Capture | None:
        """GET `url` (following redirects, one record per hop) into the archive.

        `received`: the checker's own answer for `url` (one hop, the body read to its end),
        written as the page's records instead of a second download of it.

        Returns what was recorded, or the earlier capture the policy let stand
        (`reused`), or None when nothing could be captured (see `skipped`). Raises
        ArchiveError when the archive itself cannot be written (e.g. a full disk).
        """
        if self._catalog is None:
            raise RuntimeError("use the Archive inside `async with`")
        if self._failure is not None:
            raise self._failure
        if self.policy.kind == "older-than":
            latest = await self._run(self._catalog.latest, url)
            if latest is not None and self._age(latest) < self.policy.max_age:
                return await self._run(self._reused, url, latest)
        if self.options.capture == "browser":
            return await self._capture_in_browser(url)
        try:
            if received is not None:
                hops = [hop_from_received(url, received, self.options, self._hooks)]
            else:
                hops = await fetch_chain(client, url, self.options, clock=self._clock, hooks=self._hooks)
        except CaptureSkipped as exc:
            self.skipped.append((url, str(exc)))
            return None
        wanted = self._requisites_of(hops[-1]) if self.options.requisites else []
        entries = await self._submit(hops, "page")
        if entries is None:
            latest = await self._run(self._catalog.latest, url)
            assert latest is not None
            return await self._run(self._reused, url, latest)
        capture = _capture_from(url, entries)
        if wanted:
            capture = replace(capture, requisites=await self._capture_requisites(client, wanted))
        return capture

    async def _capture_in_browser(self, url: str) -> Capture | None:
        """The page, every response it made, its screenshot (see linkcheck.archive.browser)."""
        from linkcheck.archive.browser import BrowserSession, PageExtras, PageJob

        assert self._catalog is not None
        if self._browser is None:
            self._browser = BrowserSession(self.options, self._address_policy, self._hooks, self._clock)
        try:
            page = await self._browser.capture(url)
        except CaptureSkipped as exc:
            self.skipped.append((url, str(exc)))
            return None
        self.skipped.extend((where, reason) for where, reason in page.notes if reason.startswith("refused"))
        extras = PageExtras(url, page.date, page.screenshot, page.info)
        job = PageJob(page.hops, "page", self.policy.kind == "changed", asyncio.get_running_loop().create_future(), extras)
        try:
            entries = await self._submit(page.hops, "page", job)
        except BaseException:
            for resource in page.resources:
                resource.discard()
            raise
        kept = 0
        for index, resource in enumerate(page.resources):
            if resource.url in self._requisites_seen:
                resource.discard()
                continue
            self._requisites_seen.add(resource.url)
            try:
                await self._submit([resource], "requisite")
            except BaseException:
                for rest in page.resources[index + 1 :]:
                    rest.discard()
                raise
            kept += 1
        if entries is None:
            latest = await self._run(self._catalog.latest, url)
            assert latest is not None
            return await self._run(self._reused, url, latest)
        return replace(_capture_from(url, entries), requisites=kept)

    async def _submit(self, hops: list[CapturedHop], role: str, job: Job | None = None) -> list[Entry] | None:
        job = job or Job(hops, role, self.policy.kind == "changed", asyncio.get_running_loop().create_future())
        try:
            await self._queue.put(job)
        except BaseException:
            for hop in hops:
                hop.discard()
            raise
        return await job.done

    def _requisites_of(self, final: CapturedHop) -> list[str]:
        if media_type(final.content_type) not in ("text/html", "application/xhtml+xml") or not 200 <= final.response.status < 300:
            return []
        body = decode_content(final.read_body(), final.header("content-encoding"))
        return requisite_urls(body, final.content_type, final.url)

    async def _capture_requisites(self, client: Client, urls: list[str]) -> int:
        """Stylesheets, images and scripts, within the per-page count and byte budget."""
        budget = self.options.max_requisite_bytes
        captured = 0
        for url in urls[: self.options.max_requisites]:
            if budget <= 0:
                break
            if url in self._requisites_seen:
                continue
            self._requisites_seen.add(url)
            try:
                hops = await fetch_chain(
                    client, url, self.options, clock=self._clock, check_type=False,
                    max_bytes=min(self.options.max_resource_bytes, budget), hooks=self._hooks,
                )  # fmt: skip
            except CaptureSkipped as exc:
                self.skipped.append((url, str(exc)))
                continue
            budget -= sum(hop.response.body_length for hop in hops)
            await self._submit(hops, "requisite")
            captured += 1
        return captured

    def _age(self, entry: Entry) -> float:
        return (self._clock() - parse_warc_date(entry.captured_at)).total_seconds()

    def _reused(self, url: str, entry: Entry) -> Capture:
        """The capture an earlier record stands for, following its redirects in the catalog."""
        assert self._catalog is not None
        chain = [entry]
        while chain[-1].location and len(chain) <= self.options.max_redirects:
            following = self._catalog.latest(chain[-1].location)
            if following is None or following in chain:
                break
            chain.append(following)
        return replace(_capture_from(url, chain), reused=True)

    # --------------------------------------------------------------------- writer

    async def _write_jobs(self) -> None:
        """Take every job waiting (up to a batch), write them all, fsync once, index once.

        One fsync and one SQLite commit per batch instead of per page (group commit):
        durability costs the same, whatever the concurrency.
        """
        running = True
        while running:
            job = await self._queue.get()
            if job is None:
                break
            batch = [job]
            while len(batch) < _BATCH and not self._queue.empty():
                following = self._queue.get_nowait()
                if following is None:
                    running = False
                    break
                batch.append(following)
            assert self._writer is not None
            try:
                outcomes = [self._failure] * len(batch) if self._failure else await self._run(self._writer.write_batch, batch)
            except Exception as exc:  # noqa: BLE001 - a bug: fail these captures, keep the writer alive
                outcomes = [exc] * len(batch)
            for job, outcome in zip(batch, outcomes, strict=True):
                if isinstance(outcome, ArchiveError):
                    self._failure = outcome
                _settle(job.done, outcome)
                for hop in job.hops:
                    hop.discard()

def _settle(future: asyncio.Future[Any], outcome: Any) -> None:
    if future.done():
        return
    if isinstance(outcome, BaseException):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)


def _capture_from(url: str, entries: list[Entry]) -> Capture:
    """The Capture of a chain of entries: the last response or revisit is the page."""
    answers = [entry for entry in entries if entry.record_type in ("response", "revisit")]
    final = answers[-1]
    return Capture(
        url=url,
        final_url=final.url or url,
        warc_file=final.warc_file,
        record_id=final.record_id,
        record_type=final.record_type,
        payload_digest=final.payload_digest,
        captured_at=final.captured_at,
        http_status=final.http_status,
        content_type=final.content_type,
        refers_to=final.refers_to,
        truncated=final.truncated,
    )
