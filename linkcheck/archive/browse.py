"""Reading the archive for people: the captures of a URL, and the capture closest to a date;
and for replay: a pywb-style lookup of URL and timestamp in the CDXJ index.

These take no lock: SQLite gives a consistent view while a run is writing, a record is
in the catalog only once it is on disk, and the CDXJ is replaced whole. Records are read
by byte range from wherever the WARC files are (the folder, or the bucket of
`storage_url`, i.e. `archive.url`).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from linkcheck.archive.content import body_text, decode_content
from linkcheck.archive.errors import ArchiveError
from linkcheck.archive.index import Catalog, Entry, surt_key
from linkcheck.archive.layout import WARC_DIR, Layout
from linkcheck.archive.storage import Storage, open_storage
from linkcheck.archive.warc import ParsedRecord, inflate_member, parse_record, parse_warc_date

_MAX_HOPS = 20


def _catalog(path: str | os.PathLike[str]) -> tuple[Layout, Catalog]:
    layout = Layout(Path(path))
    layout.require()
    return layout, Catalog(layout.catalog, readonly=True)


def list_captures(path: str | os.PathLike[str], url: str | None = None, *, everything: bool = False) -> list[Entry]:
    """Captures newest first: of one URL (every role), or of the cited pages (all roles
    with `everything`: redirect hops and requisites too)."""
    _, catalog = _catalog(path)
    try:
        if url is not None:
            return catalog.captures(url)
        return catalog.captures(roles=None if everything else ("page",))
    finally:
        catalog.close()


@dataclass(slots=True)
class Shown:
    """A capture as `archive show` presents it: the redirect chain, and the final page."""

    chain: list[Entry]
    text: str
    #: The record that holds the payload (the original of a revisit).
    payload_record: Entry

    @property
    def final(self) -> Entry:
        return self.chain[-1]


def show_capture(path: str | os.PathLike[str], url: str, at: datetime | None = None, *, storage_url: str | None = None) -> Shown | None:
    """The capture of `url` closest to `at` (default: the newest), followed through its
    redirects in the archive, with the text of the page it ends on."""
    layout, catalog = _catalog(path)
    try:
        storage = open_storage(layout, storage_url)
    except BaseException:
        catalog.close()
        raise
    try:
        first = _closest(catalog.captures(url), at)
        if first is None:
            return None
        chain = [first]
        while chain[-1].location and len(chain) < _MAX_HOPS:
            following = _closest(catalog.captures(chain[-1].location), parse_warc_date(chain[-1].captured_at))
            if following is None or following in chain:
                break
            chain.append(following)
        final = chain[-1]
        holder = catalog.get(final.refers_to) if final.record_type == "revisit" and final.refers_to else final
        if holder is None:
            raise ArchiveError(f"{final.warc_file} @ {final.offset}: the revisit's original {final.refers_to} is missing")
        return Shown(chain, _text(storage, holder), holder)
    finally:
        catalog.close()


def _closest(entries: list[Entry], at: datetime | None) -> Entry | None:
    if not entries:
        return None
    if at is None:
        return entries[0]
    return min(entries, key=lambda entry: abs((parse_warc_date(entry.captured_at) - at).total_seconds()))


def _text(storage: Storage, entry: Entry) -> str:
    record = read_record(storage, entry.warc_file, entry.offset, entry.length)
    headers = record.http_headers
    encoding = headers.get_header("Content-Encoding") if headers else None
    body = decode_content(record.payload, encoding)
    return body_text(body, entry.content_type)


def read_record(storage: Storage, warc_file: str, offset: int, length: int) -> ParsedRecord:
    """The record at `offset` of a WARC file, read by byte range and its digests checked."""
    try:
        return parse_record(inflate_member(storage.read_range(warc_file, offset, length), offset, length))
    except (OSError, ValueError) as exc:
        raise ArchiveError(f"cannot read {warc_file} @ {offset}: {exc}") from None


@dataclass(frozen=True, slots=True)
class Replayed:
    """What a wayback-style replay serves for URL and timestamp: the CDXJ line found
    and the record holding the payload (a revisit's original)."""

    timestamp: str
    fields: dict[str, str]
    record: ParsedRecord

    @property
    def status(self) -> int | None:
        code = self.fields.get("status", "")
        return int(code) if code.isdigit() else None

    @property
    def body(self) -> bytes:
        """The payload as it came off the wire (still content-encoded, if it was)."""
        return self.record.payload


def replay_lookup(path: str | os.PathLike[str], url: str, timestamp: str | None = None, *, storage_url: str | None = None) -> Replayed | None:
    """Look `url` up in the CDXJ index as pywb does: the capture of the same SURT key
    whose 14-digit timestamp is closest to `timestamp` (default: the newest), then its
    record by byte range (filename, offset, length); a revisit is followed to the
    capture of that key with its payload digest. None when the URL was never captured."""
    storage = open_storage(Layout(Path(path)), storage_url)
    key = surt_key(url)
    lines = []
    for line in (storage.read_cdxj() or "").splitlines():
        line_key, stamp, data = line.split(" ", 2)
        if line_key == key:
            lines.append((stamp, json.loads(data)))
    if not lines:
        return None
    wanted = int(_digits14(timestamp)) if timestamp else None
    stamp, found = max(lines) if wanted is None else min(lines, key=lambda line: (abs(int(line[0]) - wanted), line[0]))
    holder = found
    if found.get("mime") == "warc/revisit":
        originals = [line for line in lines if line[1].get("mime") != "warc/revisit" and line[1].get("digest") == found.get("digest")]
        if not originals:
            raise ArchiveError(f"{found.get('filename')} @ {found.get('offset')}: the revisit's original is not in the index")
        holder = min(originals, key=lambda line: abs(int(line[0]) - int(stamp)))[1]
    record = read_record(storage, f"{WARC_DIR}/{holder['filename']}", int(holder["offset"]), int(holder["length"]))
    return Replayed(stamp, found, record)


def _digits14(text: str) -> str:
    """A timestamp as pywb takes them (`2026`, `202611`, ... `20261129140003`), padded to 14."""
    digits = re.sub(r"\D", "", text)[:14]
    if len(digits) < 4:
        raise ValueError(f"{text!r} is not a timestamp (YYYY[MM[DD[hh[mm[ss]]]]])")
    return digits + "00000101000000"[len(digits) :]


def parse_when(text: str) -> datetime:
    """`2026-11-29`, `2026-11-29T14:00`, `2026-11-29 14:00:03Z`, `20261129140003` (UTC
    unless an offset is given)."""
    value = text.strip()
    if re.fullmatch(r"\d{4,14}", value):
        padded = value + "0101000000"[len(value) - 4 :] if len(value) < 14 else value
        try:
            moment = datetime.strptime(padded[:14], "%Y%m%d%H%M%S")
        except ValueError:
            raise ValueError(f"{text!r} is not a date (examples: 2026-11-29, 2026-11-29T14:00, 20261129140003)") from None
    else:
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace(" ", "T"))
        except ValueError:
            raise ValueError(f"{text!r} is not a date (examples: 2026-11-29, 2026-11-29T14:00, 20261129140003)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
