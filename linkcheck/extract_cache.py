"""Repeat runs skip parsing: a file whose content hash is unchanged reuses its raw links.

Stored in the history database of the archive folder, keyed by the file's absolute path,
its format and the extraction options; a file is re-parsed as soon as one byte changes
(SHA-256 of its content, not its modification time, which copies and checkouts reset).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3

from linkcheck.discover import Document
from linkcheck.extract import ExtractOptions
from linkcheck.models import Notice, RawLink

_SCHEMA = """
CREATE TABLE IF NOT EXISTS extractions (
    key TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL,
    links TEXT NOT NULL,
    notices TEXT NOT NULL
);
"""
#: Bumped when an extractor's output changes meaning, so cached rows of the old meaning are
#: not reused (notebook 2: `line` is the line in the .ipynb file, `cell_line` the line in the cell).
EXTRACTOR_VERSIONS: dict[str, int] = {"notebook": 2}
#: Files larger than this are not cached (plain text that big is streamed, not held).
MAX_CACHED_BYTES = 64 * 1024 * 1024


class ExtractionCache:
    def __init__(self, db: sqlite3.Connection, options: ExtractOptions) -> None:
        self.db = db
        self.options = options
        self.db.executescript(_SCHEMA)

    def _key(self, document: Document) -> str:
        return json.dumps([str(document.path.resolve()), document.format, self.options.include_code, EXTRACTOR_VERSIONS.get(document.format, 1)])

    def digest(self, document: Document) -> str | None:
        try:
            if document.path.stat().st_size > MAX_CACHED_BYTES:
                return None
            return hashlib.sha256(document.path.read_bytes()).hexdigest()
        except OSError:
            return None

    def get(self, document: Document, digest: str | None) -> tuple[list[RawLink], list[Notice]] | None:
        if digest is None:
            return None
        row = self.db.execute("SELECT sha256, links, notices FROM extractions WHERE key = ?", (self._key(document),)).fetchone()
        if row is None or row[0] != digest:
            return None
        links = [RawLink._make(fields) for fields in json.loads(row[1])]
        notices = [Notice(document.display, message) for message in json.loads(row[2])]
        return links, notices

    def put(self, document: Document, digest: str | None, links: list[RawLink], notices: list[Notice]) -> None:
        if digest is None:
            return
        self.db.execute(
            "INSERT OR REPLACE INTO extractions VALUES (?, ?, ?, ?)",
            (self._key(document), digest, json.dumps([list(link) for link in links]), json.dumps([n.message for n in notices])),
        )
