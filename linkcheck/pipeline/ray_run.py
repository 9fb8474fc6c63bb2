"""A check run on a Ray cluster (`check.ray`): the documents read by Ray tasks on any
node, each task sending the links it finds straight to their sites' owners
(`check.ray_spread`); this process, the driver, keeps what must be one: the run's
history and lock, the report, and the archive writer.

    driver: discover -> tasks(share of documents) ----links----> owners (one per shard group)
            history, report, archive  <----------verdicts-------/

The driver hears only verdicts (and, with --archive, each live page's response as the
check received it, which it writes into the archive). Verdicts fresh in history are left
out by the tasks (they are given the set up front) and answered here, as one machine does.
"""

from __future__ import annotations

import contextlib
import dataclasses
import tempfile
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from linkcheck.check.ray_spread import RaySession, connected, feed_owners
from linkcheck.check.spread import SpreadRun
from linkcheck.collect import Extraction, Reading, combined, document_size
from linkcheck.config import Settings
from linkcheck.discover import Document
from linkcheck.models import Link, Notice, Result, verdict_result
from linkcheck.pipeline.memory import Memory
from linkcheck.pipeline.rot import WorkerRot
from linkcheck.pipeline.snapshots import Snapshots

__all__ = ["check_on_ray", "shares"]

#: Links a reading task gathers before sending them to their owners.
FEED_BATCH = 1000
#: Reading tasks per CPU of the cluster (a few more than CPUs, so a slow share does not hold the end).
TASKS_PER_CPU = 2


async def check_on_ray(
    settings: Settings,
    reading: Reading,
    memory: Memory | None,
    accept: Callable[[Result], None],
    now: Callable[[], datetime],
    started_at: datetime,
    on_message: Callable[[str], None],
    on_total: Callable[[int], None] | None = None,
) -> tuple[Extraction, SpreadRun]:
    """Read `reading`'s documents and check their links on the cluster `check.ray` names;
    every verdict goes to `accept` (here, on the driver). Returns the extraction (every
    link with all its locations) and what the owners did."""
    with connected(settings.check.ray):
        import ray

        skip = memory.reusable_urls() if memory is not None else frozenset()
        notices: list[Notice] = []
        async with contextlib.AsyncExitStack() as stack:
            capture = await _archive_capture(settings, stack, notices, on_message)
            session = await stack.enter_async_context(
                RaySession(settings, accept, hooks=WorkerRot(settings, started_at), capture=capture, clock=now)
            )
            task = ray.remote(num_cpus=1, max_retries=3)(read_and_feed)
            cpus = int(ray.cluster_resources().get("CPU", 1))
            skip_ref = ray.put(skip)
            parts = [
                task.remote(share, settings, session.handles, skip_ref, _carried(share))
                for share in shares(reading.documents, cpus * TASKS_PER_CPU)
            ]
            extraction = combined([await part for part in parts], reading.extraction().notices)
            if on_total is not None:
                on_total(len(extraction.links))
            expected, unfed = [], []
            for link in extraction.links:
                cached = memory.cached(link) if memory is not None and link.url in skip else None
                if link.verdict is not None:
                    accept(verdict_result(link, now()))
                elif cached is not None:
                    accept(cached)
                else:
                    expected.append(link)
                    if link.url in skip:  # grown stale since the set was made
                        unfed.append(link)
            session.feed(unfed)
            session.expect(expected)
        extraction.notices.extend(notices)
        return extraction, session.run


def read_and_feed(
    documents: Sequence[Document], settings: Settings, owners: Sequence[Any], skip: frozenset[str], carried: dict[int, bytes] | None = None
) -> Extraction:
    """A Ray task: read a share of the documents, send each new link that needs a request
    (and is not in `skip`) to its owner, and return the share's extraction (the links
    with their locations, for the driver's report). Files are read where the task runs
    (the same paths on every node); `carried` holds the bytes of the inputs that exist
    only on the driver (stdin, a web page given as input), by position in `documents`."""
    with tempfile.TemporaryDirectory(prefix="linkcheck-read-") as folder:
        documents = [_landed(document, carried[n], Path(folder), n) if carried and n in carried else document for n, document in enumerate(documents)]
        reading = Reading([], settings, documents=documents, link_text=False)
        pending: list[Link] = []
        for new_links in reading.steps():
            pending.extend(link for link in new_links if link.verdict is None and link.url not in skip)
            if len(pending) >= FEED_BATCH:
                feed_owners(owners, pending)
                pending = []
        feed_owners(owners, pending)
        return reading.extraction()


def _carried(documents: Sequence[Document]) -> dict[int, bytes]:
    """The bytes of the share's transient inputs: their temporary files are on this machine only."""
    return {n: document.path.read_bytes() for n, document in enumerate(documents) if document.transient}


def _landed(document: Document, data: bytes, folder: Path, n: int) -> Document:
    path = folder / f"{n}{document.path.suffix}"
    path.write_bytes(data)
    return dataclasses.replace(document, path=path)


def shares(documents: Sequence[Document], count: int) -> list[list[Document]]:
    """The documents in at most `count` consecutive shares of about equal size (in bytes),
    so that joining the shares' extractions in order gives document order."""
    if not documents:
        return []
    sizes = [max(1, document_size(document)) for document in documents]
    target = sum(sizes) / max(1, min(count, len(documents)))
    result: list[list[Document]] = [[]]
    filled = 0.0
    for document, size in zip(documents, sizes, strict=True):
        if result[-1] and filled + size / 2 > target * len(result):
            result.append([])
        result[-1].append(document)
        filled += size
    return result


async def _archive_capture(
    settings: Settings, stack: contextlib.AsyncExitStack, notices: list[Notice], on_message: Callable[[str], None]
) -> Any:
    """With --archive, the driver's capture hook (the one archive writer of the run): it
    writes the owners' responses as received, and fetches what they did not read whole
    (redirect chains) under its own politeness limiter."""
    if not settings.archive.enabled:
        return None
    from linkcheck.check import make_client
    from linkcheck.check.limits import Limiter

    http = await stack.enter_async_context(make_client(settings))
    snapshots = Snapshots(settings, http, notices, on_message)
    capture = snapshots.capture_for(Limiter(settings.check.max_concurrency, settings.host_limits))
    await stack.enter_async_context(snapshots.archive)
    return capture
