"""A web farm of real HTTP(S) servers on loopback, for integration tests.

Every server is a real TCP listener on a loopback address (127.0.0.1, 127.0.0.2, ...;
Linux routes all of 127.0.0.0/8 to ``lo`` with no configuration). A tiny HTTP/1.1
server written on asyncio streams answers requests according to *behaviours*. All
servers of a farm share ONE background thread running its own event loop. Nothing
here ever talks to anything but loopback, and everything is bounded in time: the
farm shuts itself down after ``lifetime`` seconds even if nobody calls ``stop()``.

API
---
``Farm(*, lifetime: float = 120.0, stop_timeout: float = 5.0)``
    Context manager (``with Farm() as farm:``) or ``start()`` / ``stop()``.
    ``farm.host(ip: str = "127.0.0.1", tls: None | "trusted" | "untrusted" = None,
    port: int = 0) -> Host`` starts a new server on a free port (or ``port``).
    ``farm.ca_pem -> str``: path of a PEM bundle with the test CA that signs "trusted"
    hosts (use as httpx ``verify=`` or ``SSL_CERT_FILE``). "untrusted" hosts present a
    certificate from another CA, whose bundle is ``farm.untrusted_ca_pem``. Leaf
    certificates name the host's IP, 127.0.0.1 and ``localhost``.
    ``farm.client_ssl_context() -> ssl.SSLContext`` trusts exactly ``ca_pem``: pass it
    as httpx ``verify=`` (httpx 0.28 deprecates ``verify=<path>``).
    ``farm.hosts -> list[Host]``; ``farm.errors -> list[BaseException]``: unexpected
    exceptions raised while serving (e.g. by a dynamic behaviour); should stay empty.
    ``stop()`` closes every server, cancels every handler (hang/trickle included),
    aborts every connection and joins the thread within ``stop_timeout``; idempotent.
    ``farm.settle()``: one round trip through the farm's loop (see ``in_flight``).

``Host``
    ``ip``, ``port``, ``scheme``, ``origin`` ("http://127.0.0.1:PORT"),
    ``url(path: str = "/") -> str``.
    ``route(path: str, behaviour) -> Host`` (chainable). A request matches the exact
    request-target first (path + query), then the path without its query.
    ``default(behaviour) -> Host``: answers every unrouted path (initially a 404).
    ``requests -> list[RequestRecord]`` (a snapshot copy, in arrival order),
    ``count(path: str | None = None, method: str | None = None) -> int``
    (``path`` matches the target with or without its query),
    ``in_flight`` / ``max_in_flight``: requests being handled at once across all
    connections of this host (``farm.max_total_in_flight``: across every host); a request is in flight from the moment its headers are
    read until its response is fully handed to the kernel or its connection dies.
    Reading either first calls ``farm.settle()`` (one round trip through the loop), so
    a value read after the client got its last byte is exact.
    ``reset_stats()`` forgets requests and the peak.
    ``close()``: stop listening and drop connections (later connects are refused).

``RequestRecord`` (frozen dataclass): ``method``, ``path`` (the raw request-target,
with query), ``headers`` (dict, lower-case names, repeated headers joined by ", "),
``time_received`` (``time.monotonic()`` when the headers were read),
``connection_id`` (unique per TCP connection within the farm), ``body``, ``version``,
``raw_headers`` (list of (name, value) as received). ``record.header(name, default)``.

Behaviours (factory functions returning ``Behaviour`` objects)
--------------------------------------------------------------
``respond(status=200, body=b"", headers=None, *, delay=0.0, chunked=False)``
    ``body`` may be ``str`` (UTF-8). Content-Length is added (unless chunked); a
    non-empty body gets ``Content-Type: text/html; charset=utf-8`` unless ``headers``
    says otherwise. ``headers`` is a mapping or a list of pairs (for repeats).
    ``delay`` sleeps before answering. HEAD gets the same headers and no body.
``redirect(status, location, headers=None)``: ``location`` relative or absolute.
``sequence(*behaviours)``: n-th request to it gets the n-th one; the last repeats.
    The counter lives in the object: routing one sequence on two paths shares it.
``by_method(*, default=None, **per_method)``: ``by_method(head=..., get=...)``; methods
    not named get ``default`` (``None``: 405 with ``Allow: GET``).
``by_agent(browser=None, other=None)``: ``browser`` (default 200 "ok") when the
    User-Agent contains "Mozilla/", else ``other`` (default 403 "Forbidden").
``reset()``: read the request, then abort the connection with a TCP RST (SO_LINGER 0).
``hang()``: never answer (until the farm or host stops).
``trickle(body, bytes_per_second, status=200, headers=None)``: normal headers with
    Content-Length, then the body a few bytes at a time at the given rate.
``close_without_response()``: read the request, then close cleanly (FIN), no bytes.
``raw(data: bytes)``: write exactly these bytes, then close.
Any callable ``(RequestRecord) -> behaviour`` is resolved per request. Subclass
``Behaviour`` and implement ``async serve(ex: Exchange) -> bool`` for anything else.

How httpx 0.28 reports them: ``reset()`` -> ``httpx.ReadError`` ("Connection reset by
peer") over plain HTTP, but ``httpx.RemoteProtocolError`` ("Server disconnected without
sending a response") over TLS, because OpenSSL reports the RST as an EOF;
``close_without_response()`` -> ``RemoteProtocolError`` (same message); ``hang()`` ->
``ReadTimeout``; ``raw(b"garbage")`` -> ``RemoteProtocolError`` ("illegal status line");
an "untrusted" host -> ``ConnectError`` ("CERTIFICATE_VERIFY_FAILED"); a closed host ->
``ConnectError`` ("Connection refused").

Example::

    with Farm() as farm:
        h = farm.host()
        h.route("/", respond(200, "<a href='/x'>x</a>")).route("/x", redirect(301, "/y"))
        httpx.get(h.url("/x"))            # 301 Location: /y
"""

