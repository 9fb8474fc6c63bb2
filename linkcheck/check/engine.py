"""The async engine: schedules every unique URL under the politeness limits and turns each
outcome into a `Result`.

Scheduling: URLs are grouped by host; each host gets as many workers as its concurrency
allows, and hosts with the most URLs start first, so a big host is not left for last. A
worker takes its host slot before a global slot (see `limits`), so the wall time tends to
max(max over hosts of ceil(n_host / C), ceil(N / G)) x latency.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

from linkcheck.check.transport import Client

from linkcheck.anchors import fragment_present, html_anchors, is_checkable_fragment
from linkcheck.check.classify import classify
from linkcheck.check.client import address_policy, uses_proxy
from linkcheck.check.fetch import Fetcher, FetchPolicy
from linkcheck.check.github import api_headers, api_url, moved_to
from linkcheck.check.guard import check_host
from linkcheck.check.limits import GlobalSlots, HostStats, Limiter
from linkcheck.check.options import CheckConfig, parse_status_range
from linkcheck.check.outcome import Failure, FailureKind, Outcome, blocked_failure
from linkcheck.models import Link, Notice, Received, Result, Status, verdict_result
from linkcheck.signatures import BlockReason, may_show_nothing, script_built, shows_nothing

ResultCallback = Callable[[Result], None]
#: Snapshot a live page (its URL without fragment); returns what the report's `archive` shows.
#: The second argument is the check's own response when the archive can be written from it
#: (one hop, GET, body read to its end): then the page is not downloaded a second time.
Capturer = Callable[[str, Received | None], Awaitable[dict[str, Any] | None]]


@dataclass(frozen=True, slots=True)
class PageVerdict:
    """What judging a live page's content found: a soft 404 (status and reason) and/or drift."""

    status: Status | None = None
    error: str | None = None
    drift: dict[str, Any] | None = None


#: Judge a live page's content (soft 404, drift): (request URL, outcome) -> verdict.
PageJudge = Callable[[str, Outcome], Awaitable[PageVerdict]]
#: Find an archived copy for a broken citation: (link, result) -> README's suggestion shape.
Suggester = Callable[[Link, Result], Awaitable[dict[str, Any] | None]]


@dataclass(frozen=True, slots=True)
class EngineHooks:
    """What the caller adds to checking, given to `Engine` when it is built: page judgement
    (soft 404, drift), archived-copy suggestions for broken citations and archiving
    (`--archive`). None is "not wanted"."""

    judge: PageJudge | None = None
    #: Bytes of body `judge` needs (a GET instead of HEAD when non-zero).
    judge_body_limit: int = 0
    suggest: Suggester | None = None
    capture: Capturer | None = None


#: Hooks that need the engine itself (its probe, limiter, cited URLs or notices): the
#: constructor calls it once, when everything but the hooks is in place.
HooksFactory = Callable[["Engine"], EngineHooks]

#: robots.txt files are small; RFC 9309 asks parsers to read at least 500 KiB.
ROBOTS_BODY_LIMIT = 512 * 1024

#: Seconds a soft-404 probe may take, all hops: a template page answers fast or not at all.
PROBE_TIMEOUT = 5.0

#: RFC 6761: names under .invalid never resolve; answering locally keeps the query off the wire.
RESERVED_INVALID_SUFFIX = ".invalid"


