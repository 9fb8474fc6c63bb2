"""Hostile server behaviours for the fault-injection suite (they plug into tests/farm.py)."""

from __future__ import annotations

import asyncio
import functools
import zlib
from dataclasses import dataclass

from tests.farm import Behaviour, Exchange


class EndlessBody(Behaviour):
    """200 with no Content-Length and a body that never ends (until the farm stops)."""

    async def serve(self, ex: Exchange) -> bool:
        await ex.send_head(200, [("Content-Type", "text/html"), ("Connection", "close")])
        if ex.request.method == "HEAD":
            return False
        chunk = b"<p>" + b"x" * 65536 + b"</p>"
        while True:
            await ex.write(chunk)
            await asyncio.sleep(0)


@functools.lru_cache(maxsize=1)
def gzip_bomb(megabytes: int = 256) -> bytes:
    """`megabytes` of zeros, gzip-compressed (about 1000:1), built once per test session."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1024 * 1024)
    return b"".join(compressor.compress(block) for _ in range(megabytes)) + compressor.flush()


class GzipBomb(Behaviour):
    async def serve(self, ex: Exchange) -> bool:
        body = gzip_bomb()
        headers = [("Content-Type", "text/html"), ("Content-Encoding", "gzip"), ("Content-Length", str(len(body)))]
        keep = await ex.send_head(200, headers)
        if ex.request.method != "HEAD":
            await ex.write(body)
        return keep


@dataclass
class ManyHeaders(Behaviour):
    count: int = 10_000

    async def serve(self, ex: Exchange) -> bool:
        headers = [(f"X-Flood-{i}", "1") for i in range(self.count)]
        return await ex.send(200, headers, b"ok")


class ResetMidBody(Behaviour):
    """Headers promising 100 kB, 1 kB of body, then a TCP RST."""

    async def serve(self, ex: Exchange) -> bool:
        await ex.send_head(200, [("Content-Type", "text/html"), ("Content-Length", "100000")])
        if ex.request.method == "HEAD":
            return True
        await ex.write(b"<p>" + b"y" * 1000)
        await asyncio.sleep(0.05)
        ex.abort_with_rst()
        return False


BROKEN_CHUNKED = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/html\r\n\r\n5\r\nhello\r\nzz-not-hex\r\n\r\n"
MALFORMED_STATUS = b"HTTP/1.1 two hundred OK\r\nContent-Length: 0\r\n\r\n"
