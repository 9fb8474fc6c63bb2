"""Browser capture (`archive.capture = "browser"`): what a reader saw, not one HTTP answer.

Each page is opened in headless Chromium driven by Python Playwright (the `browser`
extra; Debian's `/usr/bin/chromium` through `executable_path`, never a downloaded
browser). Every response the page makes — the document and its redirect hops,
stylesheets, images, fonts, scripts, XHR/fetch — becomes a WARC `response` record with
its `request` record (the same records the HTTP capture writes, through the same
writer), then a full-page screenshot is written as a `resource` record (`image/png`,
`WARC-Target-URI: urn:screenshot:URL`) and a `metadata` record for the page
(`application/warc-fields`: the browser, how many resources, what was refused or not
kept), both `WARC-Concurrent-To` the page's response record.

Bytes. Playwright hands over bodies decoded (gzip/br/deflate undone, dechunked). They
are stored decoded, and the stored HTTP headers are made to describe the stored bytes,
as Browsertrix does: `Content-Encoding` and `Transfer-Encoding` are dropped and
`Content-Length` is set to the stored length. Each record whose headers were changed
says so in `WARC-Linkcheck-Body` (e.g. `decoded by the browser; removed Content-Encoding:
gzip; Content-Length: 52 -> 130`), so the payload digest is over exactly the stored
bytes and `archive verify` holds.

The SSRF guard, on every request the browser makes. Chromium talks only to a proxy in
this process (Playwright's `proxy`, loopback included with `<-loopback>`), which resolves
each host, refuses it unless every address passes the checker's `AddressPolicy`
(`network.allow_private`, `network.allow`), and then connects to the address it
checked — so redirect hops (which Playwright's `page.route` never sees), sub-resources,
WebSocket and anything else go through the same rule, and a second DNS answer cannot
swap the address. `page.route("**/*")` checks the same policy first, so a refused
request is aborted before it leaves the browser (and noted); it also adds the
`[hosts."NAME"].headers` to requests for exactly that host and holds the engine's
politeness slot while the request is released. Configured headers, `Authorization`,
`Cookie` and `Proxy-Authorization` are redacted in request records. Non-GET requests
(form posts, beacons) are aborted: an archive capture reads, it does not submit.

Caps per page: `archive.capture_timeout` for the whole page (load, settle, screenshot);
`archive.max_resource_bytes` per body (cut, `WARC-Truncated: length`);
`archive.max_requisite_bytes` for all sub-resources together; at most
`MAX_PAGE_RESOURCES` sub-resources. A page whose document is a bot wall or challenge
(`linkcheck.signatures.bot_wall`) is a failed capture: nothing of it is stored.

One browser process per Archive, `DEFAULT_BROWSER_PAGES` pages open at once; a browser
that died is started again for the next page (the page that saw it die fails).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import http
import io
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any
from urllib.parse import urljoin, urlsplit

from linkcheck.archive.capture import (
    REDIRECT_STATUSES,
    CaptureSkipped,
    CapturedHop,
    FetchHooks,
    _recorded,
)
from linkcheck.archive.index import ROLE_HEADER
from linkcheck.archive.options import CaptureOptions
from linkcheck.archive.warc import HttpResponse, sha1_digest, warc_date
from linkcheck.archive.writer import Job, Writer
from linkcheck.check.guard import AddressPolicy, BlockedAddress, resolve_checked

#: Debian's Chromium; `LINKCHECK_CHROMIUM` or `chromium` on PATH otherwise.
DEFAULT_CHROMIUM = "/usr/bin/chromium"
#: Pages open at once in the one browser (2 cores: Chromium's renderer takes one each).
DEFAULT_BROWSER_PAGES = 2
#: Sub-resources recorded per page at most.
MAX_PAGE_RESOURCES = 300
#: After `load`, how long to wait for the network to go quiet (scripts fetching data).
SETTLE_SECONDS = 5.0
VIEWPORT = {"width": 1280, "height": 900}
BODY_HEADER = "WARC-Linkcheck-Body"
SCREENSHOT_ROLE = "screenshot"
PAGE_INFO_ROLE = "page-info"
#: A response the guard proxy made up for a refused redirect hop (never recorded).
_REFUSED_MARKER = "x-linkcheck-refused"
_SPOOL_IN_MEMORY = 1024 * 1024
_HEAD_LIMIT = 64 * 1024
_HOP_BY_HOP = frozenset({"connection", "proxy-connection", "keep-alive", "proxy-authorization", "te", "trailer", "upgrade"})


def chromium_path() -> str | None:
    """The Chromium to drive: `LINKCHECK_CHROMIUM`, Debian's, or `chromium` on PATH."""
    for candidate in (os.environ.get("LINKCHECK_CHROMIUM"), DEFAULT_CHROMIUM, shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def unavailable_reason() -> str | None:
    """Why browser capture cannot run here (None when it can)."""
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        return "browser capture needs Playwright: pip install 'linkcheck[browser]' (and Debian's chromium: apt-get install chromium)"
    if chromium_path() is None:
        return "browser capture needs Chromium: apt-get install chromium (or set LINKCHECK_CHROMIUM to its path)"
    return None


# ----------------------------------------------------------------------------- records


@dataclass(slots=True)
class BrowserHop(CapturedHop):
    """An exchange the browser saw; `changed` says how its stored headers differ from the wire."""

    changed: str | None = None


@dataclass(slots=True)
class PageExtras:
    """What a browser capture adds to its page job: the screenshot and the page's notes."""

    url: str
    date: datetime
    screenshot: bytes | None
    info: list[tuple[str, str]]


@dataclass(slots=True)
class PageJob(Job):
    extras: PageExtras | None = None


class PageWriter(Writer):
    """The archive writer, plus what browser captures carry: the `WARC-Linkcheck-Body` note
    on responses whose headers were made to fit a decoded body, and the screenshot
    (`resource`) and page-info (`metadata`) records after the page's own records."""

    def _records(self, job: Job, originals: list[Any]) -> tuple[list[Any], list[bytes | None]]:
        records, bodies = super()._records(job, originals)
        for index, hop in enumerate(job.hops):
            if isinstance(hop, BrowserHop) and hop.changed:
                records[2 * index].rec_headers.add_header(BODY_HEADER, hop.changed)
        extras = job.extras if isinstance(job, PageJob) else None
        if extras is None:
            return records, bodies
        page_id = records[-2].rec_headers.get_header("WARC-Record-ID")
        date = warc_date(extras.date)
        if extras.screenshot is not None:
            records.append(self._extra_record("resource", f"urn:screenshot:{extras.url}", date, page_id, SCREENSHOT_ROLE, extras.url, "image/png", extras.screenshot))
            bodies.append(None)
        info = "".join(f"{name}: {value}\r\n" for name, value in extras.info).encode("utf-8")
        records.append(self._extra_record("metadata", extras.url, date, page_id, PAGE_INFO_ROLE, extras.url, "application/warc-fields", info))
        bodies.append(None)
        return records, bodies

    def _extra_record(self, kind: str, uri: str, date: str, page_id: str, role: str, page: str, mime: str, payload: bytes) -> Any:
        builder = self._builder
        headers = {
            "WARC-Type": kind, "WARC-Record-ID": builder._make_id(), "WARC-Date": date, "WARC-Target-URI": uri,
            "WARC-Concurrent-To": page_id, ROLE_HEADER: role, "WARC-Linkcheck-Page": page,
        }  # fmt: skip
        return builder._writer.create_warc_record(
            uri, kind, payload=io.BytesIO(payload), length=len(payload), warc_content_type=mime, warc_headers_dict=headers
        )


# ------------------------------------------------------------------------- guard proxy


class GuardProxy:
    """A loopback HTTP proxy that Chromium must use: the address policy on every connection.

    CONNECT (https, wss) and absolute-form requests (http) alike: the host is resolved
    here, refused unless every address is allowed, and the connection is made to the
    checked address. Plain HTTP goes upstream with `Connection: close`, one request per
    connection, so one proxy connection never carries two hosts.
    """

    def __init__(self, policy: AddressPolicy, connect_timeout: float = 15.0) -> None:
        self.policy = policy
        self.connect_timeout = connect_timeout
        #: (host:port, reason) for every refused connection.
        self.refused: list[tuple[str, str]] = []
        #: host:port -> the address connected to (WARC-IP-Address).
        self.addresses: dict[str, str] = {}
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0, limit=_HEAD_LIMIT)
        return int(self._server.sockets[0].getsockname()[1])

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)
            self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            await self._handle(reader, writer)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            pass
        except asyncio.CancelledError:
            pass  # the proxy is closing: end quietly (asyncio logs a handler that ends cancelled)
        finally:
            self._tasks.discard(task)
            writer.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        line, _, rest = head.partition(b"\r\n")
        method, target, _version = line.decode("latin-1").split(" ", 2)
        if method == "CONNECT":
            host, _, port_text = target.rpartition(":")
            host, port = host.strip("[]"), int(port_text)
            upstream = await self._connect(host, port, f"https://{target}/", writer)
            if upstream is None:
                return
            writer.write(b"HTTP/1.1 200 Connection Established\r\n\r\n")
            await self._pipe(reader, writer, *upstream)
            return
        parts = urlsplit(target)
        if parts.scheme != "http" or not parts.hostname:
            writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return
        port = parts.port or 80
        upstream = await self._connect(parts.hostname, port, target, writer)
        if upstream is None:
            return
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        kept = [h for h in rest.split(b"\r\n") if h and h.split(b":", 1)[0].strip().lower().decode("latin-1") not in _HOP_BY_HOP]
        upstream[1].write(f"{method} {path} HTTP/1.1\r\n".encode("latin-1") + b"\r\n".join([*kept, b"Connection: close"]) + b"\r\n\r\n")
        await self._pipe(reader, writer, *upstream)

    async def _connect(self, host: str, port: int, url: str, writer: asyncio.StreamWriter) -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
        where = f"{host}:{port}"
        try:
            addresses = await resolve_checked(host, port, self.policy, self.connect_timeout)
        except BlockedAddress as exc:
            self.refused.append((url, f"refused: {exc}"))
            writer.write(f"HTTP/1.1 403 Forbidden\r\n{_REFUSED_MARKER}: {exc}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode("latin-1", "replace"))
            return None
        except (OSError, TimeoutError):
            writer.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return None
        for address in addresses:
            try:
                async with asyncio.timeout(self.connect_timeout):
                    connection = await asyncio.open_connection(str(address), port)
            except (OSError, TimeoutError):
                continue
            self.addresses[where] = str(address)
            return connection
        writer.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        return None

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, up_reader: asyncio.StreamReader, up_writer: asyncio.StreamWriter) -> None:
        async def copy(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            try:
                while data := await source.read(1 << 16):
                    sink.write(data)
                    await sink.drain()
            except OSError:
                pass
            finally:
                with contextlib.suppress(OSError):
                    if sink.can_write_eof():
                        sink.write_eof()

        # Done when the answer is through (or the browser hung up): with `Connection: close`
        # upstream, the server's close ends the exchange even if the browser keeps its end open.
        tasks = [asyncio.ensure_future(copy(up_reader, writer)), asyncio.ensure_future(copy(reader, up_writer))]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            up_writer.close()


# ---------------------------------------------------------------------------- capturing


@dataclass(slots=True)
class PageCapture:
    """One page as the browser loaded it: the document's redirect chain, every other response."""

    hops: list[BrowserHop]
    resources: list[BrowserHop]
    screenshot: bytes | None
    date: datetime
    info: list[tuple[str, str]] = field(default_factory=list)
    #: (url, reason) of requests refused or not kept.
    notes: list[tuple[str, str]] = field(default_factory=list)

    def discard(self) -> None:
        for exchange in (*self.hops, *self.resources):
            exchange.discard()


class BrowserSession:
    """One Chromium (started on first use) for the captures of one Archive."""

    def __init__(
        self,
        options: CaptureOptions,
        policy: AddressPolicy | None,
        hooks: FetchHooks,
        clock: Callable[[], datetime],
        *,
        pages: int = DEFAULT_BROWSER_PAGES,
        user_agent: str | None = None,
    ) -> None:
        self.options = options
        self.policy = policy or AddressPolicy()
        self.hooks = hooks
        self.clock = clock
        self.user_agent = user_agent
        self._pages = asyncio.Semaphore(pages)
        self._start_lock = asyncio.Lock()
        self._playwright: Any = None
        self._browser: Any = None
        self._proxy = GuardProxy(self.policy)
        self._proxy_port: int | None = None

    @property
    def version(self) -> str:
        return f"Chromium {self._browser.version}" if self._browser is not None else "Chromium"

    async def _ensure_browser(self) -> Any:
        async with self._start_lock:
            if self._browser is not None and self._browser.is_connected():
                return self._browser
            reason = unavailable_reason()
            if reason:
                raise CaptureSkipped(reason)
            from playwright.async_api import Error as PlaywrightError
            from playwright.async_api import async_playwright

            if self._proxy_port is None:
                self._proxy_port = await self._proxy.start()
            if self._playwright is None:
                self._playwright = await async_playwright().start()
            # Every request through the guard proxy, loopback included (`<-loopback>` takes
            # away Chromium's implicit bypass). Playwright runs Chromium without its sandbox
            # unless asked (`chromium_sandbox`), which root needs anyway.
            proxy = {"server": f"http://127.0.0.1:{self._proxy_port}", "bypass": "<-loopback>"}
            try:
                self._browser = await self._playwright.chromium.launch(
                    executable_path=chromium_path(), headless=True, proxy=proxy, chromium_sandbox=False
                )
            except PlaywrightError as exc:
                raise CaptureSkipped(f"cannot start Chromium: {str(exc).splitlines()[0]}") from None
            return self._browser

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            if self._browser is not None:
                await self._browser.close()
        with contextlib.suppress(Exception):
            if self._playwright is not None:
                await self._playwright.stop()
        self._browser = self._playwright = None
        await self._proxy.close()

    async def capture(self, url: str) -> PageCapture:
        """Load `url`, record what it fetched, take the screenshot; CaptureSkipped if it failed."""
        from playwright.async_api import Error as PlaywrightError
        from playwright.async_api import TimeoutError as PlaywrightTimeout

        async with self._pages:
            browser = await self._ensure_browser()
            try:
                async with asyncio.timeout(self.options.timeout):
                    return await self._capture(browser, url)
            except TimeoutError:
                raise CaptureSkipped(f"the browser capture timed out after {self.options.timeout:g}s") from None
            except PlaywrightTimeout:
                raise CaptureSkipped(f"the browser capture timed out after {self.options.timeout:g}s (the document did not load)") from None
            except PlaywrightError as exc:
                raise CaptureSkipped(f"the browser could not load {url}: {str(exc).splitlines()[0]}") from None

    async def _capture(self, browser: Any, url: str) -> PageCapture:
        from playwright.async_api import Error as PlaywrightError

        context = await browser.new_context(
            service_workers="block", accept_downloads=False, viewport=VIEWPORT, user_agent=self.user_agent, java_script_enabled=True
        )
        recorder = _Recorder(self, url)
        try:
            await context.route("**/*", recorder.route)
            page = await context.new_page()
            page.on("requestfinished", recorder.finished)
            page.on("requestfailed", recorder.failed)
            clock = asyncio.get_running_loop().time
            total = self.options.timeout
            deadline = clock() + total
            # What is left for the screenshot and the records once loading stops.
            reserve = min(max(5.0, total / 4), total / 2)
            try:
                response = await page.goto(url, wait_until="domcontentloaded", timeout=(total - reserve) * 1000)
            except PlaywrightError:
                await asyncio.sleep(0.05)  # the failed request's event comes after goto's answer
                if recorder.document_refused:
                    raise CaptureSkipped(f"the guard refused the document or a redirect hop of it: {recorder.document_refused}") from None
                raise
            if response is None:
                raise CaptureSkipped(f"the browser loaded no document for {url}")
            try:
                await page.wait_for_load_state("load", timeout=max(0.1, deadline - reserve - clock()) * 1000)
            except PlaywrightError:
                recorder.notes.append((url, f"the page had not finished loading after {total - reserve:g}s: captured as it stood"))
            else:
                with contextlib.suppress(PlaywrightError):
                    await page.wait_for_load_state("networkidle", timeout=max(0.1, min(SETTLE_SECONDS, deadline - reserve - clock())) * 1000)
            date = self.clock()
            screenshot = None
            try:
                screenshot = await page.screenshot(full_page=True, type="png", timeout=max(0.5, deadline - clock() - reserve / 2) * 1000)
            except PlaywrightError as exc:
                recorder.notes.append((url, f"no screenshot: {str(exc).splitlines()[0]}"))
            return await recorder.result(response, screenshot, date)
        except BaseException:
            recorder.discard()
            raise
        finally:
            with contextlib.suppress(Exception):
                await context.close()


class _Recorder:
    """The requests and responses of one page, as the browser reports them."""

    def __init__(self, session: BrowserSession, url: str) -> None:
        self.session = session
        self.url = url
        self.options = session.options
        self.notes: list[tuple[str, str]] = []
        self.refused: set[str] = set()
        self._tasks: list[asyncio.Task[None]] = []
        self._exchanges: dict[Any, BrowserHop] = {}
        self._budget = self.options.max_requisite_bytes
        self._kept = 0
        self._closed = False
        #: The reason the guard refused a hop of the page's own document, if it did.
        self.document_refused: str | None = None

    # ---------------------------------------------------------------- the route

    async def route(self, route: Any) -> None:
        request = route.request
        url = request.url
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            await route.continue_()  # data:, blob: - no network
            return
        if request.method not in ("GET", "HEAD"):
            self.notes.append((url, f"not sent: {request.method} (a capture does not submit)"))
            await route.abort("blockedbyclient")
            return
        host = parts.hostname or ""
        if self.session.hooks.allow_url is not None and not self.session.hooks.allow_url(url):
            self._refuse(url, f"refused: not allowed to fetch {url}", request)
            await route.abort("blockedbyclient")
            return
        try:
            await resolve_checked(host, parts.port or (443 if parts.scheme == "https" else 80), self.session.policy, self.session._proxy.connect_timeout)
        except BlockedAddress as exc:
            self._refuse(url, f"refused: {exc}", request)
            await route.abort("blockedbyclient")
            return
        except (OSError, TimeoutError):
            await route.abort("namenotresolved")
            return
        extra = dict(self.session.hooks.headers_for(host)) if self.session.hooks.headers_for is not None else {}
        slot = self.session.hooks.slot(host) if self.session.hooks.slot is not None else contextlib.nullcontext()
        async with slot:
            if extra:
                await route.continue_(headers={**request.headers, **extra})
            else:
                await route.continue_()

    def _refuse(self, url: str, reason: str, request: Any = None) -> None:
        self.refused.add(url)
        self.notes.append((url, reason))
        if request is not None and _is_document(request):
            self.document_refused = f"{url} {reason}"

    # --------------------------------------------------------------- the events

    def finished(self, request: Any) -> None:
        if self._closed:
            return  # after the page's records were collected
        self._tasks.append(asyncio.ensure_future(self._record(request)))

    def failed(self, request: Any) -> None:
        if request.url in self.refused:
            return
        parts = urlsplit(request.url)
        tunnel = f"https://{parts.hostname}:{parts.port or 443}/"
        wanted = tunnel if parts.scheme == "https" else request.url
        by_proxy = next((reason for url, reason in self.session._proxy.refused if url == wanted), None)
        if by_proxy is not None:  # a connection the guard proxy refused (a redirect hop)
            self._refuse(request.url, by_proxy, request)
        else:
            self.notes.append((request.url, f"failed in the browser: {request.failure}"))

    async def _record(self, request: Any) -> None:
        from playwright.async_api import Error as PlaywrightError

        try:
            response = await request.response()
            if response is None:
                return
            headers = [(item["name"], item["value"]) for item in await response.headers_array()]
            if any(name.lower() == _REFUSED_MARKER for name, _ in headers):
                self._refuse(request.url, "refused: " + next(v for n, v in headers if n.lower() == _REFUSED_MARKER), request)
                return
            main = _is_document(request)
            declared = _header(headers, "content-length")
            cap = self.options.max_resource_bytes if main else min(self.options.max_resource_bytes, max(self._budget, 0))
            if response.status in REDIRECT_STATUSES or response.status in (204, 304):
                body = b""
            elif not main and (self._budget <= 0 or self._kept >= MAX_PAGE_RESOURCES):
                self.notes.append((request.url, "not kept: the page's resource budget is spent"))
                return
            elif not main and declared and declared.isdigit() and int(declared) > cap:
                self.notes.append((request.url, f"not kept: {declared} bytes, over the cap"))
                return
            else:
                try:
                    body = await response.body()
                except PlaywrightError:
                    body = b""
            request_headers = await request.all_headers()
            exchange = _exchange(request, response, headers, request_headers, body, cap, self.session)
            if self._closed:
                exchange.discard()
                return
            if not main:
                self._budget -= exchange.response.body_length
                self._kept += 1
            self._exchanges[request] = exchange
        except PlaywrightError as exc:
            self.notes.append((request.url, f"not recorded: {str(exc).splitlines()[0]}"))

    async def result(self, response: Any, screenshot: bytes | None, date: datetime) -> PageCapture:
        # the last events may still be on their way: a moment, then every record task
        await asyncio.sleep(0.05)
        while pending := [task for task in self._tasks if not task.done()]:
            await asyncio.gather(*pending)
        self._closed = True
        chain = [response.request]
        while chain[0].redirected_from is not None:
            chain.insert(0, chain[0].redirected_from)
        hops = [self._exchanges.pop(request) for request in chain if request in self._exchanges]
        if len(hops) != len(chain):
            self.discard(hops)
            refused = next((f"{url} {reason}" for url, reason in self.notes if url == chain[-1].url and url in self.refused), None)
            if refused:
                raise CaptureSkipped(f"the guard refused the document or a redirect hop of it: {refused}")
            raise CaptureSkipped(f"the browser did not report the document of {self.url}")
        final = hops[-1]
        wall = _bot_wall(final)
        if wall is not None:
            self.discard(hops)
            raise CaptureSkipped(f"bot wall, not archived as the page's content: {wall.detail}" + (f" ({wall.vendor})" if wall.vendor else ""))
        if not self.options.captures_type(final.content_type):
            self.discard(hops)
            kind = final.content_type or "none"
            raise CaptureSkipped(f"content type {kind} is not captured (archive content types: {', '.join(self.options.content_types)})")
        resources: list[BrowserHop] = []
        seen = {hop.url for hop in hops}
        for exchange in self._exchanges.values():
            if exchange.url in seen:
                exchange.discard()
                continue
            seen.add(exchange.url)
            resources.append(exchange)
        self._exchanges.clear()
        info = [
            ("capture", "browser"), ("browser", self.session.version), ("page", self.url), ("final-url", final.url),
            ("resources", str(len(resources))), ("screenshot", "urn:screenshot:" + self.url if screenshot else "none"),
        ]  # fmt: skip
        info += [("note", f"{url} {reason}") for url, reason in self.notes]
        return PageCapture(hops, resources, screenshot, date, info, list(self.notes))

    def discard(self, extra: list[BrowserHop] | None = None) -> None:
        self._closed = True
        for exchange in [*(extra or []), *self._exchanges.values()]:
            exchange.discard()
        self._exchanges.clear()


def _is_document(request: Any) -> bool:
    """The page's own document (or a hop of it), not a frame's or a worker's request."""
    from playwright.async_api import Error as PlaywrightError

    try:
        return bool(request.is_navigation_request() and request.frame == request.frame.page.main_frame)
    except PlaywrightError:  # a worker's request has no frame
        return False


def _header(headers: list[tuple[str, str]], wanted: str) -> str | None:
    for name, value in headers:
        if name.lower() == wanted:
            return value
    return None


def _exchange(request: Any, response: Any, headers: list[tuple[str, str]], request_headers: dict[str, str], body: bytes, cap: int, session: BrowserSession) -> BrowserHop:
    """The exchange as stored: the decoded body, and headers made to describe it (noted)."""
    truncated = None
    if len(body) > cap:
        body, truncated = body[:cap], "length"
    changes = []
    stored: list[tuple[str, str]] = []
    declared = None
    for name, value in headers:
        lower = name.lower()
        if lower in ("content-encoding", "transfer-encoding"):
            changes.append(f"removed {name}: {value}")
        elif lower == "content-length":
            declared = value
        else:
            stored.append((name, value))
    if declared != str(len(body)):
        changes.append(f"Content-Length: {declared or 'none'} -> {len(body)}")
    stored.append(("Content-Length", str(len(body))))
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)  # noqa: SIM115 - closed by CapturedHop.discard
    spool.write(body)
    digest = sha1_digest(hashlib.sha1(body))
    parts = urlsplit(request.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    configured = frozenset(name.lower() for name in (session.hooks.headers_for(parts.hostname or "") if session.hooks.headers_for else {}))
    sent = [_recorded(name, value, configured) for name, value in request_headers.items() if not name.startswith(":")]
    if not any(name.lower() == "host" for name, _ in sent):
        sent.insert(0, ("Host", parts.netloc))
    location = None
    if response.status in REDIRECT_STATUSES and _header(headers, "location"):
        with contextlib.suppress(ValueError):
            location = urljoin(request.url, _header(headers, "location") or "").split("#", 1)[0]
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        reason = response.status_text or http.HTTPStatus(response.status).phrase
    except ValueError:
        reason = ""
    return BrowserHop(
        url=request.url.split("#", 1)[0],
        method=request.method,
        target=target,
        request_headers=sent,
        response=HttpResponse(
            status=response.status, reason=reason, http_version="HTTP/1.1", headers=stored, body=spool,
            body_length=len(body), payload_digest=digest, truncated=truncated,
        ),
        ip=session._proxy.addresses.get(f"{parts.hostname}:{port}"),
        date=session.clock(),
        location=location,
        changed=("decoded by the browser; " + "; ".join(changes)) if changes else None,
    )


def _bot_wall(final: BrowserHop) -> Any:
    from linkcheck.signatures import bot_wall

    headers = {}
    for name, value in final.response.headers:
        headers[name.lower()] = value
    return bot_wall(final.response.status, headers, final.read_body(), urlsplit(final.url).hostname or "")

