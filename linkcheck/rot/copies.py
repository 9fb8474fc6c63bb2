"""Archived copies for broken citations: where a reader can still see what was cited.

Sources, tried in this order until one has a copy:

1. `local`: linkcheck's own archive, the live capture closest in time to `near`. Its
   `archive_url` is a pywb replay path, `archive/<YYYYMMDDhhmmss>/<url>`, relative to the
   replay server's root when the archive folder is served as the pywb collection named
   `archive` (`ln -s "$PWD/archive" replay/collections/archive; cd replay; pywb`), so
   `http://localhost:8080/` + archive_url replays it.
2. `memento`: a Memento TimeGate (RFC 7089). `GET {timegate}{url}` with
   `Accept-Datetime: near`; the TimeGate redirects to the memento (or answers it with
   `Content-Location`); the memento's `Memento-Datetime` is the capture time.
3. `wayback`: the Wayback Machine availability API, `GET {api}?url=…&timestamp=…`, whose
   JSON `archived_snapshots.closest` names the nearest snapshot.

`citation` is for copies the document itself cites (wikitext `archive-url`), checked with
`check_cited_copy`. A service that is off (None), unreachable or slow is skipped with a
note; the outcome is then `SuggestOutcome(None, notes)`, never an exception.
"""

from __future__ import annotations

from linkcheck.rot.options import DEFAULT_MEMENTO_TIMEGATE, DEFAULT_WAYBACK_API

import asyncio
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlencode, urljoin

import httpx

from linkcheck.check.body import BodyLimitExceeded, read_chunks
from linkcheck.check.transport import Client, Transport, as_transport
from linkcheck.models import iso_utc
from linkcheck.redirects import REDIRECT_STATUSES, RedirectRefused, RedirectTrail, redirect_target

#: Seconds one service may take (all its requests together) before it is given up on.
DEFAULT_SUGGEST_TIMEOUT = 15.0
#: The pywb collection name local replay paths start with.
LOCAL_REPLAY_COLLECTION = "archive"
#: Redirects followed to a memento or a cited copy (a TimeGate takes one, Wayback one or two).
_MAX_HOPS = 10
_MAX_JSON_BYTES = 1024 * 1024


@dataclass(slots=True)
class SuggestOutcome:
    """The best archived copy (the JSON report's `suggestion` shape) or None, and what each
    source said on the way (why there is no suggestion, when there is none)."""

    suggestion: dict[str, str | None] | None
    notes: list[str] = field(default_factory=list)


async def suggest(
    url: str,
    near: datetime,
    *,
    archive_dir: str | os.PathLike[str] | None,
    client: Client,
    memento_timegate: str | None = DEFAULT_MEMENTO_TIMEGATE,
    wayback_api: str | None = DEFAULT_WAYBACK_API,
    timeout: float = DEFAULT_SUGGEST_TIMEOUT,
) -> SuggestOutcome:
    """The archived copy of `url` closest to `near`: local archive, then Memento, then Wayback."""
    moment = near if near.tzinfo else near.replace(tzinfo=timezone.utc)
    transport = as_transport(client)
    notes: list[str] = []
    url = url.split("#", 1)[0]
    if archive_dir is not None:
        found = await _local(url, moment, archive_dir, notes)
        if found is not None:
            return SuggestOutcome(found, notes)
    for name, endpoint, lookup in (
        ("Memento TimeGate", memento_timegate, _memento),
        ("Wayback availability API", wayback_api, _wayback),
    ):
        if endpoint is None:
            continue
        try:
            async with asyncio.timeout(timeout):
                found, note = await lookup(url, moment, endpoint, transport)
        except TimeoutError:
            found, note = None, f"timed out after {timeout:g}s"
        except httpx.HTTPError as exc:
            found, note = None, _unreachable(exc)
        except httpx.InvalidURL as exc:  # the cited URL cannot be put into the service's address
            found, note = None, f"cannot ask for this URL ({exc})"
        except (ValueError, TypeError, BodyLimitExceeded) as exc:  # JSON, dates or an encoding that do not parse
            found, note = None, f"unreadable answer ({exc})"
        if found is not None:
            return SuggestOutcome(found, notes)
        notes.append(f"{name} {endpoint}: {note}")
    return SuggestOutcome(None, notes)


async def _local(url: str, near: datetime, archive_dir: str | os.PathLike[str], notes: list[str]) -> dict[str, str | None] | None:
    from linkcheck.archive.errors import ArchiveError
    from linkcheck.archive.layout import Layout
    from linkcheck.rot._archive import closest

    try:
        found = await asyncio.to_thread(closest, archive_dir, url, near)
    except ArchiveError as exc:
        notes.append(f"local archive: {exc}")
        return None
    if found is None:
        if Layout(Path(archive_dir)).catalog.is_file():  # no archive folder yet: nothing to say
            notes.append(f"the local archive in folder {os.fspath(archive_dir)!r}: no capture that answered 2xx, e.g. of {url}")
        return None
    stamp = found.when.astimezone(timezone.utc).strftime("%Y%m%d%H%M%S")
    return {"archive_url": f"{LOCAL_REPLAY_COLLECTION}/{stamp}/{url}", "captured_at": iso_utc(found.when), "source": "local"}


