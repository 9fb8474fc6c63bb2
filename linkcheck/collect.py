"""Reading the documents: discovery, one extractor per format, and the collector that
turns raw links into deduplicated, checkable `Link`s with every location.

Large inputs are parsed on every core; repeat runs reuse what an unchanged file yielded
(`extract_cache`); huge plain-text files are streamed. No network access happens here.
"""

from __future__ import annotations

import collections
import functools
import gc
import itertools
import os
import re
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from linkcheck.discover import DiscoverOptions, Discovery, Document, read_text
from linkcheck.extract import ExtractionError, ExtractOptions, extractor, is_binary
from linkcheck.extract_cache import ExtractionCache
from linkcheck.identifiers import identifier_url, is_identifier
from linkcheck.local import LocalLinks
from linkcheck.models import Link, Location, Notice, RawLink, Status
from linkcheck.read_options import ReadConfig
from linkcheck.urls import InvalidURL, classify_target, is_canonical, normalize

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
    settings: ReadConfig,
    *,
    only: Collection[Path] | None = None,
    cache: ExtractionCache | None = None,
    link_text: bool = True,
) -> Extraction:
    """Every link in the documents under `paths`, deduplicated by normalized URL, with all locations.

    `only` (absolute, resolved paths) limits reading to those files (`--changed-since`).
    `link_text=False` leaves `Location.text` empty: no report of a check shows it, and a
    million citations' texts are a hundred megabytes.
    """
    return Reading(paths, settings, only=only, cache=cache, link_text=link_text).read_all()


class Reading:
    """`extract_paths` one document at a time: `steps()` yields, after each document, the
    links first seen in it, so checking can start while the rest is still being read."""

    def __init__(
        self,
        paths: Sequence[PathLike],
        settings: ReadConfig,
        *,
        only: Collection[Path] | None = None,
        cache: ExtractionCache | None = None,
        link_text: bool = True,
        documents: Sequence[Document] | None = None,
    ) -> None:
        """`documents`: read exactly these (a share of another `Reading`'s, e.g. in a Ray
        task) instead of finding them under `paths`."""
        self.settings = settings
        self._discovery = Discovery(
            DiscoverOptions(
                include=settings.files.include,
                exclude=settings.files.exclude,
                hidden=settings.files.hidden,
                gitignore=settings.files.gitignore,
            )
        )
        self._collector = _LinkCollector(settings, link_text=link_text)
        self._cache = cache
        self._result = Extraction()
        #: The documents to read, found up front (discovery is cheap; reading is not).
        self.documents = (
            list(documents)
            if documents is not None
            else [doc for doc in self._discovery.documents(paths) if only is None or doc.path.resolve() in only]
        )

    @property
    def links(self) -> dict[str, Link]:
        """Every link so far, by URL (its locations grow as later documents cite it)."""
        return self._collector.links

    def size(self) -> int:
        """Bytes to read, all documents together."""
        return sum(document_size(document) for document in self.documents)

    def steps(self) -> Iterator[list[Link]]:
        options = ExtractOptions(include_code=self.settings.files.include_code)
        result, collector = self._result, self._collector
        # What a document added lives as long as the run: keep the cyclic collector from
        # scanning it again and again (at Python's default threshold it took half the time
        # of collecting links). Never when the caller froze objects: we would thaw them.
        freeze = gc.get_freeze_count() == 0
        try:
            for document, raw_links, notices in _extracted(self.documents, options, self.settings.files.max_file_size, self._cache):
                result.documents += 1
                result.notices.extend(notices)
                for raw in raw_links:
                    collector.add(raw, document)
                    result.citations += 1
                if freeze:
                    gc.freeze()
                yield collector.take_new()
        finally:
            if freeze:
                gc.unfreeze()

    def read_all(self) -> Extraction:
        for _ in self.steps():
            pass
        return self.extraction()

    def extraction(self) -> Extraction:
        """What has been read so far (everything, once `steps()` is exhausted)."""
        result = self._result
        return Extraction(list(self._collector.links.values()), result.documents, result.citations, [*self._discovery.notices, *result.notices])


def combined(parts: Iterable[Extraction], notices: Sequence[Notice] = ()) -> Extraction:
    """Extractions of consecutive shares of the documents as one: each URL once, its
    locations (and the archived copies its documents cite) in document order, as one
    `Reading` over all of them gives."""
    links: dict[str, Link] = {}
    result = Extraction(notices=list(notices))
    for part in parts:
        result.documents += part.documents
        result.citations += part.citations
        result.notices.extend(part.notices)
        for link in part.links:
            known = links.get(link.url)
            if known is None:
                links[link.url] = link
                continue
            known.locations.extend(link.locations)
            known.archived_copies.extend(copy for copy in link.archived_copies if copy not in known.archived_copies)
    result.links = list(links.values())
    return result


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
    digests = [cache.digest(document) if cache is not None and not document.transient else None for document in documents]
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
    total = sum(document_size(document) for document in documents)
    workers = min(os.cpu_count() or 1, 4)
    if workers < 2 or total < PARALLEL_THRESHOLD or len(documents) < 2:
        for document in documents:
            notices: list[Notice] = []
            raw_links = _raw_links(document, options, notices, max_file_size)
            yield document, raw_links, notices
        return
    import concurrent.futures

    job = functools.partial(_extract_in_worker, options=options, max_file_size=max_file_size)
    window = 4 * workers  # documents in flight: results never pile up ahead of the consumer
    with concurrent.futures.ProcessPoolExecutor(max_workers=workers) as pool:
        pending: collections.deque[tuple[Document, concurrent.futures.Future[Any]]] = collections.deque()
        queue = iter(documents)
        for document in itertools.islice(queue, window):
            pending.append((document, pool.submit(job, document)))
        while pending:
            document, future = pending.popleft()
            rows, notices = future.result()
            for following in itertools.islice(queue, 1):
                pending.append((following, pool.submit(job, following)))
            if rows is None:  # too large to ship between processes: stream it here
                notices = []
                yield document, _raw_links(document, options, notices, max_file_size), notices
            else:
                yield document, map(_as_raw_link, rows), notices


