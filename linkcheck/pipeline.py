"""The library's front door: documents -> extract -> links -> check -> results -> report.

`check_paths` is what the CLI calls and what a Python user can call too. It returns a
`Report` (data, not text) and raises only the errors of `linkcheck.errors`.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone

import httpx

from linkcheck.check import Engine, make_client, network_available
from linkcheck.check.engine import all_unreachable
from linkcheck.config import Settings
from linkcheck.discover import DiscoverOptions, Discovery, Document, read_text
from linkcheck.errors import Interrupted, NetworkUnavailable
from linkcheck.extract import ExtractionError, ExtractOptions, extractor, is_binary
from linkcheck.models import Link, Location, Notice, RawLink, Report, Result, Status
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


def extract_paths(paths: Sequence[PathLike], settings: Settings | None = None) -> Extraction:
    """Every link in the documents under `paths`, deduplicated by normalized URL, with all locations."""
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
    for document in discovery.documents(paths):
        extraction.documents += 1
        for raw in _raw_links(document, options, extraction.notices):
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
) -> Report:
    """Extract, check and return the report.

    Raises `InputError`/`ConfigError` for bad input, `NetworkUnavailable` when nothing at
    all could be reached (with the report attached), and `Interrupted` on Ctrl-C or SIGTERM
    (with the partial report attached).
    """
    settings = settings or Settings()
    started_at = _now()
    extraction = extract_paths(paths, settings)
    if on_total is not None:
        on_total(len(extraction.links))
    engines: list[Engine] = []

    def report(interrupted: bool = False) -> Report:
        results = engines[0].results if engines else []
        return Report(
            results=sorted(results, key=lambda result: result.url),
            started_at=started_at,
            finished_at=_now(),
            documents=extraction.documents,
            links=extraction.citations,
            notices=extraction.notices,
            interrupted=interrupted,
        )

    async def run() -> bool:
        _cancel_on_sigterm()
        owned = client is None
        http = client or make_client(settings)
        async with http if owned else contextlib.nullcontext(http):
            engine = Engine(settings, http)
            engines.append(engine)
            await engine.run(extraction.links, on_result)
            if all_unreachable(list(engine.outcomes.values())) and settings.network.probe_urls:
                return await network_available(http, settings.network.probe_urls)
            return True

    try:
        reachable = asyncio.run(run())
    except (KeyboardInterrupt, asyncio.CancelledError):
        raise Interrupted(report(interrupted=True)) from None
    final = report()
    if not reachable:
        raise NetworkUnavailable(
            "network unavailable: no host could be reached and the network probe failed "
            f"({', '.join(settings.network.probe_urls)}); no verdict on the citations is possible",
            final,
        )
    return final


def _raw_links(document: Document, options: ExtractOptions, notices: list[Notice]) -> Iterable[RawLink]:
    try:
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


class _LinkCollector:
    """Turns raw links into deduplicated, checkable `Link`s and applies the URL rules."""

    def __init__(self, settings: Settings) -> None:
        self.links: dict[str, Link] = {}
        self._settings = settings
        self._include = [re.compile(pattern) for pattern in settings.urls.include]
        self._exclude = [re.compile(pattern) for pattern in settings.urls.exclude]
        self._local = LocalLinks()

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
        kind = classify_target(target)
        if kind == "local" and raw.base and classify_target(raw.base) == "http":
            kind = "http"
        if kind == "local":
            if not self._settings.files.local_links:
                return None
            verdict = self._local.judge(target, document.path, document.root)
            return self._get(verdict.key, verdict.status, verdict.reason)
        if kind == "unsupported":
            return self._get(target, Status.UNSUPPORTED, f"{target.split(':', 1)[0].lower()}: links are not checked")
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
