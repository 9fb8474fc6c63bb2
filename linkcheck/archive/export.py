"""`archive export --wacz FILE`: the whole archive as one WACZ file for replayweb.page.

Written here rather than with the `wacz` package: the layout is small (a ZIP with
`archive/`, `indexes/index.cdxj`, `pages/pages.jsonl`, `datapackage.json` listing every
file's sha256, `datapackage-digest.json`), our catalog already has the index and the
page titles, and `wacz` would bring frictionless, pydantic and two dozen more packages
for one command. Our output passes `wacz validate` (see tests/test_archive_export.py).

WARC files are stored uncompressed in the ZIP (they are gzip already, and readers seek
into them); the text files are deflated. The WACZ is written to a temporary file and
renamed (`linkcheck.outfile`), so an interrupted export never leaves a half file under the
name asked for.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

from linkcheck._version import __version__
from linkcheck.archive.errors import ArchiveError
from linkcheck.archive.index import Catalog, Entry, cdxj_lines
from linkcheck.archive.layout import Layout
from linkcheck.archive.lock import ArchiveLock
from linkcheck.archive.options import DEFAULT_LOCK_TIMEOUT
from linkcheck.archive.recover import recover
from linkcheck.archive.storage import Storage, open_storage
from linkcheck.archive.warc import parse_warc_date
from linkcheck.errors import UsageError
from linkcheck.outfile import write_safely

WACZ_VERSION = "1.1.1"
_COPY_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class ExportSummary:
    path: Path
    warc_files: int
    pages: int
    bytes: int


def export_wacz(
    path: str | os.PathLike[str],
    output: str | os.PathLike[str],
    *,
    title: str | None = None,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    on_message: Callable[[str], None] | None = None,
    clock: Callable[[], datetime] | None = None,
    storage_url: str | None = None,
) -> ExportSummary:
    """Pack the archive in folder `path` into the WACZ file `output` (its WARC files read
    by byte range from the bucket `storage_url` names, when it names one)."""
    layout = Layout(Path(path))
    layout.require()
    target = Path(output)
    now = (clock or (lambda: datetime.now(timezone.utc)))()
    lock = ArchiveLock(layout.root, lock_timeout, on_message)
    lock.acquire_blocking()
    try:
        storage = open_storage(layout, storage_url)
        catalog = Catalog(layout.catalog)
        try:
            for note in recover(layout, catalog, storage):
                if on_message is not None:
                    on_message(note)
            entries = catalog.all()
        finally:
            catalog.close()
        pages: list[int] = []
        heading = title or f"linkcheck archive {layout.root.name}"
        try:
            write_safely(target, lambda stream: pages.append(_write(storage, entries, stream, heading, now)), binary=True, what="WACZ")
        except UsageError as exc:
            raise ArchiveError(str(exc)) from None
    finally:
        lock.release()
    files = sorted({entry.warc_file for entry in entries})
    return ExportSummary(target, len(files), pages[0], target.stat().st_size)


def _write(storage: Storage, entries: list[Entry], destination: IO[bytes], title: str, now: datetime) -> int:
    resources: list[dict[str, Any]] = []
    page_lines = list(_pages(entries))
    stamp = (now.year, now.month, now.day, now.hour, now.minute, now.second)
    with zipfile.ZipFile(destination, "w", allowZip64=True) as wacz:
        for relative in sorted({entry.warc_file for entry in entries}):
            info = zipfile.ZipInfo(f"archive/{Path(relative).name}", stamp)
            info.compress_type = zipfile.ZIP_STORED
            digest = hashlib.sha256()
            size = 0
            with storage.open(relative) as reader, wacz.open(info, "w", force_zip64=True) as writer:
                while chunk := reader.read(_COPY_CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    writer.write(chunk)
            resources.append(_resource(info.filename, digest.hexdigest(), size))
        texts = {
            "indexes/index.cdxj": "".join(cdxj_lines(entries)),
            "pages/pages.jsonl": "".join(page_lines),
        }
        for name, text in texts.items():
            data = text.encode("utf-8")
            _store(wacz, name, data, stamp)
            resources.append(_resource(name, hashlib.sha256(data).hexdigest(), len(data)))
        package = {
            "profile": "data-package",
            "resources": resources,
            "wacz_version": WACZ_VERSION,
            "title": title,
            "software": f"linkcheck {__version__}",
            "created": now.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        package_bytes = json.dumps(package, indent=2).encode("utf-8")
        _store(wacz, "datapackage.json", package_bytes, stamp)
        digest_file = {"path": "datapackage.json", "hash": "sha256:" + hashlib.sha256(package_bytes).hexdigest()}
        _store(wacz, "datapackage-digest.json", json.dumps(digest_file, indent=2).encode("utf-8"), stamp)
    return len(page_lines) - 1


def _store(wacz: zipfile.ZipFile, name: str, data: bytes, stamp: tuple[int, ...]) -> None:
    info = zipfile.ZipInfo(name, stamp)  # type: ignore[arg-type]
    info.compress_type = zipfile.ZIP_DEFLATED
    wacz.writestr(info, data)


def _resource(path: str, sha256: str, size: int) -> dict[str, Any]:
    return {"name": Path(path).name.lower(), "path": path, "hash": f"sha256:{sha256}", "bytes": size}


def _pages(entries: Iterable[Entry]) -> Iterable[str]:
    """pages.jsonl: a header line, then one line per capture of a cited page."""
    yield json.dumps({"format": "json-pages-1.0", "id": "pages", "title": "Cited pages"}) + "\n"
    for entry in sorted(entries, key=lambda e: (e.captured_at, e.url or "")):
        if entry.role != "page" or entry.record_type not in ("response", "revisit") or not entry.url:
            continue
        page = {
            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, entry.record_id)),
            "url": entry.url,
            "ts": parse_warc_date(entry.captured_at).strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z",
            "title": entry.title or entry.url,
        }
        yield json.dumps(page) + "\n"
