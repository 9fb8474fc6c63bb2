"""The catalog: one SQLite row per WARC record, and the CDXJ index pywb replays from.

The catalog (`catalog.sqlite`) is the source of truth every command reads: which
records exist, where (WARC file, offset, length), and what they hold (URL, time, HTTP
status, content type, payload digest, title). A row is inserted only after its record
is fsynced, in one transaction per capture, so a killed run never leaves a row that
points at nothing. The CDXJ file is derived from it and rewritten atomically when a run
closes (or recovers), sorted by SURT key as pywb's binary search needs.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from warcio.statusandheaders import StatusAndHeaders

from linkcheck.archive.content import decode_content, html_title
from linkcheck.archive.errors import ArchiveError
from linkcheck.archive.options import media_type
from linkcheck.archive.warc import parse_warc_date, warc_date

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    record_id      TEXT PRIMARY KEY,
    record_type    TEXT NOT NULL,   -- warcinfo, request, response, revisit
    role           TEXT,            -- page, hop, requisite (response/revisit only)
    url            TEXT,            -- WARC-Target-URI
    captured_at    TEXT NOT NULL,   -- WARC-Date, UTC, microseconds: sorts as time
    http_status    INTEGER,
    content_type   TEXT,
    payload_digest TEXT,
    warc_file      TEXT NOT NULL,   -- relative to the archive folder
    offset         INTEGER NOT NULL,
    length         INTEGER NOT NULL,-- bytes of the record's gzip member
    title          TEXT,
    refers_to      TEXT,            -- revisit: the record holding the payload
    truncated      TEXT,            -- WARC-Truncated reason
    location       TEXT,            -- redirect target, absolute
    UNIQUE (warc_file, offset)
);
CREATE INDEX IF NOT EXISTS records_by_url ON records (url, captured_at);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

#: Record types replay needs in the CDXJ (requests and warcinfo are not looked up by URL).
REPLAY_TYPES = ("response", "revisit")


@dataclass(slots=True)
class Entry:
    """One catalog row."""

    record_id: str
    record_type: str
    role: str | None
    url: str | None
    captured_at: str
    http_status: int | None
    content_type: str | None
    payload_digest: str | None
    warc_file: str
    offset: int
    length: int
    title: str | None = None
    refers_to: str | None = None
    truncated: str | None = None
    location: str | None = None


_COLUMNS = [f.name for f in fields(Entry)]


class Catalog:
    """The SQLite catalog of an archive folder (WAL mode, fsynced commits)."""

    def __init__(self, path: Path, *, readonly: bool = False) -> None:
        self.path = path
        try:
            self._db = sqlite3.connect(path, check_same_thread=False)
            self._db.execute("PRAGMA busy_timeout=10000")
            if readonly:
                self._db.execute("PRAGMA query_only=ON")
            else:
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=FULL")
                self._db.executescript(_SCHEMA)
                self._db.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
                self._db.commit()
        except sqlite3.Error as exc:
            raise ArchiveError(f"cannot open the archive catalog {path}: {exc}") from None

    def close(self) -> None:
        self._db.close()

    def add(self, entries: Iterable[Entry]) -> None:
        """Insert rows in one transaction (all or none)."""
        rows = [tuple(asdict(entry).values()) for entry in entries]
        placeholders = ", ".join("?" for _ in _COLUMNS)
        try:
            with self._db:
                self._db.executemany(f"INSERT OR IGNORE INTO records ({', '.join(_COLUMNS)}) VALUES ({placeholders})", rows)
        except sqlite3.Error as exc:
            raise ArchiveError(f"cannot write the archive catalog {self.path}: {exc}") from None

    def _query(self, sql: str, params: tuple[object, ...] = ()) -> list[Entry]:
        try:
            cursor = self._db.execute(f"SELECT {', '.join(_COLUMNS)} FROM records {sql}", params)
            return [Entry(*row) for row in cursor.fetchall()]
        except sqlite3.Error as exc:
            raise ArchiveError(f"cannot read the archive catalog {self.path}: {exc}") from None

    def get(self, record_id: str) -> Entry | None:
        found = self._query("WHERE record_id = ?", (record_id,))
        return found[0] if found else None

    def latest(self, url: str) -> Entry | None:
        """The newest response or revisit of exactly this URL."""
        found = self._query(
            "WHERE url = ? AND record_type IN ('response', 'revisit') ORDER BY captured_at DESC LIMIT 1", (url,)
        )
        return found[0] if found else None

    def captures(self, url: str | None = None, roles: tuple[str, ...] | None = None) -> list[Entry]:
        """Responses and revisits, newest first; of one URL, or of the given roles."""
        sql = "WHERE record_type IN ('response', 'revisit')"
        params: tuple[object, ...] = ()
        if url is not None:
            sql += " AND url = ?"
            params += (url,)
        if roles:
            sql += f" AND role IN ({', '.join('?' for _ in roles)})"
            params += roles
        return self._query(sql + " ORDER BY captured_at DESC, rowid DESC", params)

    def all(self) -> list[Entry]:
        return self._query("ORDER BY warc_file, offset")

    def in_file(self, warc_file: str) -> list[Entry]:
        return self._query("WHERE warc_file = ? ORDER BY offset", (warc_file,))


# ------------------------------------------------------------------------------ CDXJ


def surt_key(url: str) -> str:
    """The SURT sort key pywb looks URLs up by: `org,example)/path?a=1&b=2`.

    Follows the IA canonicalization pywb applies by default (lower case, `www.` and
    default ports dropped, host labels reversed (IPv4 too), path without its
    trailing slash, query arguments sorted, fragment dropped). Exotic URLs (session
    ids, percent-encoding variants) may key differently; `wb-manager reindex` then
    rebuilds pywb's own index from the WARC files.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    host = re.sub(r"^www\d*\.", "", host)
    if ":" not in host:  # IPv6 stays as it is; names and IPv4 are reversed alike
        host = ",".join(reversed(host.split(".")))
    port = parts.port
    if port is not None and (scheme, port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{port}"
    path = (parts.path or "/").lower()
    if len(path) > 1 and path.endswith("/"):
        path = path[:-1]
    query = parts.query.lower()
    if query:
        query = "&".join(sorted(query.split("&")))
    return f"{host}){path}" + (f"?{query}" if query else "")


def cdxj_lines(entries: Iterable[Entry]) -> Iterator[str]:
    """CDXJ lines for the replayable entries, sorted as pywb and replayweb.page need."""
    lines = []
    for entry in entries:
        if entry.record_type not in REPLAY_TYPES or not entry.url:
            continue
        stamp = re.sub(r"\D", "", entry.captured_at)[:14]
        mime = "warc/revisit" if entry.record_type == "revisit" else (entry.content_type or "").split(";", 1)[0].strip()
        fields_ = {
            "url": entry.url,
            "mime": mime or "unk",
            "status": str(entry.http_status or ""),
            "digest": entry.payload_digest or "",
            "length": str(entry.length),
            "offset": str(entry.offset),
            "filename": Path(entry.warc_file).name,
        }
        lines.append(f"{surt_key(entry.url)} {stamp} {json.dumps(fields_)}\n")
    lines.sort()
    return iter(lines)


def write_cdxj(path: Path, entries: Iterable[Entry]) -> None:
    """Replace the CDXJ file atomically (readers see the old one or the whole new one)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "w", encoding="utf-8", newline="\n") as out:
            out.writelines(cdxj_lines(entries))
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise ArchiveError(f"cannot write the CDXJ index {path}: {exc.strerror or exc}") from None


# --------------------------------------------------------------------- rows from records

ROLE_HEADER = "WARC-Linkcheck-Role"


def make_entry(
    record_type: str,
    warc_headers: StatusAndHeaders,
    http_headers: StatusAndHeaders | None,
    warc_file: str,
    offset: int,
    length: int,
    body: bytes | None = None,
) -> Entry:
    """The catalog row of a record, from its headers (and its payload, for the title).

    One function for records just written and records found again by recovery, so
    both index the same way.
    """
    url = warc_headers.get_header("WARC-Target-URI") or None
    status = content_type = location = title = None
    if http_headers is not None and record_type in REPLAY_TYPES:
        code = http_headers.get_statuscode()
        status = int(code) if code and code.isdigit() else None
        content_type = http_headers.get_header("Content-Type")
        if status in (301, 302, 303, 307, 308) and http_headers.get_header("Location") and url:
            try:
                location = urljoin(url, http_headers.get_header("Location").strip()).split("#", 1)[0]
            except ValueError:
                location = None
        if body is not None and media_type(content_type) in ("text/html", "application/xhtml+xml"):
            title = html_title(decode_content(body, http_headers.get_header("Content-Encoding")), content_type)
    return Entry(
        record_id=warc_headers.get_header("WARC-Record-ID") or "",
        record_type=record_type,
        role=warc_headers.get_header(ROLE_HEADER),
        url=url,
        captured_at=_normalized_date(warc_headers.get_header("WARC-Date") or ""),
        http_status=status,
        content_type=content_type,
        payload_digest=warc_headers.get_header("WARC-Payload-Digest"),
        warc_file=warc_file,
        offset=offset,
        length=length,
        title=title,
        refers_to=warc_headers.get_header("WARC-Refers-To"),
        truncated=warc_headers.get_header("WARC-Truncated"),
        location=location,
    )


def _normalized_date(text: str) -> str:
    try:
        return warc_date(parse_warc_date(text))
    except (ValueError, TypeError):
        return text