from __future__ import annotations

import asyncio
import datetime
import contextlib
import itertools
import shutil
import socket
import ssl
import struct
import tempfile
import threading
import time
from collections.abc import Callable, Coroutine, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Literal, TypeAlias

import trustme

__all__ = [
    "Behaviour",
    "BehaviourLike",
    "Exchange",
    "Farm",
    "Host",
    "RequestRecord",
    "Tls",
    "by_agent",
    "by_method",
    "close_without_response",
    "hang",
    "raw",
    "redirect",
    "reset",
    "respond",
    "sequence",
    "trickle",
]

Tls: TypeAlias = Literal["trusted", "untrusted", "expired", "self-signed"] | None
HeadersLike: TypeAlias = Mapping[str, str] | Iterable[tuple[str, str]] | None

IDLE_TIMEOUT = 30.0  # an idle keep-alive connection is dropped after this many seconds
MAX_HEAD = 64 * 1024  # request line + headers


# --------------------------------------------------------------------------- requests


@dataclass(frozen=True)
class RequestRecord:
    """One request as the server saw it."""

    method: str
    path: str
    headers: dict[str, str]
    time_received: float
    connection_id: int
    body: bytes = b""
    version: str = "HTTP/1.1"
    raw_headers: list[tuple[str, str]] = field(default_factory=list)

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)

    @property
    def path_only(self) -> str:
        """The request-target without its query string."""
        return self.path.split("?", 1)[0]


