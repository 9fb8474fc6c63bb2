"""The client `make_client` builds, on aiohttp: an httpx transport, so every httpx caller
(archive captures, the network probe, archived-copy lookups) shares the checking
session's pool, guard and limits; and `AiohttpSender`, the fetcher's hot path, which
skips httpx's models altogether.

Both go through `aio.request`, so they refuse, limit and fail alike.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping
from datetime import datetime, timezone

import aiohttp
import httpx
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from linkcheck.check import aio
from linkcheck.check.body import BodyLimitExceeded, RawCopy, read_chunks
from linkcheck.check.outcome import Exchange, Failure, FailureKind, failure_from_exception
from linkcheck.check.send import answered, too_many_headers
from linkcheck.models import Received


class AiohttpTransport(httpx.AsyncBaseTransport):
    """An httpx transport backed by one lazily opened aiohttp session."""

    def __init__(self, options: aio.SessionOptions) -> None:
        self.options = options
        self.guard = aio.LiteralGuard(options.policy)
        self._session: aiohttp.ClientSession | None = None

    @property
    def session(self) -> aiohttp.ClientSession:
        """The session, opened on first use (aiohttp needs the running loop)."""
        if self._session is None:
            self._session = aio.open_session(self.options)
        return self._session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            url = URL(str(request.url), encoded=True)  # already encoded by httpx, sent as is
        except ValueError as exc:
            raise httpx.UnsupportedProtocol(f"cannot request {request.url}: {exc}") from exc
        response = await aio.request(
            self.session, request.method, url, CIMultiDict(request.headers.multi_items()), self.guard, _timeout(request)
        )
        extensions = {"http_version": b"HTTP/1.1"}
        if response.reason:
            extensions["reason_phrase"] = response.reason.encode("latin-1", errors="replace")
        return httpx.Response(
            status_code=response.status,
            headers=response.raw_headers,
            stream=_ResponseStream(response),
            request=request,
            extensions=extensions,
        )

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def _timeout(request: httpx.Request) -> aiohttp.ClientTimeout | None:
    """The request's httpx timeouts (connect, read) in aiohttp's terms; None keeps the session's."""
    timeout = request.extensions.get("timeout")
    if not timeout:
        return None
    return aiohttp.ClientTimeout(total=None, connect=None, sock_connect=timeout.get("connect"), sock_read=timeout.get("read"))


class _ResponseStream(httpx.AsyncByteStream):
    """The raw body (aiohttp decodes nothing here); closing an unread body drops its connection."""

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self._response = response

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.content.iter_any():
                yield chunk
        except Exception as exc:  # noqa: BLE001 - translated for httpx callers
            raise aio.translate(exc)  # its cause is set by translate

    async def aclose(self) -> None:
        self._response.release()


class AiohttpSender:
    """An attempt straight on the aiohttp session behind `make_client`'s client."""

    def __init__(self, transport: AiohttpTransport, user_agent: str, max_headers: int, max_ratio: float) -> None:
        self.transport = transport
        self.max_headers = max_headers
        self.max_ratio = max_ratio
        self.base_headers = CIMultiDictProxy(
            CIMultiDict({"User-Agent": user_agent, "Accept": "*/*", "Accept-Encoding": aio.ACCEPT_ENCODING})
        )

    def _headers(self, extra: Mapping[str, str]) -> Mapping[str, str]:
        if not extra:
            return self.base_headers
        merged = CIMultiDict(self.base_headers)
        merged.update(extra)  # case-insensitive: a configured User-Agent replaces ours
        return merged

    async def send(
        self, method: str, url: str, headers: Mapping[str, str], read_limit: int, keep_body: bool, keep_received: bool = False
    ) -> Exchange:
        try:
            target = request_url(url)
        except (httpx.InvalidURL, ValueError) as exc:
            return Exchange(method, url, failure=Failure(FailureKind.INVALID_URL, f"cannot request this URL: {exc}"))
        try:
            response = await aio.request(self.transport.session, method, target, self._headers(headers), self.transport.guard)
        except httpx.HTTPError as exc:
            return Exchange(method, url, failure=failure_from_exception(exc))
        except httpx.InvalidURL as exc:
            return Exchange(method, url, failure=Failure(FailureKind.INVALID_URL, f"cannot request this URL: {exc}"))
        body = None
        try:
            if len(response.raw_headers) > self.max_headers:
                return too_many_headers(method, url, len(response.raw_headers), self.max_headers)
            raw = RawCopy() if keep_received and read_limit else None
            if read_limit:
                body = await read_chunks(
                    response.content.iter_any(),
                    response.headers.get("content-encoding", ""),
                    limit=read_limit,
                    max_ratio=self.max_ratio,
                    decode=keep_body,
                    raw=raw,
                )
        except BodyLimitExceeded as exc:
            return Exchange(method, url, failure=Failure(FailureKind.LIMIT, str(exc)))
        except Exception as exc:  # noqa: BLE001 - aiohttp's errors, named through httpx's table
            return Exchange(method, url, failure=failure_from_exception(aio.translate(exc)))
        finally:
            # Back to the pool when the body was read to its end (HEAD, small pages); dropped otherwise.
            response.release()
        exchange = answered(method, url, response.status, response.headers, body if keep_body else None)
        if raw is not None:
            exchange.received = Received(
                status=response.status, reason=response.reason or "", http_version=f"HTTP/{response.version.major}.{response.version.minor}",
                headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.raw_headers],
                request_headers=[(str(k), str(v)) for k, v in response.request_info.headers.items()],
                body=raw.body, complete=raw.complete, date=datetime.now(timezone.utc),
            )  # fmt: skip
        return exchange


#: URLs that httpx sends exactly as written: http(s), a lower-case ASCII name or IPv4
#: address, and a path and query of characters that need no quoting (no %, no dot segments).
_PLAIN_URL = re.compile(r"https?://[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::([0-9]{1,5}))?(?:[/?][A-Za-z0-9\-_~:/?@!$&'()*+,;=.]*)?")


def request_url(url: str) -> URL:
    """The URL to send, exactly as httpx would send it (refused as httpx refuses it).

    Normalized citations take the first branch; anything else goes through httpx's parser
    so that it is quoted, IDNA-encoded and refused on the same terms as on the httpx path.
    """
    plain = _PLAIN_URL.fullmatch(url)
    if plain is not None and "/." not in url and (plain.group(1) is None or int(plain.group(1)) <= 65535):
        return URL(url, encoded=True)
    return URL(str(httpx.URL(url)), encoded=True)
