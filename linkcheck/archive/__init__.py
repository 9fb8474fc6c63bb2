"""linkcheck's own copy of every cited page: standard WARC files, a catalog, a pywb index.

The archive folder (`archive/` unless `--archive-dir` or `archive.path` say otherwise)
is a pywb collection as it stands, plus linkcheck's own files:

    archive/
    ├── archive/                      WARC files (the pywb collection's `archive/` folder)
    │   ├── linkcheck-20261129140003-4242-9f2c1a.warc.gz        one per run (a new one past 1 GiB)
    │   └── linkcheck-20261130091500-4311-07be4d.warc.gz.open   being written by a run right now
    ├── indexes/
    │   └── index.cdxj                CDXJ index of every response and revisit, SURT-sorted
    ├── catalog.sqlite                the snapshot catalog every `linkcheck archive` command reads
    ├── history.sqlite                the history of every check (linkcheck.history)
    └── .lock                         flock held by the run using the folder (its pid inside)

WARC files are WARC/1.1, one gzip member per record. Capturing a URL writes, for each
hop of its redirect chain, a `response` record and the `request` that produced it
(`WARC-Concurrent-To`), with `WARC-Target-URI`, `WARC-Date`, `WARC-IP-Address`,
`WARC-Payload-Digest` and `WARC-Block-Digest`; replay follows the same redirects.
Bodies are stored as received after transfer decoding: a gzip-encoded page stays
gzip-encoded and the payload digest is over those bytes (the `Transfer-Encoding` header
is not recorded, since the stored body is no longer chunked). A body cut at the size
cap carries `WARC-Truncated: length` (`time` or `disconnect` when the timeout or the
server cut it). Credentials (`Authorization`, `Cookie`) are redacted in request records.
Every response and revisit carries `WARC-Linkcheck-Role`: `page` (the cited URL),
`hop` (a later hop of its redirect chain) or `requisite` (a stylesheet, image or script
of a page, with `--requisites`).

Deduplication: a payload identical to the URL's last capture is written as a `revisit`
record (profile identical-payload-digest, `WARC-Refers-To`, `WARC-Refers-To-Target-URI`,
`WARC-Refers-To-Date`, pointing at the record that holds the payload). The capture
policy says when to capture again: `always` (default: every capture is recorded, an
unchanged page as a revisit, so the archive shows it was seen unchanged that day),
`changed` (fetch, but write nothing when unchanged; the result names the earlier
capture as `reused`), `older-than:DURATION` (no request while the last capture is
younger; `reused` too).

`catalog.sqlite` has one row per record (requests and warcinfo included): URL, capture
time, HTTP status, content type, payload digest, WARC file (relative to the archive
folder), offset and length of the record's gzip member, page title, record id and type,
role, the revisited record, the redirect target. A row is written only after its record
is fsynced. `indexes/index.cdxj` is rewritten from the catalog when a run closes.

Crash safety: a WARC file is written as `NAME.warc.gz.open` and renamed when closed. A
run killed at any moment (even SIGKILL) leaves at most that orphan, whose complete
records may not be indexed yet and whose last record may be cut. The next process that
takes the lock (a capture run, `archive verify`, `archive export`) RECOVERS it: its
complete records are indexed from their own headers, the incomplete last record (never
indexed) is cut off, the file gets its final name, and the CDXJ is rewritten. Two runs
never write at once: the second waits for the lock (saying so) up to `--lock-timeout`
(`archive.lock_timeout`), then fails with ArchiveLocked (exit 5, busy). A full disk or an
unwritable folder raises ArchiveError (exit 2); what was archived before stays intact.

Replay with pywb (kept out of linkcheck's dependencies; install it in any venv):

    mkdir -p replay/collections && ln -s "$PWD/archive" replay/collections/linkcheck
    cd replay && pywb --port 8080
    # then open http://localhost:8080/linkcheck/<URL> (or .../linkcheck/<YYYYMMDDhhmmss>/<URL>)

`linkcheck archive export --wacz FILE` packs the archive into one WACZ file that
https://replayweb.page opens in a browser.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from linkcheck._lazy import lazy_exports

if TYPE_CHECKING:
    from linkcheck.archive.capture import CaptureSkipped
    from linkcheck.archive.errors import ArchiveError, ArchiveLocked
    from linkcheck.archive.export import export_wacz
    from linkcheck.archive.options import (
        DEFAULT_CAPTURE_TIMEOUT,
        DEFAULT_CONTENT_TYPES,
        DEFAULT_LOCK_TIMEOUT,
        DEFAULT_MAX_REQUISITE_BYTES,
        DEFAULT_MAX_REQUISITES,
        DEFAULT_MAX_RESOURCE_BYTES,
        DEFAULT_POLICY,
        CaptureOptions,
        CapturePolicy,
    )
    from linkcheck.archive.store import Archive, Capture
    from linkcheck.archive.verify import Verification, verify_archive

#: Where each public name lives. Loaded on first use, so that `linkcheck.archive.errors`
#: and `.lock` (which every check run needs for the history lock) do not import warcio.
_HOMES = {
    "Archive": "store", "Capture": "store", "CaptureSkipped": "capture",
    "ArchiveError": "errors", "ArchiveLocked": "errors",
    "CaptureOptions": "options", "CapturePolicy": "options", "DEFAULT_CAPTURE_TIMEOUT": "options",
    "DEFAULT_CONTENT_TYPES": "options", "DEFAULT_LOCK_TIMEOUT": "options", "DEFAULT_MAX_REQUISITES": "options",
    "DEFAULT_MAX_REQUISITE_BYTES": "options", "DEFAULT_MAX_RESOURCE_BYTES": "options", "DEFAULT_POLICY": "options",
    "Verification": "verify", "verify_archive": "verify", "export_wacz": "export",
}  # fmt: skip

__all__ = [
    "DEFAULT_CAPTURE_TIMEOUT",
    "DEFAULT_CONTENT_TYPES",
    "DEFAULT_LOCK_TIMEOUT",
    "DEFAULT_MAX_REQUISITES",
    "DEFAULT_MAX_REQUISITE_BYTES",
    "DEFAULT_MAX_RESOURCE_BYTES",
    "DEFAULT_POLICY",
    "Archive",
    "ArchiveError",
    "ArchiveLocked",
    "Capture",
    "CaptureOptions",
    "CapturePolicy",
    "CaptureSkipped",
    "Verification",
    "export_wacz",
    "verify_archive",
]


__getattr__ = lazy_exports(__name__, globals(), {name: f"linkcheck.archive.{home}" for name, home in _HOMES.items()})


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOMES))