class Exchange:
    """What a behaviour gets: the request and the connection to answer on."""

    def __init__(self, request: RequestRecord, writer: asyncio.StreamWriter) -> None:
        self.request = request
        self.writer = writer
        # HTTP/1.1 persists unless told otherwise; HTTP/1.0 only when asked to.
        conn = request.header("connection", "")
        tokens = {t.strip().lower() for t in (conn or "").split(",")}
        if request.version == "HTTP/1.0":
            self.keep_alive = "keep-alive" in tokens
        else:
            self.keep_alive = "close" not in tokens

    async def write(self, data: bytes) -> None:
        """Write bytes and wait until the transport has handed them to the kernel."""
        self.writer.write(data)
        await self.writer.drain()

    async def send_head(self, status: int, headers: list[tuple[str, str]]) -> bool:
        """Send a status line and headers; returns whether the connection may persist."""
        names = {k.lower() for k, _ in headers}
        keep = self.keep_alive
        if any(k.lower() == "connection" and "close" in v.lower() for k, v in headers):
            keep = False
        out = list(headers)
        if "connection" not in names:
            out.append(("Connection", "keep-alive" if keep else "close"))
        if "server" not in names:
            out.append(("Server", "linkcheck-test-farm"))
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = "Unknown"
        lines = [f"HTTP/1.1 {status} {reason}"] + [f"{k}: {v}" for k, v in out]
        await self.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        return keep

    async def send(
        self, status: int, headers: list[tuple[str, str]], body: bytes, *, chunked: bool = False
    ) -> bool:
        """Send a whole response (no body for HEAD); returns whether it may persist."""
        headers = list(headers)
        names = {k.lower() for k, _ in headers}
        if chunked:
            if "transfer-encoding" not in names:
                headers.append(("Transfer-Encoding", "chunked"))
        elif "content-length" not in names and status >= 200 and status not in (204, 304):
            headers.append(("Content-Length", str(len(body))))
        keep = await self.send_head(status, headers)
        if self.request.method == "HEAD" or status in (204, 304) or status < 200:
            return keep
        if chunked:
            half = max(1, len(body) // 2)
            parts = [body[:half], body[half:]] if body else []
            data = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts if p) + b"0\r\n\r\n"
            await self.write(data)
        elif body:
            await self.write(body)
        return keep

    def abort_with_rst(self) -> None:
        sock = self.writer.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.writer.transport.abort()


# ------------------------------------------------------------------------- behaviours


class Behaviour:
    """Base class: ``serve`` answers one request and says whether to keep the connection."""

    async def serve(self, ex: Exchange) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError


BehaviourLike: TypeAlias = Behaviour | Callable[[RequestRecord], "BehaviourLike"]


def _headers(h: HeadersLike) -> list[tuple[str, str]]:
    if h is None:
        return []
    if isinstance(h, Mapping):
        return [(str(k), str(v)) for k, v in h.items()]
    return [(str(k), str(v)) for k, v in h]


def _resolve(b: BehaviourLike, request: RequestRecord) -> Behaviour:
    for _ in range(16):
        if isinstance(b, Behaviour):
            return b
        b = b(request)
    raise TypeError("dynamic behaviour did not resolve to a Behaviour")


@dataclass
class Respond(Behaviour):
    status: int = 200
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    delay: float = 0.0
    chunked: bool = False

    async def serve(self, ex: Exchange) -> bool:
        if self.delay > 0:
            await asyncio.sleep(self.delay)
        headers = list(self.headers)
        if self.body and not any(k.lower() == "content-type" for k, _ in headers):
            headers.append(("Content-Type", "text/html; charset=utf-8"))
        return await ex.send(self.status, headers, self.body, chunked=self.chunked)


def respond(
    status: int = 200,
    body: bytes | str = b"",
    headers: HeadersLike = None,
    *,
    delay: float = 0.0,
    chunked: bool = False,
) -> Respond:
    data = body.encode("utf-8") if isinstance(body, str) else bytes(body)
    return Respond(status, data, _headers(headers), delay, chunked)


def redirect(status: int, location: str, headers: HeadersLike = None) -> Respond:
    return Respond(status, b"", [("Location", location), *_headers(headers)])


@dataclass
class InSequence(Behaviour):
    steps: tuple[BehaviourLike, ...]
    served: int = 0

    async def serve(self, ex: Exchange) -> bool:
        step = self.steps[min(self.served, len(self.steps) - 1)]
        self.served += 1
        return await _resolve(step, ex.request).serve(ex)


def sequence(*behaviours: BehaviourLike) -> InSequence:
    if not behaviours:
        raise ValueError("sequence() needs at least one behaviour")
    return InSequence(tuple(behaviours))


@dataclass
class ByMethod(Behaviour):
    per_method: dict[str, BehaviourLike]
    fallback: BehaviourLike

    async def serve(self, ex: Exchange) -> bool:
        b = self.per_method.get(ex.request.method.upper(), self.fallback)
        return await _resolve(b, ex.request).serve(ex)


