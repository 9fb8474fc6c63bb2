"""Reading the archive for people: the captures of a URL, and the capture closest to a date.

These read the catalog only (no lock): SQLite gives a consistent view while a run is
writing, and a record is in the catalog only once it is on disk.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from linkcheck.archive.content import body_text, decode_content
from linkcheck.archive.errors import ArchiveError
from linkcheck.archive.index import Catalog, Entry
from linkcheck.archive.layout import Layout
from linkcheck.archive.warc import parse_record, parse_warc_date, read_member, resolve_warc

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


def show_capture(path: str | os.PathLike[str], url: str, at: datetime | None = None) -> Shown | None:
    """The capture of `url` closest to `at` (default: the newest), followed through its
    redirects in the archive, with the text of the page it ends on."""
    layout, catalog = _catalog(path)
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
        return Shown(chain, _text(layout, holder), holder)
    finally:
        catalog.close()


def _closest(entries: list[Entry], at: datetime | None) -> Entry | None:
    if not entries:
        return None
    if at is None:
        return entries[0]
    return min(entries, key=lambda entry: abs((parse_warc_date(entry.captured_at) - at).total_seconds()))


def _text(layout: Layout, entry: Entry) -> str:
    path = resolve_warc(layout.root, entry.warc_file)
    try:
        record = parse_record(read_member(path, entry.offset, entry.length))
    except (OSError, ValueError) as exc:
        raise ArchiveError(f"cannot read {entry.warc_file} @ {entry.offset}: {exc}") from None
    headers = record.http_headers
    encoding = headers.get_header("Content-Encoding") if headers else None
    body = decode_content(record.payload, encoding)
    return body_text(body, entry.content_type)


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
