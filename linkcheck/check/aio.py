"""The transport linkcheck builds (`AiohttpTransport`): one aiohttp session with the SSRF
guard, hard limits, timeouts and proxies, and errors translated into httpx's vocabulary.

Why aiohttp: checking is thousands of tiny requests, so the cost per request is the
cost of a run. aiohttp's C parser and per-host connection pool cost a fraction of
httpx+httpcore's per request (see bench/README.md). Every caller reaches it through the
one seam, `transport.Transport.open`.

What must hold (tests/test_check_guard.py, test_hostile_servers.py, test_check_transport.py):

- The guard: a name is resolved by `GuardResolver`, every address is checked, and
  aiohttp connects to the very addresses returned (no second lookup to rebind). A
  literal IP address never reaches a resolver in aiohttp, so `LiteralGuard` checks it
  before the request is made. A refusal carries `guard.BlockedAddress` in its cause chain.
  Through a proxy the target's name is never resolved here: the engine checks it first
  (`guard.check_host`); the proxy's own name is the one the user configured, so it is
  resolved without the guard.
- The head of a response (status line and headers) is capped at `MAX_HEAD_BYTES`, as
  h11 caps it for httpx; aiohttp alone caps only each line and the count.
- Errors: `translate` turns every aiohttp failure into the httpx exception httpx's own
  transport would have raised, with the original (ssl, socket, DNS) error in its cause
  chain, so `outcome.failure_from_exception` classifies every transport with one table.
"""

from __future__ import annotations

import asyncio
import copy
import errno
import functools
import ipaddress
import re
import socket
import ssl
import time
import urllib.request
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
import httpx
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.client_proto import ResponseHandler
from aiohttp.http_exceptions import HttpProcessingError, LineTooLong
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from linkcheck.check.guard import AddressPolicy, BlockedAddress, lookup, resolve_checked
from linkcheck.check.transport import Answer, Opening, Transport

#: The most bytes a response's status line and headers may take (h11's cap under httpx).
MAX_HEAD_BYTES = 100 * 1024
#: The encodings `body.read_body` decodes; asking for others would bring bodies we cannot read.
ACCEPT_ENCODING = "gzip, deflate"


#: How long a name that did not resolve stays unresolved for this run. Its other URLs get
#: the same answer without asking: a dead domain cited 500 times costs one query, and a run
#: whose resolver is gone ends in seconds, not one resolver timeout per URL. Short next to
#: how long resolvers keep a "no such name" themselves (the zone's SOA minimum, RFC 2308).
FAILED_LOOKUP_SECONDS = 30.0


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
    user_agent: str = ""
    #: Where requests go: `Proxies.none()`, one proxy for all, or the environment's.
    proxies: Proxies | None = None
    #: Idle keep-alive connections are closed after this many seconds. aiohttp caps the
    #: connections in use, not the idle ones, so this is what bounds the open sockets:
    #: a host's next URL reuses its connection within milliseconds, and a host whose
    #: queue is done should not hold a descriptor long (a run meets thousands of hosts).
    keepalive_expiry: float = 2.0