def by_method(*, default: BehaviourLike | None = None, **per_method: BehaviourLike) -> ByMethod:
    """``by_method(head=respond(405), get=respond(200))``; other methods get ``default``."""
    fallback = default if default is not None else respond(405, headers={"Allow": "GET"})
    return ByMethod({k.upper(): v for k, v in per_method.items()}, fallback)


@dataclass
class ByAgent(Behaviour):
    browser: BehaviourLike
    other: BehaviourLike

    async def serve(self, ex: Exchange) -> bool:
        ua = ex.request.header("user-agent", "") or ""
        b = self.browser if "Mozilla/" in ua else self.other
        return await _resolve(b, ex.request).serve(ex)


def by_agent(
    browser: BehaviourLike | None = None, other: BehaviourLike | None = None
) -> ByAgent:
    """``browser`` (default 200) for a "Mozilla/" User-Agent, ``other`` (default 403) else."""
    return ByAgent(
        respond(200, "ok") if browser is None else browser,
        respond(403, "Forbidden") if other is None else other,
    )


class Reset(Behaviour):
    async def serve(self, ex: Exchange) -> bool:
        ex.abort_with_rst()
        return False


def reset() -> Reset:
    return Reset()


class Hang(Behaviour):
    async def serve(self, ex: Exchange) -> bool:
        await asyncio.Event().wait()  # cancelled when the farm stops
        return False


def hang() -> Hang:
    return Hang()


@dataclass
class Trickle(Behaviour):
    body: bytes
    bytes_per_second: float
    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)

    async def serve(self, ex: Exchange) -> bool:
        headers = [*self.headers, ("Content-Length", str(len(self.body)))]
        if not any(k.lower() == "content-type" for k, _ in self.headers):
            headers.append(("Content-Type", "text/html; charset=utf-8"))
        keep = await ex.send_head(self.status, headers)
        if ex.request.method == "HEAD":
            return keep
        size = max(1, int(self.bytes_per_second * 0.05))  # about 20 writes a second
        for i in range(0, len(self.body), size):
            chunk = self.body[i : i + size]
            await asyncio.sleep(len(chunk) / self.bytes_per_second)
            await ex.write(chunk)
        return keep


def trickle(
    body: bytes | str, bytes_per_second: float, status: int = 200, headers: HeadersLike = None
) -> Trickle:
    if bytes_per_second <= 0:
        raise ValueError("bytes_per_second must be positive")
    data = body.encode("utf-8") if isinstance(body, str) else bytes(body)
    return Trickle(data, float(bytes_per_second), status, _headers(headers))


class CloseWithoutResponse(Behaviour):
    async def serve(self, ex: Exchange) -> bool:
        ex.writer.close()
        return False


def close_without_response() -> CloseWithoutResponse:
    return CloseWithoutResponse()


@dataclass
class Raw(Behaviour):
    data: bytes

    async def serve(self, ex: Exchange) -> bool:
        await ex.write(self.data)
        ex.writer.close()
        return False


def raw(data: bytes) -> Raw:
    return Raw(bytes(data))


# ---------------------------------------------------------------------------- servers


class _BadRequest(Exception):
    pass


def _parse_head(head: bytes, conn_id: int, now: float) -> RequestRecord:
    lines = head.decode("latin-1").split("\r\n")
    while lines and not lines[0]:
        lines.pop(0)  # tolerate stray CRLFs between requests
    if not lines:
        raise _BadRequest("empty request")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise _BadRequest(f"bad request line {lines[0]!r}")
    method, target, version = parts
    raw_headers: list[tuple[str, str]] = []
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if not line:
            continue
        name, sep, value = line.partition(":")
        if not sep or not name or name != name.strip():
            raise _BadRequest(f"bad header line {line!r}")
        value = value.strip()
        raw_headers.append((name, value))
        key = name.lower()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    return RequestRecord(method, target, headers, now, conn_id, b"", version, raw_headers)