class Engine:
    """Checks links with one shared client; `results` grows as verdicts arrive (also on Ctrl-C)."""

    def __init__(
        self,
        settings: CheckConfig,
        client: Client,
        clock: Callable[[], datetime] | None = None,
        global_slots: GlobalSlots | None = None,
        hooks: EngineHooks | HooksFactory | None = None,
        limiter: Limiter | None = None,
    ) -> None:
        """`global_slots`: the run's global limit when it is shared with other processes
        (`spread.SpreadSession`); by default this engine's own. `hooks`: see `EngineHooks`;
        a `HooksFactory` is called with this engine, last, to build them. `limiter`: slots
        handed out by someone else too (a Ray owner's, `ray_spread`); by default its own."""
        self.settings = settings
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.results: list[Result] = []
        self.outcomes: dict[str, Outcome] = {}
        check = settings.check
        self.accept = _accepted_codes(check.accept)
        self.limiter = limiter if limiter is not None else Limiter(check.max_concurrency, settings.host_limits, global_slots=global_slots)
        self.fetcher = Fetcher(
            client,
            self.limiter,
            FetchPolicy(
                max_redirects=check.max_redirects,
                retries=check.retries,
                backoff_base=check.backoff_base,
                backoff_max=check.backoff_max,
                retry_after_max=check.retry_after_max,
                get_body_limit=check.get_body_limit,
                head_first=check.method == "head",
                max_headers=check.max_headers,
                max_decompression_ratio=check.max_decompression_ratio,
            ),
            headers_for=self._headers_for,
            precheck=self._precheck if uses_proxy(settings) and not settings.network.allow_private else None,
        )
        self._policy = address_policy(settings)
        #: With a token, GitHub links are asked of this API host (`linkcheck.check.github`).
        self._github_host = urlsplit(check.github_api).hostname if check.github_token else None
        self._headers_cache: dict[str, dict[str, str]] = {}
        self._robots: dict[str, asyncio.Future[Any]] = {}
        #: Hosts found parked this run, with the reason: later citations of them are parked too.
        self._parked_hosts: dict[str, str] = {}
        #: Every request URL fed to this engine: a soft-404 probe must never be one of them.
        self.cited: set[str] = set()
        #: What the hooks want the user to know (an archive service unreachable …), for the report.
        self.notices: list[Notice] = []
        #: Judgement, suggestions and archiving (`EngineHooks`), fixed for the engine's life.
        self.hooks: EngineHooks = hooks(self) if callable(hooks) else hooks or EngineHooks()
        #: With archiving, the check's GET keeps the response as received for the archive.
        self.fetcher.keep_received = self.hooks.capture is not None

    def _headers_for(self, host: str) -> dict[str, str]:
        """Configured headers for exactly this host; expanded once, never sent elsewhere
        (the GitHub token goes to the API host only)."""
        if host not in self._headers_cache:
            headers = self.settings.host_headers(host)
            if self._github_host is not None and host == self._github_host:
                headers = {**headers, **api_headers(self.settings.check.github_token)}
            self._headers_cache[host] = headers
        return self._headers_cache[host]

    @property
    def host_stats(self) -> dict[str, HostStats]:
        return self.limiter.stats

    async def run(self, links: Sequence[Link], on_result: ResultCallback | None = None) -> list[Result]:
        """Check every link once; call `on_result` as each verdict is known.

        Links that differ only in their #fragment share one request.
        """
        async with self.stream(on_result) as feed:
            feed(links)
        return self.results

    @contextlib.asynccontextmanager
    async def stream(self, on_result: ResultCallback | None = None) -> AsyncIterator[Callable[[Sequence[Link]], None]]:
        """Check links as they are fed, while the caller is still finding more.

        Yields `feed(links)`; leaving the block waits for every check. Within one feed,
        links that differ only in their #fragment share one request, and hosts with the
        most URLs start first; a page already requested when another #fragment of it
        arrives in a later feed is requested again for it.
        """
        async with asyncio.TaskGroup() as task_group:
            yield _Feed(self, task_group, on_result).feed

    async def check_page(self, links: Sequence[Link]) -> list[Result]:
        """One request for a page, one result per cited form of it (each #fragment judged)."""
        started = time.monotonic()
        checked_at = self.clock()
        if self.settings.check.respect_robots and not await self._robots_allow(links[0].request_url):
            return [
                verdict_result(Link(link.url, link.locations, Status.EXCLUDED, "disallowed by the site's robots.txt"), checked_at)
                for link in links
            ]
        wants_anchors = self.settings.check.fragments and any(is_checkable_fragment(link.fragment) for link in links)
        body_limit = max(self.settings.check.anchor_body_limit if wants_anchors else 0, self.hooks.judge_body_limit)
        host = urlsplit(links[0].request_url).hostname or ""
        lander = self._parked_hosts.get(host)
        if lander is not None:  # one lander found on this host speaks for every citation of it
            return await self._with_suggestions(
                links, [verdict_result(Link(link.url, link.locations, Status.PARKED, lander), checked_at) for link in links]
            )
        github = api_url(links[0].request_url, self.settings.check.github_api) if self._github_host else None
        if github is not None:
            return await self._with_suggestions(links, await self._github_results(links, github, checked_at, started))
        outcome = await self.fetch(links[0].request_url, body_limit)
        status, error = classify(outcome, self.accept, self.settings.check.retry_after_max)
        if status is Status.PARKED and error is not None:
            self._parked_hosts[host] = error
        shell = script_built(_body(outcome), _content_type(outcome)) if status in _LIVE and may_show_nothing(_body(outcome)) else None
        if shell is not None and shows_nothing(shell):
            status, error = Status.BLOCKED, f"{BlockReason.SCRIPT.value}: the page shows nothing without running its scripts; the page may be alive"
        anchors = _page_anchors(outcome) if wants_anchors and status in _LIVE else None
        page = await self.hooks.judge(links[0].request_url, outcome) if self.hooks.judge is not None and status in _LIVE else PageVerdict()
        if page.status is not None:
            status, error = page.status, page.error
        snapshot = (
            await self.hooks.capture(links[0].request_url, _reusable(outcome))
            if self.hooks.capture is not None and status in _LIVE
            else None
        )
        results = []
        for link in links:
            self.outcomes[link.url] = outcome
            link_status, link_error = status, error
            if anchors is not None and is_checkable_fragment(link.fragment) and not fragment_present(link.fragment or "", anchors):
                if shell is None:
                    shell = script_built(_body(outcome), _content_type(outcome))
                if shell is not None:  # the anchor may well be made by the scripts
                    link_error = SCRIPT_FRAGMENT_NOTE if link_error is None else f"{link_error}; {SCRIPT_FRAGMENT_NOTE}"
                else:
                    link_status, link_error = Status.FRAGMENT_MISSING, f"the page has no anchor #{link.fragment}"
            results.append(
                Result(
                    url=link.url,
                    status=link_status,
                    http_status=outcome.status,
                    final_url=outcome.final_url if outcome.status is not None else None,
                    redirects=list(outcome.hops),
                    error=link_error,
                    checked_at=checked_at,
                    duration_ms=round((time.monotonic() - started) * 1000),
                    locations=list(link.locations),
                    archive=snapshot,
                    drift=page.drift,
                )
            )
        return await self._with_suggestions(links, results)

    async def _github_results(self, links: Sequence[Link], api: str, checked_at: datetime, started: float) -> list[Result]:
        """A GitHub link's verdict from the API: the repository, file or issue exists (`ok`),
        moved (a renamed repository: `redirect_permanent` to its new page) or is gone."""
        outcome = await self.fetch(api, 64 * 1024)
        status, error = classify(outcome, self.accept, self.settings.check.retry_after_max)
        final = links[0].request_url
        if status is Status.REDIRECT_PERMANENT or status is Status.REDIRECT_TEMPORARY:
            moved = moved_to(outcome.last.body if outcome.last is not None else None)
            if moved and moved.rstrip("/") != links[0].request_url.rstrip("/"):
                status, error, final = Status.REDIRECT_PERMANENT, f"moved permanently (GitHub API) to {moved}", moved
            else:
                status, error = Status.OK, None
        elif status is not Status.OK and error is not None:
            error = f"GitHub API: {error}"
        self.outcomes.update({link.url: outcome for link in links})
        return [
            Result(url=link.url, status=status, http_status=outcome.status, final_url=final if outcome.status is not None else None,
                   error=_github_note(link, status, error), checked_at=checked_at,
                   duration_ms=round((time.monotonic() - started) * 1000), locations=list(link.locations))  # fmt: skip
            for link in links
        ]

    async def _with_suggestions(self, links: Sequence[Link], results: list[Result]) -> list[Result]:
        if self.hooks.suggest is not None:
            for link, result in zip(links, results):
                if wants_archived_copy(result):
                    result.suggestion = await self.hooks.suggest(link, result)
        return results

    async def _robots_allow(self, url: str) -> bool:
        """`--respect-robots`: the site's robots.txt, fetched once per origin, must allow us.

        Off by default, as for the Internet Archive's bot: a citation is one URL a person
        chose, not a crawl. A robots.txt that cannot be fetched allows everything (RFC 9309).
        """
        from protego import Protego

        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._robots:
            future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
            self._robots[origin] = future
            outcome = await self.fetch(origin + "/robots.txt", ROBOTS_BODY_LIMIT)
            body = outcome.last.body if outcome.last is not None and outcome.status == 200 else None
            future.set_result(Protego.parse(body.decode("utf-8", "replace")) if body else None)
        rules = await asyncio.shield(self._robots[origin])
        return rules is None or bool(rules.can_fetch(url, self.settings.check.user_agent))

    async def fetch(self, url: str, body_limit: int = 0) -> Outcome:
        """Fetch one URL under the politeness limits."""
        return await self._fetch(url, body_limit, self.settings.check.url_timeout, retry=True)

    async def probe(self, url: str, body_limit: int) -> Outcome:
        """Fetch a made-up address (the soft-404 probe): once, within `PROBE_TIMEOUT` at most,
        counted per host. A probe only asks how the site answers the unknown; it must never
        make a slow page's check slower by retrying an address nobody cited."""
        self.limiter.gate(urlsplit(url).hostname or "").stats.probes += 1
        return await self._fetch(url, body_limit, min(PROBE_TIMEOUT, self.settings.check.url_timeout), retry=False)

    async def _fetch(self, url: str, body_limit: int, budget: float, retry: bool) -> Outcome:
        if is_reserved_invalid(url):
            return Outcome(
                final_url=url,
                failure=Failure(FailureKind.NXDOMAIN, "domain does not resolve (.invalid is reserved, RFC 6761)"),
            )
        try:
            async with asyncio.timeout(budget):
                return await self.fetcher.fetch(url, body_limit=body_limit, retry=retry)
        except TimeoutError:
            return Outcome(
                final_url=url,
                failure=Failure(FailureKind.URL_TIMEOUT, f"gave up after {budget:g}s for this URL (all hops and retries)"),
            )

    def _record(self, result: Result, on_result: ResultCallback | None) -> None:
        self.results.append(result)
        if on_result is not None:
            on_result(result)

    async def _precheck(self, url: str) -> Failure | None:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        blocked = await check_host(parts.hostname or "", port, self._policy, self.settings.check.connect_timeout)
        return blocked_failure(blocked) if blocked is not None else None


