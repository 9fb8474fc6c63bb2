"""Shared pieces of the archive tests (a module, not a test file: it holds no tests)."""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import Sequence
from pathlib import Path

import httpx
from warcio.archiveiterator import ArchiveIterator

from linkcheck.archive import Archive, Capture


def pdf_bytes(text: str) -> bytes:
    """A minimal valid one-page PDF showing `text` (offsets in the xref computed)."""
    stream = f"BT /F1 24 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def capture_all(folder: Path, urls: Sequence[str], client=None, **archive_options) -> list[Capture | None]:
    """Open the archive, capture each URL in turn, close it; through `client` (a transport
    or an httpx client; a plain httpx client by default)."""

    async def run() -> list[Capture | None]:
        async with client or httpx.AsyncClient() as client_, Archive(folder, **archive_options) as archive:
            return [await archive.capture(client_, url) for url in urls]

    return asyncio.run(run())


def read_records(folder: Path) -> list:
    """Every record of every WARC file, read back with warcio, digests checked.

    Returns (record type, target URI, WARC headers, HTTP headers, raw payload bytes).
    """
    records = []
    for path in sorted((folder / "archive").glob("*.warc.gz")):
        with open(path, "rb") as stream:
            for record in ArchiveIterator(stream, check_digests=True):
                payload = record.raw_stream.read()
                assert record.digest_checker.passed is not False, record.digest_checker.problems
                records.append((
                    record.rec_type, record.rec_headers.get_header("WARC-Target-URI"), record.rec_headers,
                    record.http_headers, payload,
                ))  # fmt: skip
    return records


def gzip_member_count(path: Path) -> int:
    """How many gzip members a file holds (one per WARC record, as pywb needs)."""
    data = path.read_bytes()
    count = 0
    while data:
        inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
        inflater.decompress(data)
        assert inflater.eof
        data = inflater.unused_data
        count += 1
    return count
