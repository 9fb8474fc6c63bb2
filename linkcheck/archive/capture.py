"""Fetching a page for the archive: a full GET, redirects followed hop by hop, bytes as received.

Each hop is kept as its own exchange (request headers, response status and headers,
body), so that the WARC holds one response record per hop and replay follows the same
redirects. Bodies are kept exactly as they came off the wire after transfer decoding
(dechunked, still content-encoded), so the payload digest is the one WARC specifies and
replay serves what the server served. Because the stored body is no longer chunked, a
`Transfer-Encoding` header is not recorded; everything else is, in order.

Bodies go to spooled temporary files (in memory up to 1 MiB), so many captures in flight
do not hold many large bodies in memory.
"""

from __future__ import annotations

import asyncio
import hashlib
import tempfile
from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager, AsyncExitStack, nullcontext
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any
from urllib.parse import urlsplit

import httpx

from linkcheck.archive.options import CaptureOptions
from linkcheck.archive.warc import Headers, HttpResponse, sha1_digest
from linkcheck.check.transport import Answer, Client, Transport, as_transport
from linkcheck.models import Received
from linkcheck.redirects import REDIRECT_STATUSES, RedirectRefused, RedirectTrail, redirect_target

_SPOOL_IN_MEMORY = 1024 * 1024
#: Hop-by-hop framing that no longer describes the stored (dechunked) body.
_NOT_RECORDED = frozenset({"transfer-encoding"})

#: `slot(host)` -> an async context manager held while talking to that host (the
#: engine's politeness limiter: `Limiter.slot`).
Slot = Callable[[str], AbstractAsyncContextManager[Any]]
#: Request headers that must not end up in a WARC file anyone may be sent.
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})
REDACTED = "[redacted by linkcheck]"


@dataclass(frozen=True, slots=True)
class FetchHooks:
    """What the check engine lends a capture: its politeness, its URL rules, its headers."""

    slot: Slot | None = None
    #: False for a URL that must not be fetched (a hop or requisite to a private address).
    allow_url: Callable[[str], bool] | None = None
    #: Extra headers per host (the `[hosts."NAME"].headers` of config.toml).
    headers_for: Callable[[str], Mapping[str, str]] | None = None


class CaptureSkipped(Exception):
    """Nothing was captured for this URL; the message says why (for the CLI and logs)."""


@dataclass(slots=True)
class CapturedHop:
    """One request and its response, as they went over the wire."""

    url: str
    method: str
    target: str
    request_headers: Headers
    response: HttpResponse
    ip: str | None
    date: datetime
    #: Absolute redirect target, for a 3xx with a Location.
    location: str | None = None

    @property
    def content_type(self) -> str | None:
        for name, value in self.response.headers:
            if name.lower() == "content-type":
                return value
        return None

    def header(self, wanted: str) -> str | None:
        for name, value in self.response.headers:
            if name.lower() == wanted:
                return value
        return None

    def read_body(self) -> bytes:
        self.response.body.seek(0)
        return self.response.body.read()

    def discard(self) -> None:
        self.response.body.close()


async def fetch_chain(
    client: Client,
    url: str,
    options: CaptureOptions,
    *,
    clock: Callable[[], datetime],
    max_bytes: int | None = None,
    check_type: bool = True,
    hooks: FetchHooks = FetchHooks(),
) -> list[CapturedHop]:
    """GET `url` and every redirect after it, within `options.timeout` for all hops.

    Raises CaptureSkipped when there is nothing to archive (failure, a type not
    captured, a redirect loop). A body over the cap is cut (`truncated="length"`); one
    cut by the timeout or a dropped connection is kept as `time` / `disconnect`.
    """
    loop = asyncio.get_running_loop()
    transport = as_transport(client)
    deadline = loop.time() + options.timeout
    cap = options.max_resource_bytes if max_bytes is None else max_bytes
    hops: list[CapturedHop] = []
    trail = RedirectTrail(url, options.max_redirects)
    current = url
    try:
        while True:
            if hooks.allow_url is not None and not hooks.allow_url(current):
                raise CaptureSkipped(f"not allowed to fetch {current}")
            hop = await _fetch_one(transport, current, options, clock, deadline, cap, check_type, hooks)
            hops.append(hop)
            if hop.location is None:
                return hops
            try:
                trail.follow(hop.location)
            except RedirectRefused as refused:
                raise CaptureSkipped(str(refused)) from None
            current = hop.location
    except BaseException:
        for hop in hops:
            hop.discard()
        raise


