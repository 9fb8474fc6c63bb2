"""Reading a response body with hard limits a server cannot push past.

httpx decodes gzip/deflate a whole network chunk at a time, so one small chunk of a
compression bomb can become hundreds of megabytes before any cap applies. Here the raw
bytes are decoded incrementally with zlib's `max_length`, so memory never exceeds the
limit, and a body that inflates past a ratio is stopped and named for what it is.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator, Callable

#: Below this many decoded bytes no ratio is suspicious (tiny compressible pages).
_RATIO_GRACE_BYTES = 1024 * 1024


class BodyLimitExceeded(Exception):
    """A body broke a hard limit; the message says which, for the result's `error`."""


def _inflater(encoding: str) -> Callable[[bytes, int], tuple[bytes, bytes]] | None:
    """A function (data, max_length) -> (decoded, unconsumed) for gzip/deflate; None for identity."""
    if encoding in ("gzip", "x-gzip"):
        decompressor = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    elif encoding == "deflate":
        decompressor = zlib.decompressobj(wbits=32 + zlib.MAX_WBITS)  # zlib or gzip header, as sent in practice
    else:
        return None

    def inflate(data: bytes, max_length: int) -> tuple[bytes, bytes]:
        out = decompressor.decompress(data, max_length)
        return out, decompressor.unconsumed_tail

    return inflate


class RawCopy:
    """The raw (still content-encoded) bytes a read saw, and whether it reached the end."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.complete = False

    @property
    def body(self) -> bytes:
        return b"".join(self.chunks)


async def read_chunks(
    chunks: AsyncIterator[bytes],
    content_encoding: str,
    *,
    limit: int,
    max_ratio: float,
    decode: bool = True,
    raw: RawCopy | None = None,
) -> bytes:
    """At most `limit` bytes of the (decoded) body from its raw (still encoded) chunks and
    its Content-Encoding; raises BodyLimitExceeded for a bomb. Encodings other than
    gzip/deflate are returned as received. With `raw`, the chunks are also kept as
    received, and `raw.complete` says whether the body ended within the limit."""
    encoding = content_encoding.strip().lower()
    inflate = _inflater(encoding) if decode else None
    pieces: list[bytes] = []
    raw_total = decoded_total = 0
    try:
        async for chunk in chunks:
            if raw is not None:
                raw.chunks.append(chunk)
            if inflate is None:
                raw_total += len(chunk)
                pieces.append(chunk)
                decoded_total += len(chunk)
            else:
                pending = chunk
                while pending and decoded_total < limit:
                    # The ratio counts the raw bytes zlib consumed, not those received: a
                    # client that reads bigger chunks must not make a bomb look milder.
                    out, rest = inflate(pending, limit - decoded_total)
                    raw_total += len(pending) - len(rest)
                    pending = rest
                    pieces.append(out)
                    decoded_total += len(out)
                    if decoded_total > _RATIO_GRACE_BYTES and decoded_total > max_ratio * raw_total:
                        raise BodyLimitExceeded(
                            f"the {encoding} body inflates more than {max_ratio:g}x "
                            f"({raw_total} bytes became over {decoded_total}): a compression bomb"
                        )
                    if not out:
                        break
            if decoded_total >= limit:
                break
        else:
            if raw is not None:
                raw.complete = True
    except zlib.error as exc:
        raise BodyLimitExceeded(f"the {encoding} body is corrupt: {exc}") from None
    return b"".join(pieces)[:limit]
