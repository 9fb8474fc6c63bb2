"""The aiohttp side of the client: one session with the SSRF guard, hard limits and
errors translated into httpx's vocabulary.

Why aiohttp: checking is thousands of tiny requests, so the cost per request is the
cost of a run. aiohttp's C parser and per-host connection pool cost a fraction of
httpx+httpcore's per request (see bench/README.md), while httpx stays the API every
caller and test sees (`transport.AiohttpTransport`, `send.AiohttpSender`).

What must hold exactly as with httpx (tests/test_check_guard.py, test_hostile_servers.py):

- The guard: a name is resolved by `GuardResolver`, every address is checked, and
  aiohttp connects to the very addresses returned (no second lookup to rebind). A
  literal IP address never reaches a resolver in aiohttp, so `LiteralGuard` checks it
  before the request is made. A refusal carries `guard.BlockedAddress` in its cause chain.
- The head of a response (status line and headers) is capped at `MAX_HEAD_BYTES`, as
  h11 caps it for httpx; aiohttp alone caps only each line and the count.
- Errors: `translate` turns every aiohttp failure into the httpx exception the httpx
  transport would have raised, with the original (ssl, socket, DNS) error in its cause
  chain, so `outcome.failure_from_exception` classifies both paths with one table.
"""

from __future__ import annotations

import asyncio
import errno
import functools
import ipaddress
import socket
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
import httpx
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.client_proto import ResponseHandler
from aiohttp.http_exceptions import HttpProcessingError, LineTooLong
from yarl import URL

from linkcheck.check.guard import AddressPolicy, BlockedAddress, resolve_checked

#: The most bytes a response's status line and headers may take (h11's cap under httpx).
MAX_HEAD_BYTES = 100 * 1024
#: The encodings `body.read_body` decodes; asking for others would bring bodies we cannot read.
ACCEPT_ENCODING = "gzip, deflate"


class AddressRefused(OSError):
    """The guard refused every address of a name; raised from `BlockedAddress` so the cause is kept.

    An OSError because that is what aiohttp expects from a resolver (it wraps it in
    `ClientConnectorDNSError` and gives up on the host).
    """


class HeadTooLarge(HttpProcessingError):
    """A response head past MAX_HEAD_BYTES (h11 says "Receive buffer too long")."""


@dataclass(frozen=True)
class SessionOptions:
    """What one session is built from (see `client.make_client`)."""

    policy: AddressPolicy
    ssl_context: ssl.SSLContext
    connect_timeout: float | None
    read_timeout: float | None
    #: Connections in use at once, all hosts (the limiter enforces the per-host share).
    max_connections: int
    #: Idle keep-alive connections are closed after this many seconds. aiohttp caps the
    #: connections in use, not the idle ones, so this is what bounds the open sockets:
    #: a host's next URL reuses its connection within milliseconds, and a host whose
    #: queue is done should not hold a descriptor long (a run meets thousands of hosts).
    keepalive_expiry: float = 2.0


class GuardResolver(AbstractResolver):
    """Resolves a name and refuses it if any answer is not public (see `guard`)."""

    def __init__(self, policy: AddressPolicy, timeout: float | None) -> None:
        self.policy = policy
        self.timeout = timeout

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        try:
            addresses = await resolve_checked(host, port, self.policy, self.timeout)
        except BlockedAddress as blocked:
            raise AddressRefused(str(blocked)) from blocked
        return [
            {
                "hostname": host,
                "host": str(address),
                "port": port,
                "family": socket.AF_INET6 if address.version == 6 else socket.AF_INET,
                "proto": 0,
                "flags": socket.AI_NUMERICHOST,
            }
            for address in addresses
        ]

    async def close(self) -> None:
        return None