class _Feed:
    """The scheduler behind `Engine.stream`: a queue of pages per host, and as many workers
    per host as its concurrency allows, started as soon as the host has work."""

    def __init__(self, engine: Engine, task_group: asyncio.TaskGroup, on_result: ResultCallback | None) -> None:
        self.engine = engine
        self.task_group = task_group
        self.on_result = on_result
        self.queues: dict[str, deque[list[Link]]] = {}
        #: Pages not yet requested, by request URL: a #fragment arriving now joins its page.
        self.waiting: dict[str, list[Link]] = {}
        self.workers: dict[str, int] = {}

    def feed(self, links: Sequence[Link]) -> None:
        engine = self.engine
        touched: dict[str, deque[list[Link]]] = {}
        for link in links:
            if link.verdict is not None:
                engine._record(verdict_result(link, engine.clock()), self.on_result)
                continue
            group = self.waiting.get(link.request_url)
            if group is not None:
                group.append(link)
                continue
            self.waiting[link.request_url] = group = [link]
            engine.cited.add(link.request_url)
            host = urlsplit(link.request_url).hostname or ""
            touched[host] = queue = self.queues.setdefault(host, deque())
            queue.append(group)
        for host, queue in sorted(touched.items(), key=lambda item: -len(item[1])):
            busy = self.workers.get(host, 0)
            for _ in range(min(engine.limiter.concurrency(host) - busy, len(queue))):
                self.workers[host] = self.workers.get(host, 0) + 1
                self.task_group.create_task(self._worker(host, queue))

    async def _worker(self, host: str, queue: deque[list[Link]]) -> None:
        try:
            while queue:
                group = queue.popleft()
                del self.waiting[group[0].request_url]
                for result in await self.engine.check_page(group):
                    self.engine._record(result, self.on_result)
        finally:
            self.workers[host] -= 1


