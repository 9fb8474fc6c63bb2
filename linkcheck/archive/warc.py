"""WARC files: building records with warcio, appending them safely, reading them back.

A WARC file is written under a temporary name (`NAME.warc.gz.open`) and renamed to
`NAME.warc.gz` when it is closed, so a finished-looking file is always finished. Every
record is its own gzip member (what pywb and replayweb.page need to seek to a record),
and a batch of records is flushed and fsynced before anyone indexes it. A write that
fails half-way (a full disk) is cut back to the end of the last complete record group,
so the file never keeps half a record in front of later ones.

Reading goes member by member with zlib, so a file cut off mid-record (a killed run)
yields its complete records and then says where the incomplete tail starts.
"""

from __future__ import annotations

import base64
import contextlib
import io
import os
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import iso_date_to_datetime
from warcio.warcwriter import WARCWriter

from linkcheck._version import __version__

WARC_VERSION = "WARC/1.1"
OPEN_SUFFIX = ".open"
WARC_SUFFIX = ".warc.gz"
#: zlib level per record. Measured on prose-like HTML (bench/archive_cost.py): level 3
#: compresses to 52% at ~37 MB/s, level 6 to 47% at ~13 MB/s, warcio's 9 to 47% at ~7 MB/s.
#: The single writer thread compresses every byte, so speed wins over the last 5%.
GZIP_LEVEL = 3
_READ_CHUNK = 1 << 16

Headers = list[tuple[str, str]]