class _BoundedHeadHandler(ResponseHandler):
    """aiohttp's protocol with a cap on the bytes of each response head.

    `set_response_params` starts every request; `feed_data` receives each parsed head.
    Bytes that arrive in between count against the budget; past it the connection is
    closed and the request fails with HeadTooLarge (memory stays bounded by the cap plus
    one socket read, whatever the server sends).
    """

    _head_budget: int | None = None
    #: The request was HEAD: its answer ends with the head, whatever follows.
    _head_only = False
    #: The last bytes of a head still being received (a blank line may span two reads).
    _head_tail = b""

    def set_response_params(self, **kwargs: Any) -> None:
        self._head_budget = MAX_HEAD_BYTES
        self._head_only = bool(kwargs.get("skip_payload"))
        self._head_tail = b""
        super().set_response_params(**kwargs)

    def feed_data(self, data: Any, size: int = 0) -> None:
        self._head_budget = None
        super().feed_data(data, size)

    def data_received(self, data: bytes) -> None:
        if self._head_only and self._head_budget is not None:
            data = self._cut_after_head(data)
        super().data_received(data)
        if self._head_budget is not None:
            self._head_budget -= len(data)
            if self._head_budget < 0:
                self._head_budget = None
                self.set_exception(HeadTooLarge(message=f"the response head is over {MAX_HEAD_BYTES} bytes"))
                if self.transport is not None:
                    self.transport.close()

    def _cut_after_head(self, data: bytes) -> bytes:
        """Bytes a server sends after the head of a HEAD answer (a body it should not send)
        are dropped with the connection, as h11 ignores them, instead of being parsed as
        a next response and failing this one."""
        seen = self._head_tail + data
        start = 0
        while True:
            ends = [index + len(mark) for mark in (b"\r\n\r\n", b"\n\n") if (index := seen.find(mark, start)) >= 0]
            if not ends:
                self._head_tail = seen[-3:] if start == 0 else seen[start:]
                return data
            end = min(ends)
            if seen[start + 9 : start + 10] != b"1":  # not an interim (1xx) head: this is the answer
                break
            start = end
        keep = len(data) - (len(seen) - end)
        if keep < len(data):
            self._should_close = True  # the rest of that body would poison the next request
            return data[:keep]
        return data


def open_session(options: SessionOptions) -> aiohttp.ClientSession:
    """A session for checking: no cookies, no decoding, no redirects, the guard in front.

    Must be called with a running event loop (aiohttp binds its pool to it).
    """
    connector = aiohttp.TCPConnector(
        limit=options.max_connections,
        limit_per_host=0,  # the engine's limiter owns per-host politeness
        ssl=options.ssl_context,
        resolver=GuardResolver(options.policy, options.connect_timeout),
        keepalive_timeout=options.keepalive_expiry,
    )
    # aiohttp has no public hook for the protocol; its factory is one attribute (aiohttp<4 is pinned).
    connector._factory = functools.partial(_BoundedHeadHandler, loop=asyncio.get_running_loop())  # type: ignore[attr-defined,assignment]
    return aiohttp.ClientSession(
        connector=connector,
        # A link checker must not carry one site's cookies to the next request (nor pay to parse them).
        cookie_jar=aiohttp.DummyCookieJar(),
        auto_decompress=False,  # body.read_body decodes, with its bomb limits
        timeout=aiohttp.ClientTimeout(total=None, connect=None, sock_connect=options.connect_timeout, sock_read=options.read_timeout),
        # Lines as long as h11 allows; the whole head is capped by _BoundedHeadHandler.
        max_line_size=MAX_HEAD_BYTES,
        max_field_size=MAX_HEAD_BYTES,
        max_headers=MAX_HEAD_BYTES // 4,
        trust_env=False,
    )


class LiteralGuard:
    """The guard for literal IP hosts, which aiohttp never hands to a resolver.

    Verdicts are kept per host: parsing an address for every request would cost more
    than the rest of the guard.
    """

    def __init__(self, policy: AddressPolicy) -> None:
        self.policy = policy
        self._verdicts: dict[str, tuple[str, str] | None] = {}

    def refusal(self, url: URL) -> BlockedAddress | None:
        host = url.raw_host or ""
        try:
            verdict = self._verdicts[host]
        except KeyError:
            if len(self._verdicts) > 4096:  # very many hosts: start over rather than grow without end
                self._verdicts.clear()
            verdict = self._verdicts[host] = self._verdict(host)
        return BlockedAddress(host, verdict[0], verdict[1]) if verdict is not None else None

    def _verdict(self, host: str) -> tuple[str, str] | None:
        try:
            address = ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
        except ValueError:
            return None  # a name: GuardResolver checks what it resolves to
        kind = self.policy.refusal(host, address)
        return (str(address), kind) if kind is not None else None