async def _fetch_one(
    transport: Transport,
    url: str,
    options: CaptureOptions,
    clock: Callable[[], datetime],
    deadline: float,
    cap: int,
    check_type: bool,
    hooks: FetchHooks,
) -> CapturedHop:
    host = urlsplit(url).hostname or ""
    headers = dict(hooks.headers_for(host)) if hooks.headers_for is not None else None
    configured = frozenset(name.lower() for name in headers or {})
    async with hooks.slot(host) if hooks.slot is not None else nullcontext(), AsyncExitStack() as stack:
        try:
            async with asyncio.timeout_at(deadline):
                answer = await stack.enter_async_context(transport.open("GET", url, headers))
        except TimeoutError:
            raise CaptureSkipped(f"timed out after {options.timeout:g}s") from None
        except httpx.InvalidURL as exc:
            raise CaptureSkipped(f"cannot request {url}: {exc}") from None
        except httpx.HTTPError as exc:
            raise CaptureSkipped(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__) from None
        date = clock()
        ip = answer.peer  # before the body: a connection read to its end goes back to the pool
        location = _location(url, answer)
        if check_type and location is None and not options.captures_type(answer.headers.get("content-type")):
            kind = answer.headers.get("content-type") or "none"
            raise CaptureSkipped(f"content type {kind} is not captured (archive content types: {', '.join(options.content_types)})")
        body, length, digest, truncated = await _read_body(answer, cap, deadline)
    return CapturedHop(
        url=url,
        method="GET",
        target=answer.target,
        request_headers=[_recorded(name, value, configured) for name, value in answer.request_headers()],
        response=HttpResponse(
            status=answer.status,
            reason=answer.reason,
            http_version=answer.http_version,
            headers=[(name, value) for name, value in answer.raw_headers() if name.lower() not in _NOT_RECORDED],
            body=body,
            body_length=length,
            payload_digest=digest,
            truncated=truncated,
        ),
        ip=ip,
        date=date,
        location=location,
    )


def hop_from_received(url: str, received: Received, options: CaptureOptions, hooks: FetchHooks = FetchHooks()) -> CapturedHop:
    """The page's hop from what the checker already received (bytes as they came off the
    wire, headers in order): the same record a fetch of its own would write, without a
    second download. CaptureSkipped for a type the archive does not keep."""
    content_type = next((value for name, value in received.headers if name.lower() == "content-type"), None)
    if not options.captures_type(content_type):
        raise CaptureSkipped(f"content type {content_type or 'none'} is not captured (archive content types: {', '.join(options.content_types)})")
    host = urlsplit(url).hostname or ""
    configured = frozenset(name.lower() for name in (hooks.headers_for(host) if hooks.headers_for is not None else {}))
    cap = options.max_resource_bytes
    data = received.body[:cap]
    body: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)  # noqa: SIM115 - closed by CapturedHop.discard
    body.write(data)
    parts = urlsplit(url)
    return CapturedHop(
        url=url,
        method="GET",
        target=(parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
        request_headers=[_recorded(name, value, configured) for name, value in received.request_headers],
        response=HttpResponse(
            status=received.status,
            reason=received.reason,
            http_version=received.http_version,
            headers=[(name, value) for name, value in received.headers if name.lower() not in _NOT_RECORDED],
            body=body,
            body_length=len(data),
            payload_digest=sha1_digest(hashlib.sha1(data)),
            truncated="length" if len(received.body) > cap else None,
        ),
        ip=received.ip,
        date=received.date,
        location=None,
    )


async def _read_body(answer: Answer, cap: int, deadline: float) -> tuple[IO[bytes], int, str, str | None]:
    """The raw (content-encoded) body into a spooled file, with its SHA-1, cut at `cap`."""
    body: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)  # noqa: SIM115 - closed by CapturedHop.discard
    digest = hashlib.sha1()
    length = 0
    truncated: str | None = None
    try:
        async with asyncio.timeout_at(deadline):
            async for chunk in answer.chunks():
                if length + len(chunk) > cap:
                    chunk = chunk[: cap - length]
                    truncated = "length"
                body.write(chunk)
                digest.update(chunk)
                length += len(chunk)
                if truncated:
                    break
    except TimeoutError:
        truncated = "time"
    except httpx.HTTPError:
        truncated = "disconnect"
    except BaseException:
        body.close()
        raise
    return body, length, sha1_digest(digest), truncated


def _recorded(name: str, value: str, configured: frozenset[str] = frozenset()) -> tuple[str, str]:
    """A request header as the WARC keeps it: credentials redacted (archives get shared).

    Every header the user configured for the host (`[hosts."NAME"].headers`, often an API
    token from the environment) counts as a credential, whatever its name.
    """
    secret = name.lower() in SECRET_HEADERS or name.lower() in configured
    return (name, REDACTED) if secret else (name, value)


def _location(url: str, answer: Answer) -> str | None:
    """Where a redirect leads, by the checker's own rules; None for an answer that is not
    a followable redirect (it is then stored as the chain's last record)."""
    if answer.status not in REDIRECT_STATUSES:
        return None
    try:
        return redirect_target(url, answer.status, answer.headers.get("location"))
    except RedirectRefused:
        return None
