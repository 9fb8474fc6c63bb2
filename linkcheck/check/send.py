"""One request attempt, turned into an `Exchange`: the part of fetching that touches a client.

Two senders, one contract (status, headers, capped body, or a named failure; never a
raw exception):

- `HttpxSender` for any `httpx.AsyncClient` — the one tests hand in (respx, handlers)
  and the one used through a proxy.
- `transport.AiohttpSender` for the client `make_client` builds: the same request straight
  on its aiohttp session, skipping httpx's request and response models, which cost more
  CPU per URL than the request itself. Its failures go through the same exception table.

`sender_for(client)` picks one; the fetcher never needs to know which.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Protocol

import httpx

from linkcheck.check.body import BodyLimitExceeded, RawCopy, read_body
from linkcheck.check.outcome import Exchange, Failure, FailureKind, failure_from_exception
from linkcheck.check.retry import parse_retry_after
from linkcheck.models import Received


class Sender(Protocol):
    async def send(
        self, method: str, url: str, headers: Mapping[str, str], read_limit: int, keep_body: bool, keep_received: bool = False
    ) -> Exchange:
        """One attempt. `read_limit`: bytes of body to read (0 for none); `keep_body`: decode and keep them;
        `keep_received`: also keep the response as received (`Exchange.received`, for the archive)."""


class HttpxSender:
    """An attempt through httpx's public API."""

    def __init__(self, client: httpx.AsyncClient, max_headers: int, max_ratio: float) -> None:
        self.client = client
        self.max_headers = max_headers
        self.max_ratio = max_ratio

    async def send(
        self, method: str, url: str, headers: Mapping[str, str], read_limit: int, keep_body: bool, keep_received: bool = False
    ) -> Exchange:
        try:
            request = self.client.build_request(method, url, headers=headers)
        except httpx.InvalidURL as exc:
            return Exchange(method, url, failure=Failure(FailureKind.INVALID_URL, f"cannot request this URL: {exc}"))
        try:
            response = await self.client.send(request, stream=True)
        except httpx.HTTPError as exc:
            return Exchange(method, url, failure=failure_from_exception(exc))
        except httpx.InvalidURL as exc:
            # httpx parses a redirect's Location even when it does not follow it.
            return Exchange(method, url, failure=Failure(FailureKind.BAD_REDIRECT, f"redirect to an unparseable URL ({exc})"))
        body = None
        try:
            if len(response.headers.raw) > self.max_headers:
                return too_many_headers(method, url, len(response.headers.raw), self.max_headers)
            raw = RawCopy() if keep_received and read_limit else None
            if read_limit:
                body = await read_body(response, limit=read_limit, max_ratio=self.max_ratio, decode=keep_body, raw=raw)
            else:
                await _finish_empty(response)
        except httpx.HTTPError as exc:
            return Exchange(method, url, failure=failure_from_exception(exc))
        except BodyLimitExceeded as exc:
            return Exchange(method, url, failure=Failure(FailureKind.LIMIT, str(exc)))
        finally:
            await response.aclose()
        exchange = answered(method, url, response.status_code, response.headers, body if keep_body else None)
        if raw is not None:
            exchange.received = Received(
                status=response.status_code, reason=response.reason_phrase, http_version=response.http_version,
                headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers.raw],
                request_headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw],
                body=raw.body, complete=raw.complete, date=datetime.now(timezone.utc),
            )  # fmt: skip
        return exchange


def sender_for(client: httpx.AsyncClient, max_headers: int, max_ratio: float) -> Sender:
    """The fast sender for `make_client`'s client, httpx's API for any other."""
    transport = getattr(client, "direct_transport", None)
    if transport is not None:
        from linkcheck.check.transport import AiohttpSender  # aiohttp is imported only when it is used

        return AiohttpSender(transport, client.headers.get("user-agent", ""), max_headers, max_ratio)
    return HttpxSender(client, max_headers, max_ratio)


def answered(method: str, url: str, status: int, headers: Mapping[str, str], body: bytes | None) -> Exchange:
    retry_after = parse_retry_after(headers.get("retry-after"))
    retry_at = None if retry_after is None else datetime.now(timezone.utc) + timedelta(seconds=min(retry_after, 1e9))
    return Exchange(method, url, status=status, headers=headers, retry_after=retry_after, retry_at=retry_at, body=body)


def too_many_headers(method: str, url: str, count: int, limit: int) -> Exchange:
    return Exchange(method, url, failure=Failure(FailureKind.LIMIT, f"the server sent {count} headers (limit {limit})"))


async def _finish_empty(response: httpx.Response) -> None:
    """Read an unread (HEAD) answer to its empty end so its connection goes back to the pool.

    Closing a response that was never read makes httpcore drop the connection, and a new
    TCP connection per URL costs more than the request. One chunk at most: a server that
    sends a body after HEAD costs that chunk and its connection.
    """
    async for _ in response.aiter_raw():
        break

