"""httpx's API over aiohttp: a transport, so every httpx caller (archive captures, the
network probe, archived-copy lookups, the fetcher's generic path) shares the checking
session's pool, guard and limits.

The fetcher's hot path skips httpx's models altogether (`send.AiohttpSender`); both go
through `aio.request`, so they refuse, limit and fail alike.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import httpx
from multidict import CIMultiDict
from yarl import URL

from linkcheck.check import aio


class AiohttpTransport(httpx.AsyncBaseTransport):
    """An httpx transport backed by one lazily opened aiohttp session."""

    def __init__(self, options: aio.SessionOptions) -> None:
        self.options = options
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
            self.session, request.method, url, CIMultiDict(request.headers.multi_items()), self.options.policy, _timeout(request)
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
            raise aio.translate(exc)  # noqa: B904 - the cause is set by translate

    async def aclose(self) -> None:
        self._response.release()