def warc_date(moment: datetime) -> str:
    """WARC/1.1 date with microseconds, always the same width (so strings sort as times)."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_warc_date(text: str) -> datetime:
    return iso_date_to_datetime(text, tz_aware=True)  # type: ignore[no-any-return]


def sha1_digest(sha1: Any) -> str:
    """A `hashlib.sha1` object as WARC writes a digest: `sha1:` and base32 (what warcio checks)."""
    return "sha1:" + base64.b32encode(sha1.digest()).decode("ascii")


def new_record_id() -> str:
    return f"<urn:uuid:{uuid.uuid4()}>"


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """One HTTP response as received: status line, headers, and its body in a file."""

    status: int
    reason: str
    http_version: str
    headers: Headers
    body: IO[bytes]
    body_length: int
    payload_digest: str
    truncated: str | None = None


class RecordBuilder:
    """Makes warcio records with our ids and dates (injectable, for golden tests)."""

    def __init__(self, make_id: Any = new_record_id) -> None:
        self._writer = WARCWriter(None, gzip=False, warc_version=WARC_VERSION)
        self._make_id = make_id

    def warcinfo(self, filename: str, date: str) -> ArcWarcRecord:
        fields = {
            "software": f"linkcheck/{__version__} (warcio)",
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
            "description": "Cited pages captured by linkcheck",
        }
        payload = "".join(f"{key}: {value}\r\n" for key, value in fields.items()).encode("utf-8")
        headers = {"WARC-Type": "warcinfo", "WARC-Record-ID": self._make_id(), "WARC-Date": date, "WARC-Filename": filename}
        return self._writer.create_warc_record(
            "", "warcinfo", payload=io.BytesIO(payload), length=len(payload),
            warc_content_type="application/warc-fields", warc_headers_dict=headers,
        )  # fmt: skip

    def response(self, uri: str, date: str, ip: str | None, response: HttpResponse, extra: dict[str, str]) -> ArcWarcRecord:
        headers = self._common("response", uri, date, ip, extra)
        headers["WARC-Payload-Digest"] = response.payload_digest
        if response.truncated:
            headers["WARC-Truncated"] = response.truncated
        response.body.seek(0)
        return self._writer.create_warc_record(
            uri, "response", payload=response.body, length=response.body_length,
            http_headers=_status_and_headers(response), warc_headers_dict=headers,
        )  # fmt: skip

    def revisit(
        self, uri: str, date: str, ip: str | None, response: HttpResponse,
        refers_to: str, refers_to_uri: str, refers_to_date: str, extra: dict[str, str],
    ) -> ArcWarcRecord:  # fmt: skip
        headers = self._common("revisit", uri, date, ip, extra)
        headers["WARC-Refers-To"] = refers_to
        if response.truncated:
            headers["WARC-Truncated"] = response.truncated
        return self._writer.create_revisit_record(
            uri, response.payload_digest, refers_to_uri, refers_to_date,
            http_headers=_status_and_headers(response), warc_headers_dict=headers,
        )  # fmt: skip

    def request(self, uri: str, date: str, ip: str | None, method: str, target: str, headers: Headers, concurrent_to: str) -> ArcWarcRecord:
        warc_headers = self._common("request", uri, date, ip, {})
        warc_headers["WARC-Concurrent-To"] = concurrent_to
        http = StatusAndHeaders(f"{method} {target} HTTP/1.1", headers, is_http_request=True)
        return self._writer.create_warc_record(uri, "request", http_headers=http, warc_headers_dict=warc_headers)

    def _common(self, record_type: str, uri: str, date: str, ip: str | None, extra: dict[str, str]) -> dict[str, str]:
        """The usual header order (type, id, date, target first): warcio keeps it."""
        headers = {"WARC-Type": record_type, "WARC-Record-ID": self._make_id(), "WARC-Date": date, "WARC-Target-URI": uri}
        if ip:
            headers["WARC-IP-Address"] = ip
        headers.update(extra)
        return headers


def _status_and_headers(response: HttpResponse) -> StatusAndHeaders:
    version = response.http_version if response.http_version.startswith("HTTP/") else "HTTP/1.1"
    return StatusAndHeaders(f"{response.status} {response.reason}".strip(), response.headers, protocol=version)


@dataclass(frozen=True, slots=True)
class Placed:
    """Where a record landed: byte offset and length of its gzip member in the file."""

    offset: int
    length: int


class _GzipMember:
    """A write target that gzips everything written until `flush()` into one member."""

    def __init__(self, out: IO[bytes]) -> None:
        self._out = out
        self._zip = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS | 16)

    def write(self, data: bytes) -> None:
        self._out.write(self._zip.compress(data))

    def flush(self) -> None:
        self._out.write(self._zip.flush())


#: Temporary WARC files this process is writing: recovery leaves them alone.
LIVE_FILES: set[Path] = set()


class WarcFile:
    """One WARC file open for appending under its temporary name until `close()`."""

    def __init__(self, folder: Path, name: str) -> None:
        self.name = name
        self.final_path = folder / name
        self.open_path = folder / (name + OPEN_SUFFIX)
        fd = os.open(self.open_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        self._file = os.fdopen(fd, "wb")
        self._writer = WARCWriter(None, gzip=False, warc_version=WARC_VERSION)
        LIVE_FILES.add(self.open_path.resolve())
        _fsync_dir(folder)

    @property
    def size(self) -> int:
        return self._file.tell()

    def append(self, records: list[ArcWarcRecord]) -> list[Placed]:
        """Write records (not yet synced); on failure cut back to where this call started."""
        start = self._file.tell()
        placed = []
        try:
            for record in records:
                offset = self._file.tell()
                self._writer.out = _GzipMember(self._file)
                self._writer.write_record(record)
                placed.append(Placed(offset, self._file.tell() - offset))
        except BaseException:
            self.cut_back(start)
            raise
        return placed

    def sync(self) -> None:
        """Flush and fsync: after this, what `append` wrote survives a crash."""
        self._file.flush()
        os.fsync(self._file.fileno())

    def cut_back(self, offset: int) -> None:
        """Drop everything from `offset` on (a failed batch); best effort, recovery does it too."""
        try:
            self._file.flush()
        except OSError:
            pass
        try:
            self._file.seek(offset)
            self._file.truncate(offset)
            os.fsync(self._file.fileno())
        except OSError:
            pass

    def close(self) -> None:
        """Finish the file: fsync it and give it its final name (an atomic rename)."""
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        os.replace(self.open_path, self.final_path)
        LIVE_FILES.discard(self.open_path.resolve())
        _fsync_dir(self.final_path.parent)

    def abandon(self) -> None:
        """Close without renaming (after a failure); recovery finishes the file next time."""
        LIVE_FILES.discard(self.open_path.resolve())
        try:
            self._file.close()
        except OSError:
            pass


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# ---------------------------------------------------------------------------- reading


@dataclass(frozen=True, slots=True)
class Member:
    """One complete gzip member (one record) of a WARC file, decompressed."""

    offset: int
    length: int
    data: bytes


@dataclass(frozen=True, slots=True)
class BadTail:
    """Bytes from `offset` to the end of the file that are not a complete gzip member."""

    offset: int
    reason: str


def iter_members(source: Path | IO[bytes]) -> Iterator[Member | BadTail]:
    """Every complete gzip member of the file in order, then a BadTail if the end is cut.

    `source` is a path or a seekable binary stream (e.g. an S3 object read by byte range).
    """
    with open(source, "rb") if isinstance(source, (str, os.PathLike)) else contextlib.nullcontext(source) as stream:
        offset = 0
        while True:
            stream.seek(offset)
            inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
            parts: list[bytes] = []
            consumed = 0
            try:
                while not inflater.eof:
                    chunk = stream.read(_READ_CHUNK)
                    if not chunk:
                        break
                    consumed += len(chunk)
                    parts.append(inflater.decompress(chunk))
            except zlib.error as exc:
                yield BadTail(offset, f"not gzip data ({exc})")
                return
            if not inflater.eof:
                if consumed:
                    yield BadTail(offset, "the last record is incomplete (cut off)")
                return
            length = consumed - len(inflater.unused_data)
            yield Member(offset, length, b"".join(parts))
            offset += length


def read_member(path: Path, offset: int, length: int) -> bytes:
    """The decompressed record at `offset`; ValueError unless it is exactly one whole member."""
    with open(path, "rb") as stream:
        stream.seek(offset)
        raw = stream.read(length)
    return inflate_member(raw, offset, length)


def inflate_member(raw: bytes, offset: int, length: int) -> bytes:
    """The decompressed record of the `length` bytes read at `offset`; ValueError unless
    they are exactly one whole gzip member."""
    if len(raw) != length:
        raise ValueError(f"only {len(raw)} of {length} bytes at offset {offset}")
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
    try:
        data = inflater.decompress(raw)
    except zlib.error as exc:
        raise ValueError(f"not a gzip member at offset {offset} ({exc})") from None
    if not inflater.eof or inflater.unused_data:
        raise ValueError(f"the bytes at offset {offset} are not exactly one complete record")
    return data


@dataclass(slots=True)
class ParsedRecord:
    """A record read back: its WARC and HTTP headers, payload, and digest verdict."""

    record_type: str
    headers: StatusAndHeaders
    http_headers: StatusAndHeaders | None
    payload: bytes
    digest_problems: list[str]

    def header(self, name: str) -> str | None:
        value = self.headers.get_header(name)
        return str(value) if value is not None else None

    @property
    def record_id(self) -> str:
        return self.header("WARC-Record-ID") or ""


def parse_record(data: bytes) -> ParsedRecord:
    """Parse one decompressed record with warcio, checking its block and payload digests."""
    iterator = ArchiveIterator(io.BytesIO(data), check_digests=True)
    try:
        record = next(iterator)
    except StopIteration:
        raise ValueError("no WARC record in this member") from None
    payload = record.raw_stream.read()
    problems = list(record.digest_checker.problems) if record.digest_checker.passed is False else []
    if next(iterator, None) is not None:
        problems.append("more than one record in one gzip member")
    return ParsedRecord(record.rec_type, record.rec_headers, record.http_headers, payload, problems)


def resolve_warc(archive_dir: Path, warc_file: str) -> Path:
    """The file a catalog entry names, or its temporary name while a run still writes it."""
    path = archive_dir / warc_file
    if not path.exists():
        pending = path.with_name(path.name + OPEN_SUFFIX)
        if pending.exists():
            return pending
    return path