_LIVE = frozenset({Status.OK, Status.REDIRECT_PERMANENT, Status.REDIRECT_TEMPORARY})
#: Broken citations for which an archived copy is looked for.
_NEEDS_COPY = frozenset({Status.DEAD, Status.ERROR, Status.SOFT404, Status.PARKED})


def wants_archived_copy(result: Result) -> bool:
    """Broken, or live with drifted content: an archived copy is looked for."""
    return result.status in _NEEDS_COPY or bool((result.drift or {}).get("drifted"))


def _github_note(link: Link, status: Status, error: str | None) -> str | None:
    """The API says the page exists; it says nothing of a #heading on it."""
    if status is Status.OK and is_checkable_fragment(link.fragment):
        return f"checked through the GitHub API; #{link.fragment} not verified"
    return error


#: What a fragment on a page built by scripts gets instead of `fragment_missing`.
SCRIPT_FRAGMENT_NOTE = "rendered by script; fragment not verified"


def _reusable(outcome: Outcome) -> Received | None:
    """The check's response, when the archive can be written from it: no redirect (the
    archive records every hop with its headers), and the whole body read."""
    last = outcome.last
    if outcome.hops or last is None or last.received is None or not last.received.complete:
        return None
    return last.received


def _body(outcome: Outcome) -> bytes | None:
    return outcome.last.body if outcome.last is not None else None


