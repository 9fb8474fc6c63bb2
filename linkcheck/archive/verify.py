"""`archive verify`: the catalog and the WARC files agree, record for record.

Checked, with every problem named by file and offset:
- every catalog entry points at one complete gzip member holding the record it names
  (same record id, type and length), whose block and payload digests verify;
- every record in every WARC file is in the catalog; no file has an incomplete tail;
- every file the catalog names exists; every revisit's original exists with the same
  payload digest;
- the CDXJ index is exactly what the catalog says.

Verify takes the archive's lock and first recovers what a killed run left (see
`recover`), reporting that as notes, not problems: an interrupted run is a normal
event, and after recovery the archive is whole.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from linkcheck.archive.index import Catalog, Entry, cdxj_lines
from linkcheck.archive.layout import Layout
from linkcheck.archive.lock import ArchiveLock
from linkcheck.archive.options import DEFAULT_LOCK_TIMEOUT
from linkcheck.archive.recover import recover
from linkcheck.archive.storage import Storage, open_storage
from linkcheck.archive.warc import OPEN_SUFFIX, WARC_SUFFIX, BadTail, iter_members, parse_record


@dataclass(slots=True)
class Verification:
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    files: int = 0
    records: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_archive(
    path: str | os.PathLike[str],
    *,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    on_message: Callable[[str], None] | None = None,
    storage_url: str | None = None,
) -> Verification:
    """Verify the archive in folder `path` (its WARC files in the bucket `storage_url`
    names, when it names one: every record is then read back from the bucket)."""
    layout = Layout(Path(path))
    if not layout.root.is_dir():
        layout.require()  # raises: no such archive folder
    # The lock comes first, also for an empty archive: a run holding the folder may be
    # writing its first capture, and verify must not answer "consistent" under it.
    lock = ArchiveLock(layout.root, lock_timeout, on_message)
    lock.acquire_blocking()
    try:
        storage = open_storage(layout, storage_url)
        if not layout.catalog.exists() and not _warc_files(layout) and not storage.warc_files():
            # No catalog and no WARC file yet (only the run history, or a run killed before
            # its first capture): an empty archive, and a consistent one.
            return Verification(notes=["the archive is empty"])
        if not layout.catalog.exists():
            layout.prepare()  # WARC files but no catalog (killed before it was written): recovery indexes them
        else:
            layout.require()
        catalog = Catalog(layout.catalog)
        try:
            result = Verification(notes=recover(layout, catalog, storage))
            _check(layout, catalog, result, storage)
        finally:
            catalog.close()
    finally:
        lock.release()
    return result


def _warc_files(layout: Layout) -> list[Path]:
    if not layout.warc_dir.is_dir():
        return []
    return [p for p in layout.warc_dir.iterdir() if p.name.endswith((WARC_SUFFIX, WARC_SUFFIX + OPEN_SUFFIX, OPEN_SUFFIX))]


def _check(layout: Layout, catalog: Catalog, result: Verification, storage: Storage) -> None:
    entries = catalog.all()
    by_file: dict[str, dict[int, Entry]] = {}
    for entry in entries:
        by_file.setdefault(entry.warc_file, {})[entry.offset] = entry
    for relative in storage.warc_files():
        result.files += 1
        with storage.open(relative) as stream:
            _check_file(stream, relative, by_file.pop(relative, {}), result)
    for leftover in sorted(layout.warc_dir.glob("*" + OPEN_SUFFIX)):
        result.problems.append(f"{layout.relative(leftover)}: unfinished WARC file that recovery could not finish")
    for relative, missing in sorted(by_file.items()):
        result.problems.append(f"{relative}: file missing, yet {len(missing)} catalog entries point into it")
    by_id = {entry.record_id: entry for entry in entries}
    for entry in entries:
        if entry.record_type != "revisit":
            continue
        original = by_id.get(entry.refers_to or "")
        if original is None:
            result.problems.append(f"{_where(entry)}: revisit of {entry.url} refers to {entry.refers_to}, which is not in the archive")
        elif original.payload_digest != entry.payload_digest:
            result.problems.append(f"{_where(entry)}: revisit digest {entry.payload_digest} differs from its original's {original.payload_digest}")
    _check_cdxj(storage, entries, result)


def _check_file(stream: IO[bytes], relative: str, expected: dict[int, Entry], result: Verification) -> None:
    for member in iter_members(stream):
        if isinstance(member, BadTail):
            result.problems.append(f"{relative} @ {member.offset}: {member.reason}")
            break
        result.records += 1
        entry = expected.pop(member.offset, None)
        try:
            record = parse_record(member.data)
        except Exception as exc:  # noqa: BLE001 - warcio raises several types on a damaged record
            result.problems.append(f"{relative} @ {member.offset}: unreadable record ({exc})")
            continue
        for problem in record.digest_problems:
            result.problems.append(f"{relative} @ {member.offset}: {record.record_type} {record.record_id}: {problem}")
        if entry is None:
            url = record.header("WARC-Target-URI") or ""
            result.problems.append(f"{relative} @ {member.offset}: {record.record_type} record {record.record_id} {url} is not in the catalog")
            continue
        if (entry.record_id, entry.record_type, entry.length) != (record.record_id, record.record_type, member.length):
            result.problems.append(
                f"{relative} @ {member.offset}: catalog says {entry.record_type} {entry.record_id} ({entry.length} bytes), "
                f"the file holds {record.record_type} {record.record_id} ({member.length} bytes)"
            )
        elif entry.payload_digest and entry.payload_digest != record.header("WARC-Payload-Digest"):
            result.problems.append(f"{relative} @ {member.offset}: catalog digest {entry.payload_digest} differs from the record's")
    for entry in expected.values():
        result.problems.append(f"{_where(entry)}: the catalog's {entry.record_type} record {entry.record_id} is not a record boundary in the file")


def _check_cdxj(storage: Storage, entries: list[Entry], result: Verification) -> None:
    current = storage.read_cdxj() or ""
    expected = "".join(cdxj_lines(entries))
    if current != expected:
        result.problems.append(f"{storage.cdxj_name} does not match the catalog")


def _where(entry: Entry) -> str:
    return f"{entry.warc_file} @ {entry.offset}"