async def _memento(url: str, near: datetime, timegate: str, transport: Transport) -> tuple[dict[str, str | None] | None, str]:
    headers = {"Accept-Datetime": format_datetime(near.astimezone(timezone.utc), usegmt=True)}
    current, status, answer_headers = await _followed(transport, timegate + url, headers)
    if status == 404:
        return None, "no memento of this URL"
    if not 200 <= status < 300:
        return None, f"answered {status}"
    when = answer_headers.get("memento-datetime")
    if not when:
        return None, f"the answer ({current}) has no Memento-Datetime: not a memento"
    memento = urljoin(current, answer_headers.get("content-location", "").strip() or current)
    return {"archive_url": memento, "captured_at": iso_utc(parsedate_to_datetime(when)), "source": "memento"}, ""


async def _wayback(url: str, near: datetime, api: str, transport: Transport) -> tuple[dict[str, str | None] | None, str]:
    stamp = near.astimezone(timezone.utc).strftime("%Y%m%d%H%M%S")
    query = urlencode({"url": url, "timestamp": stamp})
    async with transport.open("GET", f"{api}{'&' if '?' in api else '?'}{query}") as answer:
        if answer.status != 200:
            return None, f"answered {answer.status}"
        body = await read_chunks(answer.chunks(), answer.headers.get("content-encoding", ""), limit=_MAX_JSON_BYTES + 1, max_ratio=1000)
    if len(body) > _MAX_JSON_BYTES:
        return None, "answer too large"
    import json

    data = json.loads(body)
    closest = (data.get("archived_snapshots") or {}).get("closest") if isinstance(data, dict) else None
    if not isinstance(closest, dict) or not closest.get("available", True) or not closest.get("url"):
        return None, "no snapshot of this URL"
    if not str(closest.get("status", "200")).startswith("2"):
        return None, f"the closest snapshot recorded a {closest.get('status')} answer"
    return {"archive_url": str(closest["url"]), "captured_at": _stamp_date(str(closest.get("timestamp", ""))), "source": "wayback"}, ""


async def check_cited_copy(
    archive_url: str,
    client: Client,
    *,
    archive_date: str | None = None,
    timeout: float = DEFAULT_SUGGEST_TIMEOUT,
) -> dict[str, str | None] | None:
    """The `suggestion` for an archived copy the document already cites, if it answers 2xx
    (redirects followed). `captured_at` comes from Memento-Datetime, else a 14-digit stamp
    in the URL (`/web/20190503120000/…`), else the citation's own `archive_date`."""
    try:
        async with asyncio.timeout(timeout):
            _, status, headers = await _followed(as_transport(client), archive_url)
    except (TimeoutError, httpx.HTTPError, httpx.InvalidURL):
        return None
    if not 200 <= status < 300:
        return None
    when = headers.get("memento-datetime")
    captured: str | None = None
    if when:
        try:
            captured = iso_utc(parsedate_to_datetime(when))
        except (TypeError, ValueError):
            captured = None
    if captured is None:
        stamp = re.search(r"/(\d{14})(?:[a-z_]{0,4})/", archive_url)
        captured = _stamp_date(stamp.group(1)) if stamp else _citation_date(archive_date)
    return {"archive_url": archive_url, "captured_at": captured, "source": "citation"}


async def _followed(transport: Transport, url: str, headers: dict[str, str] | None = None) -> tuple[str, int, Mapping[str, str]]:
    """GET `url`, redirects followed (at most `_MAX_HOPS`, no loops): the last URL, its status
    and headers. Only heads are read. A redirect that cannot be followed is the answer."""
    trail = RedirectTrail(url, _MAX_HOPS)
    current = url
    while True:
        async with transport.open("GET", current, headers) as answer:
            status, answer_headers = answer.status, answer.headers
        if status not in REDIRECT_STATUSES:
            return current, status, answer_headers
        try:
            target = redirect_target(current, status, answer_headers.get("location"))
            trail.follow(target)
        except RedirectRefused:
            return current, status, answer_headers
        current = target


def _stamp_date(stamp: str) -> str | None:
    try:
        return iso_utc(datetime.strptime(stamp[:14], "%Y%m%d%H%M%S").replace(tzinfo=timezone.utc))
    except ValueError:
        return None


def _citation_date(text: str | None) -> str | None:
    if not text:
        return None
    try:
        from linkcheck.archive.browse import parse_when

        return iso_utc(parse_when(text))
    except ValueError:
        return text.strip() or None


def _unreachable(exc: httpx.HTTPError) -> str:
    from linkcheck.check.outcome import failure_from_exception

    return f"unreachable ({failure_from_exception(exc).message})"
