"""Reading linkcheck's own archive for the rot checks: a URL's captures that ended on a
live page, and that page's payload (synchronous: call through `asyncio.to_thread`).

Only the catalog and single WARC records are read, with linkcheck.archive's helpers; no
lock is taken (SQLite gives a consistent view while a run writes, and a catalog row
exists only once its record is on disk).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from linkcheck.archive.content import decode_content
from linkcheck.archive.errors import ArchiveError
from linkcheck.archive.index import Catalog, Entry
from linkcheck.archive.layout import Layout
from linkcheck.archive.warc import inflate_member, parse_record, parse_warc_date, read_member, resolve_warc

_MAX_HOPS = 20


@dataclass(frozen=True, slots=True)
class Found:
    """A capture of the cited URL that ends on a 2xx page (after its archived redirects)."""

    first: Entry
    final: Entry

    @property
    def when(self) -> datetime:
        return parse_warc_date(self.first.captured_at)


def _open(archive_dir: str | os.PathLike[str]) -> Catalog | None:
    layout = Layout(Path(archive_dir))
    if not layout.catalog.is_file():
        return None
    return Catalog(layout.catalog, readonly=True)


def _live_captures(catalog: Catalog, url: str) -> Iterator[Found]:
    """Newest first; captures whose chain ends on anything but 2xx are left out."""
    for first in catalog.captures(url.split("#", 1)[0]):
        chain = [first]
        while chain[-1].location and len(chain) < _MAX_HOPS:
            at = parse_warc_date(chain[-1].captured_at)
            candidates = catalog.captures(chain[-1].location)
            if not candidates:
                break
            following = min(candidates, key=lambda entry: abs((parse_warc_date(entry.captured_at) - at).total_seconds()))
            if following in chain:
                break
            chain.append(following)
        final = chain[-1]
        if final.http_status is not None and 200 <= final.http_status < 300:
            yield Found(first, final)


def latest_before(archive_dir: str | os.PathLike[str], url: str, before: datetime | None) -> Found | None:
    """The newest live capture of `url` taken strictly before `before` (default: now)."""
    limit = _aware(before) if before is not None else datetime.now(timezone.utc)
    catalog = _open(archive_dir)
    if catalog is None:
        return None
    try:
        return next((found for found in _live_captures(catalog, url) if found.when < limit), None)
    finally:
        catalog.close()


def closest(archive_dir: str | os.PathLike[str], url: str, near: datetime) -> Found | None:
    """The live capture of `url` closest in time to `near` (either side)."""
    moment = _aware(near)
    catalog = _open(archive_dir)
    if catalog is None:
        return None
    try:
        found = list(_live_captures(catalog, url))
    finally:
        catalog.close()
    return min(found, key=lambda f: abs((f.when - moment).total_seconds()), default=None)


def read_page(archive_dir: str | os.PathLike[str], found: Found, storage_url: str | None = None) -> tuple[bytes, str | None]:
    """The final page's payload, content-decoded, and its Content-Type (a revisit is read
    from the record it refers to), from the folder or the bucket of `storage_url`."""
    root = Path(archive_dir)
    holder = found.final
    if holder.record_type == "revisit" and holder.refers_to:
        catalog = _open(root)
        original = catalog.get(holder.refers_to) if catalog is not None else None
        if catalog is not None:
            catalog.close()
        if original is None:
            raise ArchiveError(f"{holder.warc_file} @ {holder.offset}: the revisit's original {holder.refers_to} is missing")
        holder = original
    try:
        if storage_url:
            from linkcheck.archive.storage import open_storage

            storage = open_storage(Layout(root), storage_url)
            member = storage.read_range(holder.warc_file, holder.offset, holder.length)
            record = parse_record(inflate_member(member, holder.offset, holder.length))
        else:
            record = parse_record(read_member(resolve_warc(root, holder.warc_file), holder.offset, holder.length))
    except (OSError, ValueError) as exc:
        raise ArchiveError(f"cannot read {holder.warc_file} @ {holder.offset}: {exc}") from None
    headers = record.http_headers
    encoding = headers.get_header("Content-Encoding") if headers else None
    content_type = (headers.get_header("Content-Type") if headers else None) or holder.content_type
    return decode_content(record.payload, encoding), content_type


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
