"""The writing half of an Archive: runs on its one I/O thread, owns the WARC file and
the catalog rows, and decides response or revisit.

A batch of capture jobs is written together: each job's records are appended (a job
that fails is cut back off the file), then ONE fsync, then ONE catalog transaction for
the batch. So a row never exists before its record is on disk, and durability costs one
fsync per batch, not per page. Deciding deduplication here, where writes are serial,
means two captures of one URL in flight cannot both believe they are first.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from linkcheck.archive.capture import CapturedHop
from linkcheck.archive.errors import ArchiveError
from linkcheck.archive.index import REPLAY_TYPES, ROLE_HEADER, Catalog, Entry, make_entry
from linkcheck.archive.layout import Layout
from linkcheck.archive.options import media_type
from linkcheck.archive.storage import LocalStorage, Storage
from linkcheck.archive.warc import Placed, RecordBuilder, WarcFile, warc_date


@dataclass(slots=True)
class Job:
    """The exchanges of one capture (a page and its redirect hops, or a requisite)."""

    hops: list[CapturedHop]
    role: str
    only_if_changed: bool
    done: asyncio.Future[list[Entry] | None]


class Writer:
    """Writes jobs to the current WARC file and indexes them; one thread only."""

    def __init__(
        self,
        layout: Layout,
        catalog: Catalog,
        builder: RecordBuilder,
        clock: Callable[[], datetime],
        max_file_bytes: int,
        storage: Storage | None = None,
    ) -> None:
        self.layout = layout
        #: Where a closed WARC file goes (the folder itself, or a bucket).
        self.storage = storage or LocalStorage(layout)
        self._catalog = catalog
        self._builder = builder
        self._clock = clock
        self._max_file_bytes = max_file_bytes
        self._file: WarcFile | None = None

    def close(self) -> None:
        """Give the WARC file its final name (a failure leaves it for recovery) and publish it."""
        if self._file is None:
            return
        warc, self._file = self._file, None
        try:
            warc.close()
        except OSError as exc:
            warc.abandon()
            raise ArchiveError(f"cannot close {warc.open_path}: {exc.strerror or exc} (the next run recovers it)") from None
        self.storage.publish(warc.final_path)

    def write_batch(self, jobs: list[Job]) -> list[Any]:
        """Runs on the archive thread: per job decide response or revisit and write its
        records; then fsync, then index. Returns per job its entries, None (unchanged,
        nothing written) or the ArchiveError that stopped it."""
        assert self._catalog is not None
        outcomes: list[Any] = [None] * len(jobs)
        try:
            warc = self._current_file()
        except ArchiveError as exc:
            return [exc] * len(jobs)
        batch_start = warc.size
        pending: dict[str, Entry] = {}  # written in this batch, not yet in the catalog
        written: list[tuple[int, list[Entry]]] = []
        for index, job in enumerate(jobs):
            originals = [self._original(hop, pending) for hop in job.hops]
            if job.only_if_changed and all(original is not None for original in originals):
                continue
            records, bodies = self._records(job, originals)
            if warc.size == 0:
                records.insert(0, self._builder.warcinfo(warc.name, warc_date(self._clock())))
                bodies.insert(0, None)
            try:
                placed = warc.append(records)
            except OSError as exc:
                failure = ArchiveError(f"cannot write to {warc.open_path}: {exc.strerror or exc}; the records written before are intact")
                outcomes[index:] = [failure] * (len(jobs) - index)
                break
            entries = self._entries(records, placed, bodies, warc, pending)
            pending.update({entry.record_id: entry for entry in entries})
            pending.update({f"url:{entry.url}": entry for entry in entries if entry.record_type in REPLAY_TYPES})
            written.append((index, entries))
        if written:
            try:
                warc.sync()
                self._catalog.add([entry for _, entries in written for entry in entries])
            except (OSError, ArchiveError) as exc:
                warc.cut_back(batch_start)  # nothing unindexed stays behind
                failure = exc if isinstance(exc, ArchiveError) else ArchiveError(
                    f"cannot write to {warc.open_path}: {exc.strerror or exc}; the records written before are intact"
                )  # fmt: skip
                return [failure if outcome is None else outcome for outcome in outcomes]
            for index, entries in written:
                outcomes[index] = entries
        return outcomes

    def _entries(self, records: list[Any], placed: list[Placed], bodies: list[bytes | None], warc: WarcFile, pending: dict[str, Entry]) -> list[Entry]:
        assert self._catalog is not None
        relative = self.layout.relative(warc.final_path)
        entries = []
        for record, where, body in zip(records, placed, bodies, strict=True):
            entry = make_entry(record.rec_type, record.rec_headers, record.http_headers, relative, where.offset, where.length, body)
            if entry.refers_to:
                original = pending.get(entry.refers_to) or self._catalog.get(entry.refers_to)
                entry.title = original.title if original else None
            entries.append(entry)
        answers = [entry for entry in entries if entry.record_type in ("response", "revisit")]
        if answers[0].title is None:
            answers[0].title = answers[-1].title  # a redirected page is listed under its final title
        return entries

    def _records(self, job: Job, originals: list[Entry | None]) -> tuple[list[Any], list[bytes | None]]:
        records: list[Any] = []
        bodies: list[bytes | None] = []
        for index, (hop, original) in enumerate(zip(job.hops, originals, strict=True)):
            date = warc_date(hop.date)
            extra = {ROLE_HEADER: job.role if index == 0 else "hop"}
            if original is not None:
                record = self._builder.revisit(
                    hop.url, date, hop.ip, hop.response, original.record_id, original.url or hop.url, original.captured_at, extra
                )
                body = None
            else:
                html = media_type(hop.content_type) in ("text/html", "application/xhtml+xml")
                body = hop.read_body() if html else None  # for the title; before the record rewinds the body
                record = self._builder.response(hop.url, date, hop.ip, hop.response, extra)
            record_id = record.rec_headers.get_header("WARC-Record-ID")
            request = self._builder.request(hop.url, date, hop.ip, hop.method, hop.target, hop.request_headers, record_id)
            records += [record, request]
            bodies += [body, None]
        return records, bodies

    def _original(self, hop: CapturedHop, pending: dict[str, Entry]) -> Entry | None:
        """The record holding this payload if the URL's last capture had the same digest."""
        assert self._catalog is not None
        last = pending.get(f"url:{hop.url}") or self._catalog.latest(hop.url)
        if last is None or last.payload_digest != hop.response.payload_digest:
            return None
        if last.record_type == "revisit":
            return (pending.get(last.refers_to) or self._catalog.get(last.refers_to)) if last.refers_to else None
        return last

    def _current_file(self) -> WarcFile:
        if self._file is not None and self._file.size >= self._max_file_bytes:
            full, self._file = self._file, None
            full.close()
            self.storage.publish(full.final_path)
        if self._file is None:
            stamp = self._clock().strftime("%Y%m%d%H%M%S")
            name = f"linkcheck-{stamp}-{os.getpid()}-{secrets.token_hex(3)}.warc.gz"
            try:
                self._file = WarcFile(self.layout.warc_dir, name)
            except OSError as exc:
                raise ArchiveError(f"cannot create a WARC file in {self.layout.warc_dir}: {exc.strerror or exc}") from None
        return self._file