class Host:
    """One HTTP(S) server of the farm. Create with ``Farm.host()``."""

    def __init__(self, farm: Farm, ip: str, tls: Tls) -> None:
        self._farm = farm
        self.ip = ip
        self.tls: Tls = tls
        self.port = 0
        self.scheme = "https" if tls else "http"
        self._routes: dict[str, BehaviourLike] = {}
        self._default: BehaviourLike = respond(404, "Not Found")
        self._lock = threading.Lock()
        self._requests: list[RequestRecord] = []
        self._in_flight = 0
        self._max_in_flight = 0
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._transports: set[asyncio.BaseTransport] = set()

    def __repr__(self) -> str:
        return f"<Host {self.origin}>"

    # -- configuration (test thread) --
    @property
    def origin(self) -> str:
        return f"{self.scheme}://{self.ip}:{self.port}"

    def url(self, path: str = "/") -> str:
        if not path.startswith("/"):
            path = "/" + path
        return self.origin + path

    def route(self, path: str, behaviour: BehaviourLike) -> Host:
        with self._lock:
            self._routes[path] = behaviour
        return self

    def default(self, behaviour: BehaviourLike) -> Host:
        with self._lock:
            self._default = behaviour
        return self

    # -- observation (any thread) --
    @property
    def requests(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._requests)

    def count(self, path: str | None = None, method: str | None = None) -> int:
        return sum(
            1
            for r in self.requests
            if (path is None or path in (r.path, r.path_only))
            and (method is None or r.method.upper() == method.upper())
        )

    @property
    def in_flight(self) -> int:
        self._farm.settle()
        with self._lock:
            return self._in_flight

    @property
    def max_in_flight(self) -> int:
        self._farm.settle()
        with self._lock:
            return self._max_in_flight

    def reset_stats(self) -> None:
        with self._lock:
            self._requests.clear()
            self._max_in_flight = self._in_flight

    def close(self) -> None:
        """Stop listening and drop every connection; later connects are refused."""
        self._farm._call(self._aclose())

    # -- serving (loop thread) --
    async def _start(self, ssl_ctx: ssl.SSLContext | None, port: int) -> None:
        self._server = await asyncio.start_server(
            self._handle,
            self.ip,
            port,
            ssl=ssl_ctx,
            limit=MAX_HEAD,
            reuse_address=True,
            ssl_handshake_timeout=5.0 if ssl_ctx else None,
            ssl_shutdown_timeout=1.0 if ssl_ctx else None,
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def _aclose(self) -> None:
        if self._server is not None:
            self._server.close()
        for t in list(self._transports):
            t.abort()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=2.0)

    def _route_for(self, req: RequestRecord) -> BehaviourLike:
        with self._lock:
            if req.path in self._routes:
                return self._routes[req.path]
            return self._routes.get(req.path_only, self._default)

    @contextlib.contextmanager
    def _counting(self) -> Iterator[None]:
        with self._lock:
            self._in_flight += 1
            self._max_in_flight = max(self._max_in_flight, self._in_flight)
        self._farm._count_in(+1)
        try:
            yield
        finally:
            with self._lock:
                self._in_flight -= 1
            self._farm._count_in(-1)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self._transports.add(writer.transport)
        # With no buffering allowed, drain() returns only once the kernel has the bytes,
        # so "response fully written" is exact for the in-flight counter. (3.11's TLS
        # transport pauses for good when high=0, because it pauses on size >= high.)
        if writer.get_extra_info("sslcontext") is None:
            writer.transport.set_write_buffer_limits(high=0)
        else:
            writer.transport.set_write_buffer_limits(high=1, low=0)
        conn_id = next(self._farm._connection_ids)
        graceful = True
        try:
            while await self._serve_one(reader, writer, conn_id):
                pass
        except asyncio.CancelledError:
            graceful = False
            raise
        except (OSError, asyncio.IncompleteReadError):
            pass  # the client went away (OSError covers ConnectionError and ssl.SSLError)
        except Exception as exc:  # a bug in a behaviour or in the farm
            self._farm.errors.append(exc)
        finally:
            try:
                if graceful:  # FIN (after close_notify for TLS), bounded in time
                    if not writer.transport.is_closing():
                        writer.close()
                    with contextlib.suppress(Exception):
                        await asyncio.wait_for(writer.wait_closed(), 1.0)
            finally:
                writer.transport.abort()
                self._transports.discard(writer.transport)
                self._tasks.discard(task)

    async def _serve_one(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, conn_id: int
    ) -> bool:
        """Read and answer one request; returns whether to wait for another."""
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), IDLE_TIMEOUT)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
            return False
        with self._counting():
            try:
                req = _parse_head(head, conn_id, time.monotonic())
                if "transfer-encoding" in req.headers:
                    raise _BadRequest("chunked request bodies are not supported")
                length = int(req.headers.get("content-length", "0") or "0")
            except (_BadRequest, ValueError):
                writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n")
                writer.write(b"Connection: close\r\n\r\n")
                await writer.drain()
                return False
            if length:
                req = _with_body(req, await reader.readexactly(length))
            with self._lock:
                self._requests.append(req)
            ex = Exchange(req, writer)
            return await _resolve(self._route_for(req), req).serve(ex)


