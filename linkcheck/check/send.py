"""One request attempt, turned into an `Exchange`: the part of fetching that touches the network.

The contract: status, headers, a capped body, or a named failure; never a raw exception.
Every attempt goes through the one seam (`transport.Transport.open`), whichever
transport carries it; the body's limits are applied here, once.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta, timezone

import httpx

from linkcheck.check.body import BodyLimitExceeded, RawCopy, read_chunks
from linkcheck.check.outcome import Exchange, Failure, FailureKind, failure_from_exception
from linkcheck.check.retry import parse_retry_after
from linkcheck.check.transport import Client, UnparseableLocation, as_transport
from linkcheck.models import Received


class Sender:
    """One attempt at a time over a transport, under the run's header and body limits."""

    def __init__(self, client: Client, max_headers: int, max_ratio: float) -> None:
        self.transport = as_transport(client)
        self.max_headers = max_headers
        self.max_ratio = max_ratio

    async def send(
        self, method: str, url: str, headers: Mapping[str, str], read_limit: int, keep_body: bool, keep_received: bool = False
    ) -> Exchange:
        """`read_limit`: bytes of body to read (0 for none); `keep_body`: decode and keep them;
        `keep_received`: also keep the response as received (`Exchange.received`, for the archive)."""
        try:
            async with self.transport.open(method, url, headers) as answer:
                if answer.header_count > self.max_headers:
                    return _too_many_headers(method, url, answer.header_count, self.max_headers)
                raw = RawCopy() if keep_received and read_limit else None
                peer = answer.peer if raw is not None else None  # before the body: see `Answer.peer`
                body = None
                if read_limit:
                    body = await read_chunks(
                        answer.chunks(), answer.headers.get("content-encoding", ""),
                        limit=read_limit, max_ratio=self.max_ratio, decode=keep_body, raw=raw,
                    )  # fmt: skip
                exchange = _answered(method, url, answer.status, answer.headers, body if keep_body else None)
                if raw is not None:
                    exchange.received = Received(
                        status=answer.status, reason=answer.reason, http_version=answer.http_version,
                        headers=answer.raw_headers(), request_headers=answer.request_headers(),
                        body=raw.body, complete=raw.complete, date=datetime.now(timezone.utc), ip=peer,
                    )  # fmt: skip
                return exchange
        except UnparseableLocation as exc:
            return Exchange(method, url, failure=Failure(FailureKind.BAD_REDIRECT, str(exc)))
        except httpx.InvalidURL as exc:
            return Exchange(method, url, failure=Failure(FailureKind.INVALID_URL, f"cannot request this URL: {exc}"))
        except httpx.HTTPError as exc:
            return Exchange(method, url, failure=failure_from_exception(exc))
        except BodyLimitExceeded as exc:
            return Exchange(method, url, failure=Failure(FailureKind.LIMIT, str(exc)))


def _answered(method: str, url: str, status: int, headers: Mapping[str, str], body: bytes | None) -> Exchange:
    retry_after = parse_retry_after(headers.get("retry-after"))
    retry_at = None if retry_after is None else datetime.now(timezone.utc) + timedelta(seconds=min(retry_after, 1e9))
    return Exchange(method, url, status=status, headers=headers, retry_after=retry_after, retry_at=retry_at, body=body)


def _too_many_headers(method: str, url: str, count: int, limit: int) -> Exchange:
    return Exchange(method, url, failure=Failure(FailureKind.LIMIT, f"the server sent {count} headers (limit {limit})"))