#: `RawLink._make` without its Python frame: a tuple from a worker becomes a RawLink in C.
_as_raw_link = functools.partial(tuple.__new__, RawLink)


def _extract_in_worker(document: Document, *, options: ExtractOptions, max_file_size: int) -> tuple[list[tuple[Any, ...]] | None, list[Notice]]:
    """One document's links as plain tuples: they cross the process boundary ten times
    cheaper than objects (the parent makes them `RawLink`s again)."""
    if document.format == "plaintext" and document_size(document) > STREAM_THRESHOLD:
        return None, []
    notices: list[Notice] = []
    return [tuple(raw) for raw in _raw_links(document, options, notices, max_file_size)], notices


def document_size(document: Document) -> int:
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
    extract = extractor("plaintext")
    first_line = 1
    with document.path.open("r", encoding="utf-8", errors="replace", newline="") as handle:
        while True:
            block = handle.readlines(_STREAM_BLOCK_BYTES)  # whole lines, about this many characters
            if not block:
                return
            for raw in extract("".join(block), options):
                yield raw._replace(line=(raw.line or 1) + first_line - 1)
            first_line += len(block)


class _LinkCollector:
    """Turns raw links into deduplicated, checkable `Link`s and applies the URL rules."""

    def __init__(self, settings: ReadConfig, *, link_text: bool = True) -> None:
        self.links: dict[str, Link] = {}
        self._link_text = link_text
        self._settings = settings
        self._include = [re.compile(pattern) for pattern in settings.urls.include]
        self._exclude = [re.compile(pattern) for pattern in settings.urls.exclude]
        #: `urls.remap`: (pattern, replacement), the first that matches rewrites a cited URL.
        self._remap = [(re.compile(rule.split()[0]), rule.split()[1]) for rule in settings.urls.remap]
        self._root_dir = Path(settings.files.root_dir) if settings.files.root_dir else None
        self._local = LocalLinks()
        self._checkable = 0
        self._seen: dict[tuple[str, str | None], tuple[Link, str | None]] = {}
        self._local_keys: set[str] = set()
        self._new: list[Link] = []

    def take_new(self) -> list[Link]:
        """The links created since the last call."""
        new, self._new = self._new, []
        return new

    def add(self, raw: RawLink, document: Document) -> None:
        if document.base_url is not None and raw.base is None:
            raw = raw._replace(base=document.base_url)  # a web page's relative links are on the web
        found = self._seen.get((raw.target, raw.base)) or self._first_sight(raw, document)
        if found is None:
            return
        link, cited_as = found
        text = raw.text if self._link_text else None
        link.locations.append(Location(document.display, raw.line, raw.column, text, raw.page, raw.paragraph, raw.cell, raw.part, cited_as, raw.cell_line))
        if raw.archive_url and (raw.archive_url, raw.archive_date) not in link.archived_copies:
            link.archived_copies.append((raw.archive_url, raw.archive_date))

    def _first_sight(self, raw: RawLink, document: Document) -> tuple[Link, str | None] | None:
        """The link a target as written stands for, and the identifier it was cited as.

        A URL cited a thousand times is resolved and normalized once (a local link is
        judged again in each document, since it is relative to it).
        """
        target = raw.target.strip()
        cited_as = target if is_identifier(target) else None
        resolved = identifier_url(target, self._settings.urls.doi_resolver) or target
        remapped = self._remapped(resolved)
        if remapped != resolved:
            cited_as = cited_as or target
        link = self._new_link_for(remapped, raw, document)
        if link is None:
            return None
        if link.url not in self._local_keys:
            self._seen[(raw.target, raw.base)] = (link, cited_as)
        return link, cited_as

    def _remapped(self, target: str) -> str:
        """`--remap`: the first rule whose pattern matches rewrites the URL (re.sub syntax)."""
        for pattern, replacement in self._remap:
            if pattern.search(target):
                return pattern.sub(replacement, target, count=1)
        return target

    def _new_link_for(self, target: str, raw: RawLink, document: Document) -> Link | None:
        if len(target) <= self._settings.urls.max_length and is_canonical(target):
            return self._web_link(target)  # most citations: nothing to resolve or rewrite
        kind = classify_target(target)
        if kind == "local" and raw.base and classify_target(raw.base) == "http":
            kind = "http"
        base = self._settings.urls.base
        if kind == "local" and base and target.startswith("/") and not target.startswith("//"):
            target, kind = urljoin(base, target), "http"  # `--base`: the site's root-relative links, on the web
        if kind == "local":
            if not self._settings.files.local_links:
                return None
            verdict = self._local.judge(target, document.path, self._root_dir or document.root)
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
        return self._web_link(url)

    def _web_link(self, url: str) -> Link:
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
            self._new.append(link)
        return link