def _content_type(outcome: Outcome) -> str | None:
    last = outcome.last
    return last.headers.get("content-type") if last is not None and last.headers is not None else None


def _page_anchors(outcome: Outcome) -> set[str] | None:
    """Anchors of an HTML page body; None when the body is not HTML (a PDF's #page=2 is not ours to judge)."""
    last = outcome.last
    if last is None or last.body is None or last.headers is None:
        return None
    content_type = last.headers.get("content-type", "").lower()
    if "html" not in content_type:
        return None
    charset = last.headers.get("content-type", "").partition("charset=")[2].split(";")[0].strip() or "utf-8"
    try:
        text = last.body.decode(charset, errors="replace")
    except LookupError:
        text = last.body.decode("utf-8", errors="replace")
    return html_anchors(text)


def is_reserved_invalid(url: str) -> bool:
    host = (urlsplit(url).hostname or "").rstrip(".")
    return host == RESERVED_INVALID_SUFFIX[1:] or host.endswith(RESERVED_INVALID_SUFFIX)


def _accepted_codes(ranges: Sequence[str]) -> frozenset[int]:
    codes: set[int] = set()
    for text in ranges:
        codes.update(parse_status_range(text))
    return frozenset(codes)


def all_unreachable(outcomes: Sequence[Outcome]) -> bool:
    """True when at least one URL was tried and none produced any HTTP response."""
    return bool(outcomes) and all(
        outcome.status is None and outcome.failure is not None and outcome.failure.kind.network_level
        for outcome in outcomes
    )
