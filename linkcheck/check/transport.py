"""The one seam every request of a run goes through: `Transport.open`.

Checking (`send.Sender`), archive captures (`archive.capture`), archived-copy lookups
(`rot.copies`) and the network probe all ask a `Transport` for one request and read one
`Answer` (status, headers, raw body chunks). The guard, the head and connection limits
and the timeouts live in the transport, so they hold for every caller alike; the body's
limits (bytes, decompression ratio) are the caller's, read from the raw chunks.

Two transports, one contract (httpx's exception vocabulary for every failure, so
`outcome.failure_from_exception` names both alike):

- `aio.AiohttpTransport`: the one linkcheck builds (`client.make_client`), direct or
  through a proxy.
- `HttpxTransport`: a caller's own `httpx.AsyncClient` (a library user's, or a test's
  respx/`MockTransport` client), adapted so the rest of linkcheck never needs to know.
  Everything that takes a transport takes such a client too (`as_transport`).

Like httpx's `AsyncBaseTransport`, the seam is one method, modelled on httpx's
`_transports/base.py`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Mapping
from types import TracebackType
from typing import Union

import httpx


class UnparseableLocation(httpx.InvalidURL):
    """A redirect's Location that the client refused to parse (httpx parses it even when
    it does not follow it): the answer is a bad redirect, not a bad citation."""


class Answer(ABC):
    """One response, its head read; the body is read from `chunks` (raw, still content-encoded)."""

    status: int
    reason: str
    #: Case-insensitive lookup of the response headers.
    headers: Mapping[str, str]

    @property
    @abstractmethod
    def header_count(self) -> int:
        """How many header lines the response had."""

    @property
    @abstractmethod
    def http_version(self) -> str:
        """e.g. "HTTP/1.1"."""

    @abstractmethod
    def raw_headers(self) -> list[tuple[str, str]]:
        """The response headers as received, in order (latin-1)."""

    @abstractmethod
    def request_headers(self) -> list[tuple[str, str]]:
        """The request headers as sent."""

    @property
    @abstractmethod
    def target(self) -> str:
        """The request target as sent (path and query, percent-encoded)."""

    @property
    @abstractmethod
    def peer(self) -> str | None:
        """The server's IP address where the transport knows it; read it before the body
        (a connection read to its end goes back to the pool)."""

    @abstractmethod
    def chunks(self) -> AsyncIterator[bytes]:
        """The body as received after transfer decoding; raises httpx errors."""


class Opening(ABC):
    """`async with transport.open(...) as answer:` — the connection is released on exit
    (back to the pool when the body was read to its end, dropped otherwise)."""

    @abstractmethod
    async def __aenter__(self) -> Answer: ...

    @abstractmethod
    async def __aexit__(self, *exc_info: object) -> None: ...


class Transport(ABC):
    """Sends one request; never follows redirects (the fetcher and the capture do, hop by hop)."""

    @abstractmethod
    def open(self, method: str, url: str, headers: Mapping[str, str] | None = None) -> Opening:
        """Raises (on entering) httpx.HTTPError for a failed request, httpx.InvalidURL for a
        URL that cannot be sent, `UnparseableLocation` for a redirect that cannot be parsed."""

    @abstractmethod
    async def aclose(self) -> None:
        """Close the pool."""

    async def __aenter__(self) -> Transport:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        await self.aclose()


#: What every caller takes: linkcheck's transport or any httpx client.
Client = Union[Transport, httpx.AsyncClient]


def as_transport(client: Client) -> Transport:
    """The transport itself, or a handed-in httpx client behind the seam."""
    return client if isinstance(client, Transport) else HttpxTransport(client)


class HttpxTransport(Transport):
    """A caller's `httpx.AsyncClient` behind the seam. The client's own transport decides
    the network (and the guard, if any): linkcheck's own requests never come this way."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    def open(self, method: str, url: str, headers: Mapping[str, str] | None = None) -> Opening:
        return _HttpxOpening(self.client, method, url, headers)

    async def aclose(self) -> None:
        """Nothing: the client is its caller's, to close when the caller is done with it."""


class _HttpxOpening(Opening):
    def __init__(self, client: httpx.AsyncClient, method: str, url: str, headers: Mapping[str, str] | None) -> None:
        self.client, self.method, self.url, self.headers = client, method, url, headers
        self.response: httpx.Response | None = None

    async def __aenter__(self) -> Answer:
        request = self.client.build_request(self.method, self.url, headers=self.headers)
        try:
            self.response = await self.client.send(request, stream=True, follow_redirects=False)
        except httpx.InvalidURL as exc:
            raise UnparseableLocation(f"redirect to an unparseable URL ({exc})") from exc
        return _HttpxAnswer(self.response)

    async def __aexit__(self, *exc_info: object) -> None:
        if self.response is None:
            return
        if self.method == "HEAD":
            # httpcore drops the connection of a response closed unread: read HEAD's empty
            # body (one chunk at most) so the connection goes back to the pool.
            try:
                async for _ in self.response.aiter_raw():
                    break
            except httpx.HTTPError:
                pass
        await self.response.aclose()


class _HttpxAnswer(Answer):
    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.status = response.status_code
        self.reason = response.reason_phrase
        self.headers = response.headers

    @property
    def header_count(self) -> int:
        return len(self.response.headers.raw)

    @property
    def http_version(self) -> str:
        return self.response.http_version

    def raw_headers(self) -> list[tuple[str, str]]:
        return [(k.decode("latin-1"), v.decode("latin-1")) for k, v in self.response.headers.raw]

    def request_headers(self) -> list[tuple[str, str]]:
        return [(k.decode("latin-1"), v.decode("latin-1")) for k, v in self.response.request.headers.raw]

    @property
    def target(self) -> str:
        return self.response.request.url.raw_path.decode("ascii", "replace")

    @property
    def peer(self) -> str | None:
        stream = self.response.extensions.get("network_stream")
        try:
            address = stream.get_extra_info("server_addr") if stream is not None else None
        except Exception:  # noqa: BLE001 - transports differ; the address is optional
            return None
        return str(address[0]) if isinstance(address, tuple) and address else None

    def chunks(self) -> AsyncIterator[bytes]:
        return self.response.aiter_raw()
