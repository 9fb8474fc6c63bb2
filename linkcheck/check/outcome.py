"""What one request attempt produced: a response status or a named failure, never a raw exception.

Mapping exceptions to `FailureKind` here keeps the retry predicate and the classifier pure:
they see data, not httpx internals.
"""

from __future__ import annotations

import enum
import errno
import socket
import ssl
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime

import httpx

from linkcheck.check.guard import BlockedAddress
from linkcheck.models import Received, Redirect


class FailureKind(enum.Enum):
    NXDOMAIN = "nxdomain"            # the name does not exist
    DNS = "dns"                      # resolution failed for another reason (try again later)
    REFUSED = "refused"
    CONNECT = "connect"              # other connection failure (unreachable network, …)
    CONNECT_TIMEOUT = "connect_timeout"
    TIMEOUT = "timeout"
    RESET = "reset"
    TLS = "tls"
    PROTOCOL = "protocol"            # malformed or missing response
    PROXY = "proxy"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    REDIRECT_LOOP = "redirect_loop"
    BAD_REDIRECT = "bad_redirect"    # Location missing, unparseable or to a non-HTTP scheme
    URL_TIMEOUT = "url_timeout"      # the whole-URL budget ran out
    INVALID_URL = "invalid_url"      # the HTTP client cannot even build the request
    BLOCKED_ADDRESS = "blocked_address"  # the SSRF guard refused a private or reserved address
    LIMIT = "limit"                  # the server pushed past a hard limit (headers, body, inflation)

    @property
    def network_level(self) -> bool:
        """Failures that say nothing about the page, only about reaching its host."""
        return self in _NETWORK_LEVEL


_NETWORK_LEVEL = frozenset(
    {
        FailureKind.NXDOMAIN,
        FailureKind.DNS,
        FailureKind.REFUSED,
        FailureKind.CONNECT,
        FailureKind.CONNECT_TIMEOUT,
        FailureKind.PROXY,
    }
)


@dataclass(frozen=True, slots=True)
class Failure:
    kind: FailureKind
    message: str


@dataclass(slots=True)
class Exchange:
    """One request: either a response (status, headers) or a failure."""

    method: str
    url: str
    status: int | None = None
    #: Case-insensitive (httpx.Headers, or aiohttp's CIMultiDictProxy on the direct path).
    headers: Mapping[str, str] | None = None
    failure: Failure | None = None
    #: Seconds the server asked us to wait (Retry-After), already parsed.
    retry_after: float | None = None
    #: When that wait ends (for the reason text: "retry after 2026-12-07 03:00Z").
    retry_at: datetime | None = None
    #: The (decoded, capped) body, kept only when a caller asked for it.
    body: bytes | None = None
    #: The response as received (raw body, headers in order), kept for the archive when asked.
    received: Received | None = None


@dataclass(slots=True)
class Outcome:
    """Everything fetching one cited URL produced: the hops, the last exchange, the time spent."""

    hops: list[Redirect] = field(default_factory=list)
    final_url: str = ""
    last: Exchange | None = None
    failure: Failure | None = None

    @property
    def status(self) -> int | None:
        return self.last.status if self.last else None


def failure_from_exception(exc: BaseException) -> Failure:
    """Name what went wrong with a request, in words a user can act on."""
    if isinstance(exc, httpx.ConnectTimeout):
        return Failure(FailureKind.CONNECT_TIMEOUT, "timed out connecting")
    if isinstance(exc, httpx.TimeoutException):
        phase = {
            httpx.ReadTimeout: "waiting for the server to answer",
            httpx.WriteTimeout: "sending the request",
            httpx.PoolTimeout: "waiting for a free connection",
        }.get(type(exc), "waiting")
        return Failure(FailureKind.TIMEOUT, f"timed out {phase}")
    if isinstance(exc, httpx.ProxyError):
        return Failure(FailureKind.PROXY, f"proxy error: {_first_line(exc)}")
    causes = list(_causes(exc))
    for cause in causes:
        if isinstance(cause, BlockedAddress):
            return blocked_failure(cause)
        if isinstance(cause, socket.gaierror):
            if cause.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", -5)):
                return Failure(FailureKind.NXDOMAIN, "domain does not resolve (no such host)")
            return Failure(FailureKind.DNS, f"name resolution failed: {cause.strerror or cause}")
        if isinstance(cause, ssl.SSLCertVerificationError):
            reason = getattr(cause, "verify_message", None) or getattr(cause, "reason", None) or "verification failed"
            return Failure(FailureKind.TLS, f"TLS certificate not trusted: {reason}")
        if isinstance(cause, ssl.SSLError):
            return Failure(FailureKind.TLS, f"TLS error: {cause.reason or cause}")
        if isinstance(cause, ConnectionRefusedError):
            return Failure(FailureKind.REFUSED, "connection refused")
        if isinstance(cause, ConnectionResetError) or getattr(cause, "errno", None) == errno.ECONNRESET:
            return Failure(FailureKind.RESET, "connection reset by the server")
    text = _first_line(exc)
    if "CERTIFICATE_VERIFY_FAILED" in text or "SSL" in text:
        return Failure(FailureKind.TLS, f"TLS error: {text}")
    if isinstance(exc, httpx.ConnectError):
        if "Name or service not known" in text or "nodename nor servname" in text:
            return Failure(FailureKind.NXDOMAIN, "domain does not resolve (no such host)")
        if "refused" in text.lower():
            return Failure(FailureKind.REFUSED, "connection refused")
        return Failure(FailureKind.CONNECT, f"could not connect: {text}")
    if isinstance(exc, (httpx.ReadError, httpx.WriteError)):
        return Failure(FailureKind.RESET, f"connection broken: {text or 'reset by the server'}")
    if "Receive buffer too long" in text:  # h11's cap on the header block (httpcore: 100 kB)
        return Failure(FailureKind.LIMIT, "the response headers exceed 100 kB (a header flood)")
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.DecodingError, httpx.LocalProtocolError)):
        return Failure(FailureKind.PROTOCOL, f"malformed response: {text}")
    if isinstance(exc, httpx.HTTPError):
        return Failure(FailureKind.PROTOCOL, f"request failed: {text}")
    raise exc


def blocked_failure(blocked: BlockedAddress) -> Failure:
    return Failure(
        FailureKind.BLOCKED_ADDRESS,
        f"refused: {blocked} (private networks are not checked; --allow-private or network.allow permits them)",
    )


def _causes(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:200]