class GuardResolver(AbstractResolver):
    """Resolves a name and refuses it if any answer is not public (see `guard`).

    `trusted`: the names of the proxies the user configured, resolved without the guard
    (a proxy is usually on the local network, and it is not a citation).
    """

    def __init__(
        self,
        policy: AddressPolicy,
        timeout: float | None,
        trusted: frozenset[str] = frozenset(),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.policy = policy
        self.timeout = timeout
        self.trusted = trusted
        self._clock = clock
        #: Names whose lookup failed: until when the failure stands, and the error.
        self._failed: dict[str, tuple[float, OSError]] = {}

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        """aiohttp shares one lookup among the requests waiting on a name and keeps what it
        answers; a failure it asks again for every next URL. That answer is kept here, for
        FAILED_LOOKUP_SECONDS."""
        name = host.lower()
        failed = self._failed.get(name)
        if failed is not None:
            until, error = failed
            if self._clock() < until:
                raise copy.copy(error)  # a fresh exception: the kept one's traceback must not grow
            del self._failed[name]
        try:
            if name in self.trusted:
                addresses = await lookup(host, port, self.timeout)
            else:
                addresses = await resolve_checked(host, port, self.policy, self.timeout)
        except BlockedAddress as blocked:
            raise AddressRefused(str(blocked)) from blocked
        except (socket.gaierror, TimeoutError) as error:
            self._failed[name] = (self._clock() + FAILED_LOOKUP_SECONDS, error)
            raise
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
        resolver=GuardResolver(options.policy, options.connect_timeout, (options.proxies or Proxies.none()).hosts),
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


@dataclass(frozen=True)
class Proxies:
    """Which proxy each request goes through: `network.proxy` for all, else HTTPS_PROXY /
    HTTP_PROXY / ALL_PROXY with NO_PROXY honoured, else none."""

    #: scheme ("http", "https", "all") -> proxy URL; empty for direct connections.
    by_scheme: Mapping[str, str]
    #: Honour NO_PROXY (the environment's proxies only).
    from_environment: bool = False

    @classmethod
    def none(cls) -> Proxies:
        return cls({})

    @classmethod
    def configured(cls, proxy: str) -> Proxies:
        return cls({"all": _with_scheme(proxy)}) if proxy else cls.environment()

    @classmethod
    def environment(cls) -> Proxies:
        found = urllib.request.getproxies_environment().items()
        return cls({scheme: _with_scheme(url) for scheme, url in found if scheme in ("http", "https", "all") and url}, from_environment=True)

    @property
    def hosts(self) -> frozenset[str]:
        return frozenset((URL(url).host or "").lower() for url in self.by_scheme.values())

    def unsupported(self) -> str | None:
        """The first proxy this transport cannot use (aiohttp speaks to HTTP(S) proxies only)."""
        return next((url for url in self.by_scheme.values() if URL(url).scheme not in ("http", "https")), None)

    def for_url(self, url: URL) -> tuple[URL, aiohttp.BasicAuth | None] | None:
        """The proxy for `url` and its credentials, or None to connect directly."""
        proxy = self.by_scheme.get(url.scheme) or self.by_scheme.get("all")
        if not proxy:
            return None
        if self.from_environment and urllib.request.proxy_bypass_environment(url.raw_host or ""):
            return None
        address = URL(proxy)
        return address.with_user(None), aiohttp.BasicAuth.from_url(address)


def _with_scheme(proxy: str) -> str:
    """`host:port` as curl reads it: an http:// proxy."""
    return proxy if "://" in proxy else f"http://{proxy}"


class AiohttpTransport(Transport):
    """linkcheck's transport: one lazily opened aiohttp session for the run."""

    def __init__(self, options: SessionOptions) -> None:
        self.options = options
        self.proxies = options.proxies or Proxies.none()
        self.guard = LiteralGuard(options.policy)
        self._session: aiohttp.ClientSession | None = None
        self.base_headers = CIMultiDictProxy(
            CIMultiDict({"User-Agent": options.user_agent, "Accept": "*/*", "Accept-Encoding": ACCEPT_ENCODING})
        )

    @property
    def session(self) -> aiohttp.ClientSession:
        """The session, opened on first use (aiohttp needs the running loop)."""
        if self._session is None:
            self._session = open_session(self.options)
        return self._session

    def open(self, method: str, url: str, headers: Mapping[str, str] | None = None) -> Opening:
        return _AiohttpOpening(self, method, url, self._headers(headers))

    def _headers(self, extra: Mapping[str, str] | None) -> Mapping[str, str]:
        if not extra:
            return self.base_headers
        merged = CIMultiDict(self.base_headers)
        merged.update(extra)  # case-insensitive: a configured User-Agent replaces ours
        return merged

    async def request(self, method: str, url: str, headers: Mapping[str, str]) -> tuple[aiohttp.ClientResponse, URL]:
        """The response with its head read; raises httpx errors."""
        target = request_url(url)
        blocked = self.guard.refusal(target)
        if blocked is not None:
            raise httpx.ConnectError(str(blocked)) from blocked
        options: dict[str, Any] = {}
        proxy = self.proxies.for_url(target)
        if proxy is not None:
            options["proxy"], options["proxy_auth"] = proxy
        try:
            response = await self.session.request(method, target, headers=headers, allow_redirects=False, **options)
        except Exception as exc:  # noqa: BLE001 - every failure is translated, none passes raw
            raise translate(exc)  # its cause is set: the error under aiohttp's wrapper
        return response, target

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


class _AiohttpOpening(Opening):
    __slots__ = ("transport", "method", "url", "headers", "response")

    def __init__(self, transport: AiohttpTransport, method: str, url: str, headers: Mapping[str, str]) -> None:
        self.transport, self.method, self.url, self.headers = transport, method, url, headers
        self.response: aiohttp.ClientResponse | None = None

    async def __aenter__(self) -> Answer:
        self.response, target = await self.transport.request(self.method, self.url, self.headers)
        return _AiohttpAnswer(self.response, target)

    async def __aexit__(self, *exc_info: object) -> None:
        if self.response is not None:
            # Back to the pool when the body was read to its end (HEAD, small pages); dropped otherwise.
            self.response.release()


class _AiohttpAnswer(Answer):
    __slots__ = ("response", "url", "status", "reason", "headers")

    def __init__(self, response: aiohttp.ClientResponse, url: URL) -> None:
        self.response = response
        self.url = url
        self.status = response.status
        self.reason = response.reason or ""
        self.headers = response.headers

    @property
    def header_count(self) -> int:
        return len(self.response.raw_headers)

    @property
    def http_version(self) -> str:
        version = self.response.version
        return f"HTTP/{version.major}.{version.minor}" if version is not None else "HTTP/1.1"

    def raw_headers(self) -> list[tuple[str, str]]:
        return [(k.decode("latin-1"), v.decode("latin-1")) for k, v in self.response.raw_headers]

    def request_headers(self) -> list[tuple[str, str]]:
        return [(str(k), str(v)) for k, v in self.response.request_info.headers.items()]

    @property
    def target(self) -> str:
        return self.url.raw_path_qs

    @property
    def peer(self) -> str | None:
        # A body that arrived with the head has already given the connection back to the pool,
        # so `response.connection` is None by now; the protocol it ran on is still at hand
        # (aiohttp has no public name for it; aiohttp<4 is pinned).
        protocol = getattr(self.response, "_protocol", None)
        transport = protocol.transport if protocol is not None else None
        address = transport.get_extra_info("peername") if transport is not None else None
        return str(address[0]) if isinstance(address, tuple) and address else None

    async def chunks(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self.response.content.iter_any():
                yield chunk
        except Exception as exc:  # noqa: BLE001 - translated like every other failure
            raise translate(exc)  # its cause is set by translate


#: URLs that httpx sends exactly as written: http(s), a lower-case ASCII name or IPv4
#: address, and a path and query of characters that need no quoting (no %, no dot segments).
_PLAIN_URL = re.compile(r"https?://[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::([0-9]{1,5}))?(?:[/?][A-Za-z0-9\-_~:/?@!$&'()*+,;=.]*)?")


def request_url(url: str) -> URL:
    """The URL to send, exactly as httpx would send it (refused as httpx refuses it:
    httpx.InvalidURL).

    Normalized citations take the first branch; anything else goes through httpx's parser
    so that it is quoted, IDNA-encoded and refused on the same terms as for a handed-in
    httpx client.
    """
    plain = _PLAIN_URL.fullmatch(url)
    if plain is not None and "/." not in url and (plain.group(1) is None or int(plain.group(1)) <= 65535):
        return URL(url, encoded=True)
    try:
        return URL(str(httpx.URL(url)), encoded=True)
    except ValueError as exc:  # yarl refusing what httpx let through
        raise httpx.InvalidURL(str(exc)) from exc


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
    # The proxy itself, not the cited site: said so, so that no citation is blamed for it.
    if isinstance(exc, aiohttp.ClientProxyConnectionError):
        return httpx.ProxyError(f"cannot connect to the proxy {exc.host}:{exc.port}: {_message(exc.__cause__ or exc.os_error)}")
    if isinstance(exc, aiohttp.ClientHttpProxyError):
        return httpx.ProxyError(f"the proxy answered {exc.status} {exc.message}".rstrip())
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
