"""Carrying on after a killed run: finish its WARC file and index what it completed.

A run killed at any moment can leave, at worst, one `*.warc.gz.open` file whose tail
is an incomplete record, records that were complete but not yet indexed, a stale CDXJ,
and a stray temporary index file. Whoever next holds the lock (a capture run, `archive
verify`, `archive export`) recovers before anything else:

- every complete record of the orphan file that the catalog lacks is indexed (from its
  own headers, as if just written);
- an incomplete last record (never indexed: rows are added only after fsync) is cut off;
- the file gets its final name, exactly as if its run had closed it;
- the CDXJ is rewritten when it no longer matches the catalog.

The lock guarantees no other process is still writing the file being recovered, and
`LIVE_FILES` that this one is not.
"""

from __future__ import annotations

import os
from pathlib import Path

from linkcheck.archive.errors import ArchiveError
from linkcheck.archive.index import Catalog, Entry, cdxj_lines, make_entry
from linkcheck.archive.layout import Layout
from linkcheck.archive.storage import LocalStorage, Storage
from linkcheck.archive.warc import LIVE_FILES, OPEN_SUFFIX, BadTail, iter_members, parse_record


def recover(layout: Layout, catalog: Catalog, storage: Storage | None = None) -> list[str]:
    """Recover every orphan WARC file; returns one line per thing done (empty: nothing).

    With a bucket for storage, finished WARC files still in the folder (an upload that
    failed or was killed) are uploaded too.
    """
    storage = storage or LocalStorage(layout)
    notes = []
    for stray in layout.cdxj.parent.glob(".*.tmp"):
        stray.unlink(missing_ok=True)
    try:
        for orphan in sorted(layout.warc_dir.glob("*" + OPEN_SUFFIX)):
            if orphan.resolve() not in LIVE_FILES:  # not one this process is writing
                notes.append(_recover_file(layout, catalog, orphan))
        notes += storage.publish_pending()
        if refresh_cdxj(layout, catalog, storage):
            notes.append(f"rewrote {storage.cdxj_name} from the catalog")
    except OSError as exc:
        raise ArchiveError(f"cannot recover the archive {layout.root}: {exc.strerror or exc}") from None
    return notes


def _recover_file(layout: Layout, catalog: Catalog, orphan: Path) -> str:
    final = orphan.with_name(orphan.name[: -len(OPEN_SUFFIX)])
    relative = layout.relative(final)
    known = {entry.offset for entry in catalog.in_file(relative)}
    found: list[Entry] = []
    good_end = 0
    for member in iter_members(orphan):
        if isinstance(member, BadTail):
            break
        good_end = member.offset + member.length
        if member.offset in known:
            continue
        try:
            record = parse_record(member.data)
        except Exception:  # noqa: BLE001 - warcio raises several types on a damaged record
            continue  # complete but unreadable: not ours to index; `verify` names it
        if not record.digest_problems:
            found.append(make_entry(record.record_type, record.headers, record.http_headers, relative, member.offset, member.length, record.payload))
    size = orphan.stat().st_size
    if size > good_end:
        with open(orphan, "r+b") as stream:
            stream.truncate(good_end)
            os.fsync(stream.fileno())
    catalog.add(found)
    if good_end == 0:
        orphan.unlink()
        return f"removed {orphan.name}: an interrupted run left no complete record in it"
    os.replace(orphan, final)
    cut = f", cut {size - good_end} bytes of an incomplete record" if size > good_end else ""
    return f"recovered {relative} from an interrupted run: indexed {len(found)} more records{cut}"


def refresh_cdxj(layout: Layout, catalog: Catalog, storage: Storage | None = None) -> bool:
    """Rewrite the CDXJ if it differs from what the catalog says; True if it was rewritten."""
    storage = storage or LocalStorage(layout)
    expected = "".join(cdxj_lines(catalog.all()))
    current = storage.read_cdxj()
    if current == expected:
        return False
    storage.write_cdxj(catalog.all())
    return current is not None or bool(expected)