def _with_body(req: RequestRecord, body: bytes) -> RequestRecord:
    return RequestRecord(
        req.method, req.path, req.headers, req.time_received, req.connection_id,
        body, req.version, req.raw_headers,
    )  # fmt: skip


# ------------------------------------------------------------------------------- farm


class Farm:
    """A set of loopback HTTP(S) servers served from one background event-loop thread."""

    def __init__(self, *, lifetime: float = 120.0, stop_timeout: float = 5.0) -> None:
        self.lifetime = lifetime
        self.stop_timeout = stop_timeout
        self.hosts: list[Host] = []
        self.errors: list[BaseException] = []
        self._connection_ids = itertools.count(1)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._tmpdir: str | None = None
        self._cas: dict[str, trustme.CA] = {}
        self._stopped = False
        self._total_lock = threading.Lock()
        self._total_in_flight = 0
        self._max_total_in_flight = 0

    def _count_in(self, delta: int) -> None:
        with self._total_lock:
            self._total_in_flight += delta
            self._max_total_in_flight = max(self._max_total_in_flight, self._total_in_flight)

    @property
    def max_total_in_flight(self) -> int:
        """The most requests ever handled at once across every host of the farm (what a
        global `--max-concurrency` bounds)."""
        self.settle()
        with self._total_lock:
            return self._max_total_in_flight

    # -- lifecycle --
    def __enter__(self) -> Farm:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> Farm:
        if self._thread is not None:
            raise RuntimeError("farm already started")
        loop = asyncio.new_event_loop()
        loop.set_exception_handler(self._on_loop_error)
        ready = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(loop)
            loop.call_soon(ready.set)
            # Bounded even if the test never calls stop().
            loop.call_later(self.lifetime, lambda: loop.create_task(self._shutdown()))
            try:
                loop.run_forever()
            finally:
                loop.close()

        self._loop = loop
        self._thread = threading.Thread(target=run, name="test-farm", daemon=True)
        self._thread.start()
        if not ready.wait(self.stop_timeout):
            raise RuntimeError("farm event loop did not start")
        return self

    def stop(self) -> None:
        if self._stopped or self._loop is None or self._thread is None:
            self._stopped = True
            return
        self._stopped = True
        loop = self._loop
        if self._thread.is_alive():
            with contextlib.suppress(RuntimeError):  # loop already closed by lifetime
                asyncio.run_coroutine_threadsafe(self._shutdown(), loop)
            self._thread.join(self.stop_timeout)
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
        if self._thread.is_alive():
            raise RuntimeError(f"farm thread did not stop within {self.stop_timeout}s")

    async def _shutdown(self) -> None:
        try:
            await asyncio.wait_for(
                asyncio.gather(*(h._aclose() for h in self.hosts), return_exceptions=True),
                timeout=max(0.1, self.stop_timeout - 1.0),
            )
        finally:
            asyncio.get_running_loop().stop()

    def _on_loop_error(self, loop: asyncio.AbstractEventLoop, context: dict[str, object]) -> None:
        exc = context.get("exception")
        if isinstance(exc, (ConnectionError, ssl.SSLError, asyncio.CancelledError)):
            return  # clients dropping connections or TLS handshakes failing is expected
        self.errors.append(exc if isinstance(exc, BaseException) else RuntimeError(context))

    def settle(self) -> None:
        """Let the loop finish what it was doing (e.g. wake a handler whose response the
        client already has) before the caller reads counters. No-op on the loop thread
        or once stopped; ``in_flight`` and ``max_in_flight`` call it themselves."""
        loop = self._loop
        if loop is None or self._stopped or not loop.is_running():
            return
        if self._thread is threading.current_thread():
            return

        async def ticks() -> None:
            for _ in range(3):
                await asyncio.sleep(0)

        with contextlib.suppress(RuntimeError, TimeoutError):
            self._call(ticks(), timeout=1.0)

    def _call(self, coro: Coroutine[Any, Any, None], timeout: float = 5.0) -> None:
        if self._loop is None or self._stopped:
            coro.close()
            raise RuntimeError("farm is not running")
        asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    # -- hosts --
    def host(self, ip: str = "127.0.0.1", tls: Tls = None, port: int = 0) -> Host:
        """Start a new server on ``ip`` (a free port unless ``port`` is given)."""
        if not ip.startswith("127."):
            raise ValueError("the farm serves on loopback (127.0.0.0/8) only")
        if tls not in (None, "trusted", "untrusted", "expired", "self-signed"):
            raise ValueError(f"tls must be None, 'trusted', 'untrusted', 'expired' or 'self-signed', not {tls!r}")
        ssl_ctx = self._server_context(ip, tls) if tls else None
        h = Host(self, ip, tls)
        self._call(h._start(ssl_ctx, port))
        self.hosts.append(h)
        return h

    # -- TLS --
    def _ca(self, which: str) -> trustme.CA:
        if which not in self._cas:
            self._cas[which] = trustme.CA(organization_name=f"linkcheck test farm {which}")
        return self._cas[which]

    def _pem(self, which: str) -> str:
        if self._tmpdir is None:
            self._tmpdir = tempfile.mkdtemp(prefix="linkcheck-farm-")
        path = f"{self._tmpdir}/{which}-ca.pem"
        self._ca(which).cert_pem.write_to_path(path)
        return path

    @property
    def ca_pem(self) -> str:
        """PEM bundle with the CA that signs "trusted" hosts."""
        return self._pem("trusted")

    @property
    def untrusted_ca_pem(self) -> str:
        """PEM bundle with the CA that signs "untrusted" hosts (not in ``ca_pem``)."""
        return self._pem("untrusted")

    def client_ssl_context(self) -> ssl.SSLContext:
        """A client context trusting only ``ca_pem`` (httpx 0.28 deprecates ``verify=<str>``)."""
        return ssl.create_default_context(cafile=self.ca_pem)

    def _server_context(self, ip: str, tls: str) -> ssl.SSLContext:
        """"expired": signed by the trusted CA, validity ended yesterday; "self-signed": a
        certificate that is its own issuer (trustme's CA certificate, served as the leaf)."""
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        names = dict.fromkeys([ip, "127.0.0.1", "localhost"])
        if tls == "expired":
            now = datetime.datetime.now(datetime.timezone.utc)
            leaf = self._ca("trusted").issue_cert(
                *names, not_before=now - datetime.timedelta(days=30), not_after=now - datetime.timedelta(days=1)
            )
            leaf.configure_cert(ctx)
        elif tls == "self-signed":
            self._ca("self-signed").configure_trust(ctx)  # harmless; the point is the served cert below
            ca = self._ca("self-signed")
            ca.cert_pem.write_to_path(f"{self._tmp()}/self-signed.pem")
            ca.private_key_pem.write_to_path(f"{self._tmp()}/self-signed.key")
            ctx.load_cert_chain(f"{self._tmp()}/self-signed.pem", f"{self._tmp()}/self-signed.key")
        else:
            self._ca(tls).issue_cert(*names).configure_cert(ctx)
        return ctx

    def _tmp(self) -> str:
        if self._tmpdir is None:
            self._tmpdir = tempfile.mkdtemp(prefix="linkcheck-farm-")
        return self._tmpdir