async def request(
    session: aiohttp.ClientSession,
    method: str,
    url: URL,
    headers: Mapping[str, str],
    guard: LiteralGuard,
    timeout: aiohttp.ClientTimeout | None = None,
) -> aiohttp.ClientResponse:
    """Send one request and return the response with its head read; raises httpx errors.

    `timeout` replaces the session's timeouts for this request only.
    """
    blocked = guard.refusal(url)
    if blocked is not None:
        raise httpx.ConnectError(str(blocked)) from blocked
    options: dict[str, Any] = {} if timeout is None else {"timeout": timeout}
    try:
        return await session.request(method, url, headers=headers, allow_redirects=False, **options)
    except Exception as exc:  # noqa: BLE001 - every failure is translated, none passes raw
        raise translate(exc)  # its cause is set: the error under aiohttp's wrapper


def origin(exc: BaseException) -> BaseException:
    """What to chain an httpx error to: for a connection failure, the ssl/socket/DNS error
    under aiohttp's wrapper (which itself subclasses ssl and OS errors, without their fields)."""
    if isinstance(exc, aiohttp.ClientConnectorError):
        return exc.__cause__ or exc.os_error
    return exc


def translate(exc: BaseException) -> httpx.HTTPError | httpx.InvalidURL:
    """The httpx exception that httpx's own transport raises for the same failure, with the
    ssl/socket/DNS error in its cause chain where `outcome.failure_from_exception` looks."""
    error = _httpx_error(exc)
    if error is not exc and error.__cause__ is None:
        error.__cause__ = origin(exc)
    return error


def _httpx_error(exc: BaseException) -> httpx.HTTPError | httpx.InvalidURL:
    if isinstance(exc, (httpx.HTTPError, httpx.InvalidURL)):
        return exc
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return httpx.ConnectTimeout("timed out connecting")
    if isinstance(exc, (aiohttp.ServerTimeoutError, asyncio.TimeoutError)):
        return httpx.ReadTimeout("timed out reading")
    if isinstance(exc, aiohttp.InvalidURL):
        return httpx.InvalidURL(str(exc))
    if isinstance(exc, aiohttp.NonHttpUrlClientError):
        return httpx.UnsupportedProtocol(str(exc))
    if isinstance(exc, aiohttp.ClientConnectorError):  # DNS, refused, unreachable, TLS handshake
        return httpx.ConnectError(_message(exc.__cause__ or exc.os_error))
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return httpx.RemoteProtocolError("Server disconnected without sending a response.")
    if isinstance(exc, aiohttp.ClientPayloadError):
        return _payload_error(exc)
    if isinstance(exc, aiohttp.ClientResponseError):  # a head the parser refused
        return _head_error(exc)
    if isinstance(exc, (aiohttp.ClientOSError, OSError)):
        return httpx.ReadError(_message(exc))
    if isinstance(exc, HttpProcessingError):
        return _head_error(exc)
    return httpx.RemoteProtocolError(_message(exc))


def _payload_error(exc: aiohttp.ClientPayloadError) -> httpx.HTTPError:
    """A body that broke off: after a reset a read error (as httpcore raises), else malformed.

    aiohttp keeps the connection's error only in the message ("... . ConnectionResetError(104, …)");
    the reset is put back in the cause chain so it is named like httpx's.
    """
    text = str(exc)
    if "ConnectionResetError(" in text:
        error = httpx.ReadError(_message(exc))
        error.__cause__ = ConnectionResetError(errno.ECONNRESET, "Connection reset by peer")
        return error
    if "Error(" in text.partition(". ")[2]:  # another unclean end of the connection
        return httpx.ReadError(_message(exc))
    return httpx.RemoteProtocolError(_message(exc))


def _head_error(exc: BaseException) -> httpx.HTTPError:
    """A head the parser refused: a header line too long is h11's "Receive buffer too long"
    (which `outcome.failure_from_exception` names a header flood), anything else malformed."""
    chain = _chain(exc)
    if any(isinstance(cause, (HeadTooLarge, LineTooLong)) for cause in chain):
        return httpx.RemoteProtocolError("Receive buffer too long")
    processing = next((cause for cause in reversed(chain) if isinstance(cause, HttpProcessingError)), None)
    message = processing.message if processing is not None else getattr(exc, "message", "")
    # aiohttp's messages span lines and point at the bad byte with a caret: one line, no caret.
    words = " ".join(line.strip() for line in str(message or _message(exc)).splitlines() if line.strip() not in ("", "^"))
    return httpx.RemoteProtocolError(words[:200])


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _message(exc: BaseException | None) -> str:
    if exc is None:
        return ""
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:200]
