"""Archived copies for broken citations: the local archive (a real capture from the farm),
a fake Memento TimeGate and a fake Wayback availability API on loopback, and both
services down."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qs, urlsplit

import httpx

from linkcheck.rot import SuggestOutcome, check_cited_copy, suggest
from tests.farm import Farm, Host, RequestRecord, hang, redirect, respond
from tests.test_rot_drift import capture, page

NEAR = datetime(2025, 2, 1, tzinfo=timezone.utc)
#: What the fake services have archived: original URL -> snapshot time (14 digits).
KNOWN = {"http://cited.example/article": "20240611083000", "http://cited.example/only-wayback": "20230102030405"}
MEMENTO_ONLY = {"http://cited.example/article"}


def timegate(farm: Farm) -> Host:
    """RFC 7089 pattern 2.2: the TimeGate redirects to the memento, which carries Memento-Datetime."""
    host = farm.host()

    def answer(request: RequestRecord):
        path = request.path
        if path.startswith("/timegate/"):
            original = path[len("/timegate/") :]
            if "accept-datetime" not in request.headers or original not in MEMENTO_ONLY:
                return respond(404, "no memento")
            return redirect(302, f"/memento/{KNOWN[original]}/{original}", {"Vary": "accept-datetime"})
        if path.startswith("/memento/"):
            stamp, original = path[len("/memento/") :].split("/", 1)
            when = datetime.strptime(stamp, "%Y%m%d%H%M%S").strftime("%a, %d %b %Y %H:%M:%S GMT")
            return respond(200, "<p>archived</p>", {"Memento-Datetime": when, "Link": f'<{original}>; rel="original"'})
        return respond(404, "")

    return host.default(answer)


def wayback(farm: Farm) -> Host:
    host = farm.host()

    def answer(request: RequestRecord):
        query = parse_qs(urlsplit(request.path).query)
        url, timestamp = query["url"][0], query["timestamp"][0]
        assert len(timestamp) == 14 and timestamp.isdigit()
        if url == "http://cited.example/archived-404":
            closest = {"available": True, "status": "404", "timestamp": "20200101000000", "url": "http://web.example/x"}
        elif url in KNOWN:
            closest = {"available": True, "status": "200", "timestamp": KNOWN[url], "url": f"http://web.example/web/{KNOWN[url]}/{url}"}
        else:
            return respond(200, json.dumps({"url": url, "archived_snapshots": {}}), {"Content-Type": "application/json"})
        return respond(200, json.dumps({"url": url, "archived_snapshots": {"closest": closest}}), {"Content-Type": "application/json"})

    return host.route("/wayback/available", answer)


def run_suggest(url: str, **kwargs) -> SuggestOutcome:
    async def run() -> SuggestOutcome:
        async with httpx.AsyncClient() as client:
            return await suggest(url, kwargs.pop("near", NEAR), client=client, **{"archive_dir": None} | kwargs)

    return asyncio.run(run())


def test_local_archive_first_closest_live_capture(farm, tmp_path):
    site = farm.host().route("/paper", respond(200, page("lighthouse")))
    capture(tmp_path, [site.url("/paper")], datetime(2023, 3, 1, 8, 0, 0, tzinfo=timezone.utc))
    capture(tmp_path, [site.url("/paper")], datetime(2025, 1, 10, 12, 0, 0, tzinfo=timezone.utc))
    site.route("/paper", respond(404, "gone"))
    capture(tmp_path, [site.url("/paper")], datetime(2025, 2, 1, 0, 0, 0, tzinfo=timezone.utc))  # a 404: no copy
    gate, api = timegate(farm), wayback(farm)

    outcome = run_suggest(site.url("/paper"), archive_dir=tmp_path, memento_timegate=gate.url("/timegate/"), wayback_api=api.url("/wayback/available"))
    assert outcome.suggestion == {
        "archive_url": f"archive/20250110120000/{site.url('/paper')}",
        "captured_at": "2025-01-10T12:00:00Z",
        "source": "local",
    }
    assert gate.requests == [] and api.requests == []  # the local copy is enough

    older = run_suggest(site.url("/paper#section"), near=datetime(2022, 1, 1), archive_dir=tmp_path, memento_timegate=None, wayback_api=None)
    assert older.suggestion["captured_at"] == "2023-03-01T08:00:00Z"


def test_memento_timegate_then_wayback(farm, tmp_path):
    gate, api = timegate(farm), wayback(farm)
    services = {"memento_timegate": gate.url("/timegate/"), "wayback_api": api.url("/wayback/available")}

    memento = run_suggest("http://cited.example/article", archive_dir=tmp_path / "no-archive", **services)
    assert memento.suggestion == {
        "archive_url": gate.url("/memento/20240611083000/http://cited.example/article"),
        "captured_at": "2024-06-11T08:30:00Z",
        "source": "memento",
    }
    [asked] = [r for r in gate.requests if r.path.startswith("/timegate/")]
    assert parsedate_to_datetime(asked.header("accept-datetime")) == NEAR
    assert memento.notes == []  # no archive folder yet: nothing worth a notice

    fallback = run_suggest("http://cited.example/only-wayback", **services)
    assert fallback.suggestion == {
        "archive_url": "http://web.example/web/20230102030405/http://cited.example/only-wayback",
        "captured_at": "2023-01-02T03:04:05Z",
        "source": "wayback",
    }
    assert fallback.notes == [f"Memento TimeGate {gate.url('/timegate/')}: no memento of this URL"]
    [wb] = api.requests
    assert parse_qs(urlsplit(wb.path).query) == {"url": ["http://cited.example/only-wayback"], "timestamp": ["20250201000000"]}

    nothing = run_suggest("http://cited.example/never-archived", **services)
    assert nothing.suggestion is None and len(nothing.notes) == 2 and "no snapshot" in nothing.notes[1]
    archived_error = run_suggest("http://cited.example/archived-404", **services)
    assert archived_error.suggestion is None and "recorded a 404" in archived_error.notes[1]


def test_both_services_down_gives_none_with_reasons(farm):
    refused_gate, refused_api = farm.host(), farm.host()
    gate_url, api_url = refused_gate.url("/timegate/"), refused_api.url("/wayback/available")
    refused_gate.close()
    refused_api.close()
    outcome = run_suggest("http://cited.example/article", memento_timegate=gate_url, wayback_api=api_url)
    assert outcome.suggestion is None
    assert outcome.notes == [
        f"Memento TimeGate {gate_url}: unreachable (connection refused)",
        f"Wayback availability API {api_url}: unreachable (connection refused)",
    ]

    slow = farm.host().default(hang())
    outcome = run_suggest("http://cited.example/article", memento_timegate=slow.url("/tg/"), wayback_api=slow.url("/api"), timeout=0.3)
    assert outcome.suggestion is None and all(note.endswith("timed out after 0.3s") for note in outcome.notes)

    off = run_suggest("http://cited.example/article", memento_timegate=None, wayback_api=None)
    assert off == SuggestOutcome(None, [])


def test_garbage_from_a_service_is_a_note_not_a_crash(farm):
    bad = farm.host().route("/api", respond(200, "{not json", {"Content-Type": "application/json"}))
    bad.route("/tg/http://cited.example/article", respond(200, "<p>no headers</p>"))
    outcome = run_suggest("http://cited.example/article", memento_timegate=bad.url("/tg/"), wayback_api=bad.url("/api"))
    assert outcome.suggestion is None
    assert "no Memento-Datetime" in outcome.notes[0] and "unreadable answer" in outcome.notes[1]


def test_through_linkcheck_transport_a_gzipped_answer_is_read_and_a_corrupt_one_is_a_note(farm):
    """Services answer gzip when asked (linkcheck's transport asks): the JSON is read decoded;
    a body that is not the gzip it claims is a note, not a crash."""
    import gzip

    from linkcheck.check import make_client
    from tests.helpers import fast_settings

    found = {"url": "http://cited.example/x", "archived_snapshots": {"closest": {"available": True, "status": "200",
             "timestamp": "20230102030405", "url": "http://web.example/web/20230102030405/http://cited.example/x"}}}  # fmt: skip
    api = farm.host().route("/ok", respond(200, gzip.compress(json.dumps(found).encode()), {"Content-Encoding": "gzip"}))
    # A gzip header, then a deflate block of the reserved type 3: zlib refuses it at once.
    api.route("/corrupt", respond(200, gzip.compress(b"{}")[:10] + b"\xff\xff\xff\xff", {"Content-Encoding": "gzip"}))

    def through_ours(endpoint: str) -> SuggestOutcome:
        async def run() -> SuggestOutcome:
            async with make_client(fast_settings(farm)) as client:
                return await suggest("http://cited.example/x", NEAR, archive_dir=None, client=client, memento_timegate=None, wayback_api=endpoint)

        return asyncio.run(run())

    assert through_ours(api.url("/ok")).suggestion == {"archive_url": found["archived_snapshots"]["closest"]["url"],
                                                       "captured_at": "2023-01-02T03:04:05Z", "source": "wayback"}  # fmt: skip
    corrupt = through_ours(api.url("/corrupt"))
    assert corrupt.suggestion is None and "unreadable answer (the gzip body is corrupt" in corrupt.notes[0]


def test_a_url_no_service_can_be_asked_for_is_a_note_not_a_crash(farm):
    """A control character in the cited URL cannot go into the TimeGate's address (httpx
    refuses it, as linkcheck's transport does): each service says so in a note."""
    gate, api = timegate(farm), wayback(farm)
    outcome = run_suggest("http://cited.example/a\x01b", memento_timegate=gate.url("/timegate/"), wayback_api=api.url("/wayback/available"))
    assert outcome.suggestion is None
    assert outcome.notes[0].startswith(f"Memento TimeGate {gate.url('/timegate/')}: cannot ask for this URL (Invalid non-printable ASCII")
    assert gate.count() == 0


def test_check_cited_copy(farm):
    archive = farm.host()
    archive.route("/web/20190503120000/http://cited.example/a", respond(200, "<p>copy</p>"))
    archive.route("/web/2019/http://cited.example/b", redirect(302, "/snap/b"))
    archive.route("/snap/b", respond(200, "<p>copy</p>", {"Memento-Datetime": "Fri, 03 May 2019 12:00:00 GMT"}))
    archive.route("/copies/c", respond(200, "<p>copy</p>"))
    down = farm.host()
    down_url = down.url("/web/20190503120000/x")
    down.close()

    async def run():
        async with httpx.AsyncClient() as client:
            return [
                await check_cited_copy(archive.url("/web/20190503120000/http://cited.example/a"), client),
                await check_cited_copy(archive.url("/web/2019/http://cited.example/b"), client),
                await check_cited_copy(archive.url("/copies/c"), client, archive_date="2019-05-03"),
                await check_cited_copy(archive.url("/copies/d"), client, archive_date="2019-05-03"),  # 404
                await check_cited_copy(down_url, client),
            ]

    a, b, c, missing, refused = asyncio.run(run())
    assert a == {"archive_url": archive.url("/web/20190503120000/http://cited.example/a"), "captured_at": "2019-05-03T12:00:00Z", "source": "citation"}
    assert b["captured_at"] == "2019-05-03T12:00:00Z" and b["archive_url"] == archive.url("/web/2019/http://cited.example/b")
    assert c == {"archive_url": archive.url("/copies/c"), "captured_at": "2019-05-03T00:00:00Z", "source": "citation"}
    assert missing is None and refused is None
