"""Capturing from the loopback farm, then reading every record back with warcio."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import os
import sqlite3
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from linkcheck.archive import Archive, ArchiveError, CaptureOptions, CapturePolicy
from linkcheck.check.client import make_client
from tests.farm import redirect, respond, sequence
from tests.helpers import fast_settings
from tests.test_archive_helpers import capture_all, gzip_member_count, pdf_bytes, read_records

PAGE = "<html><head><title>A  cited\n page</title><link rel=stylesheet href='/style.css'>" \
       "<script src='js/app.js'></script></head><body><img src='/logo.png'><p>Hello</p></body></html>"  # fmt: skip
LATIN1 = "<html><head><title>Café</title></head><body>Société générale, ½ €</body></html>".encode("cp1252")
BIG = b"<p>" + b"0123456789" * 30_000 + b"</p>"  # 300 kB


def served(records, url, kind="response"):
    found = [r for r in records if r[0] == kind and r[1] == url]
    assert found, (kind, url, [(r[0], r[1]) for r in records])
    return found[-1]


def test_every_kind_of_page_is_archived_byte_for_byte(farm, tmp_path):
    site = farm.host()
    gz_body = gzip.compress(b"<title>zipped</title><p>compressed on the wire</p>")
    pdf = pdf_bytes("Hello PDF")
    site.route("/page", respond(200, PAGE))
    site.route("/style.css", respond(200, "body { color: red }", {"Content-Type": "text/css"}))
    site.route("/js/app.js", respond(200, "console.log(1)", {"Content-Type": "application/javascript"}))
    site.route("/logo.png", respond(200, b"\x89PNG\r\n\x1a\nfake", {"Content-Type": "image/png"}))
    site.route("/paper.pdf", respond(200, pdf, {"Content-Type": "application/pdf"}))
    site.route("/old", redirect(301, "/older")).route("/older", redirect(302, "/page"))
    site.route("/gz", respond(200, gz_body, {"Content-Type": "text/html", "Content-Encoding": "gzip"}))
    site.route("/latin1", respond(200, LATIN1, {"Content-Type": "text/html; charset=windows-1252"}))
    site.route("/big", respond(200, BIG))
    site.route("/chunked", respond(200, "<p>sent in chunks</p>", chunked=True))
    u = site.url
    options = CaptureOptions(requisites=True, max_resource_bytes=100_000)
    captures = capture_all(tmp_path, [u("/old"), u("/paper.pdf"), u("/gz"), u("/latin1"), u("/big"), u("/chunked")], options=options)

    assert all(captures), captures
    old, _, _, _, big, _ = captures
    assert (old.url, old.final_url, old.http_status, old.requisites) == (u("/old"), u("/page"), 200, 3)
    assert big.truncated == "length"

    records = read_records(tmp_path)
    assert served(records, u("/page"))[4] == PAGE.encode()
    assert served(records, u("/style.css"))[4] == b"body { color: red }"
    assert served(records, u("/js/app.js"))[4] == b"console.log(1)"
    assert served(records, u("/logo.png"))[4] == b"\x89PNG\r\n\x1a\nfake"
    assert served(records, u("/paper.pdf"))[4] == pdf
    assert served(records, u("/gz"))[4] == gz_body  # still gzip: as it came off the wire
    assert served(records, u("/gz"))[3].get_header("Content-Encoding") == "gzip"
    assert served(records, u("/latin1"))[4] == LATIN1
    assert served(records, u("/chunked"))[4] == b"<p>sent in chunks</p>"
    assert served(records, u("/chunked"))[3].get_header("Transfer-Encoding") is None
    cut = served(records, u("/big"))
    assert cut[4] == BIG[:100_000] and cut[2].get_header("WARC-Truncated") == "length"

    # Each hop of the redirect chain is its own response record, with its status.
    assert served(records, u("/old"))[3].get_statuscode() == "301"
    assert served(records, u("/older"))[3].get_statuscode() == "302"
    assert served(records, u("/older"))[3].get_header("Location") == "/page"


@pytest.mark.parametrize("transport", ["handed-in httpx client", "linkcheck's own"])
def test_records_carry_the_warc_headers_replay_needs(farm, tmp_path, transport):
    site = farm.host().route("/p", respond(200, "<title>t</title>x"))
    client = make_client(fast_settings(farm)) if transport == "linkcheck's own" else None
    [capture] = capture_all(tmp_path, [site.url("/p")], client=client)
    records = read_records(tmp_path)
    assert [r[0] for r in records] == ["warcinfo", "response", "request"]
    _, _, response, http, _ = records[1]
    _, _, request, request_http, _ = records[2]
    assert response.protocol == "WARC/1.1"
    assert response.get_header("WARC-Target-URI") == site.url("/p")
    assert response.get_header("WARC-IP-Address") == "127.0.0.1"
    assert response.get_header("WARC-Payload-Digest") == capture.payload_digest
    assert response.get_header("WARC-Block-Digest").startswith("sha1:")
    assert response.get_header("WARC-Record-ID") == capture.record_id
    assert response.get_header("WARC-Linkcheck-Role") == "page"
    assert request.get_header("WARC-Concurrent-To") == capture.record_id
    assert request.get_header("WARC-Date") == response.get_header("WARC-Date")
    assert (request_http.protocol, request_http.statusline) == ("GET", "/p HTTP/1.1")
    assert http.get_header("Server") == "linkcheck-test-farm"
    warc = tmp_path / capture.warc_file
    assert gzip_member_count(warc) == 3  # one gzip member per record
    assert capture.to_dict()["warc_file"] == capture.warc_file and capture.warc_file.startswith("archive/")
    assert farm.hosts[0].requests[0].method == "GET"


def test_unchanged_page_becomes_a_revisit_and_a_changed_one_a_new_response(farm, tmp_path):
    site = farm.host()
    site.route("/same", respond(200, "<p>stable</p>"))
    site.route("/moving", sequence(respond(200, "<p>v1</p>"), respond(200, "<p>v2</p>")))
    urls = [site.url("/same"), site.url("/moving")]
    first = capture_all(tmp_path, urls)
    second = capture_all(tmp_path, urls)

    assert [c.record_type for c in first] == ["response", "response"]
    same, moving = second
    assert same.record_type == "revisit" and same.refers_to == first[0].record_id
    assert same.payload_digest == first[0].payload_digest
    assert moving.record_type == "response" and moving.payload_digest != first[1].payload_digest

    revisit = [r for r in read_records(tmp_path) if r[0] == "revisit"]
    assert len(revisit) == 1
    _, uri, headers, http, payload = revisit[0]
    assert uri == site.url("/same") and payload == b""
    assert headers.get_header("WARC-Profile") == "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
    assert headers.get_header("WARC-Refers-To") == first[0].record_id
    assert headers.get_header("WARC-Refers-To-Target-URI") == site.url("/same")
    assert headers.get_header("WARC-Refers-To-Date") == first[0].captured_at
    assert http.get_statuscode() == "200"

    third = capture_all(tmp_path, [site.url("/same")])[0]
    assert third.refers_to == first[0].record_id  # always the record holding the payload


def test_policy_changed_writes_nothing_for_an_unchanged_page(farm, tmp_path):
    site = farm.host().route("/same", respond(200, "<p>stable</p>"))
    first = capture_all(tmp_path, [site.url("/same")], policy="changed")[0]
    again = capture_all(tmp_path, [site.url("/same")], policy="changed")[0]
    assert site.count("/same") == 2  # fetched, to compare
    assert again.reused and again.record_id == first.record_id and again.to_dict()["reused"] is True
    assert [r[0] for r in read_records(tmp_path)].count("revisit") == 0


def test_policy_older_than_skips_the_request_while_the_capture_is_young(farm, tmp_path):
    site = farm.host().route("/p", respond(200, "<p>x</p>"))
    first = capture_all(tmp_path, [site.url("/p")])[0]
    young = capture_all(tmp_path, [site.url("/p")], policy="older-than:1h")[0]
    assert site.count("/p") == 1 and young.reused and young.record_id == first.record_id

    def later() -> datetime:
        return datetime.now(timezone.utc) + timedelta(hours=2)

    old = capture_all(tmp_path, [site.url("/p")], policy=CapturePolicy.parse("older-than:1h"), clock=later)[0]
    assert site.count("/p") == 2 and not old.reused and old.record_type == "revisit"


def test_reused_capture_names_the_end_of_the_redirect_chain(farm, tmp_path):
    site = farm.host().route("/a", redirect(301, "/b")).route("/b", respond(200, "<title>B</title>"))
    capture_all(tmp_path, [site.url("/a")])
    reused = capture_all(tmp_path, [site.url("/a")], policy="older-than:1d")[0]
    assert reused.reused and reused.final_url == site.url("/b") and reused.http_status == 200


def test_what_is_not_captured_says_why(farm, tmp_path):
    site = farm.host()
    site.route("/img", respond(200, b"GIF89a", {"Content-Type": "image/gif"}))
    site.route("/loop", redirect(302, "/loop2")).route("/loop2", redirect(302, "/loop"))
    closed = farm.host()
    closed.close()
    urls = [site.url("/img"), site.url("/loop"), closed.url("/")]

    async def run():
        async with httpx.AsyncClient() as client, Archive(tmp_path) as archive:
            results = [await archive.capture(client, url) for url in urls]
            return results, dict(archive.skipped)

    results, skipped = asyncio.run(run())
    assert results == [None, None, None]
    assert "content type image/gif is not captured" in skipped[site.url("/img")]
    assert "redirect loop" in skipped[site.url("/loop")]
    assert "ConnectError" in skipped[closed.url("/")]
    assert capture_all(tmp_path, [site.url("/img")], options=CaptureOptions(content_types=("image/*",)))[0]


def test_requisites_are_bounded_in_count_and_bytes(farm, tmp_path):
    site = farm.host()
    images = "".join(f"<img src='/i{n}.png'>" for n in range(10))
    site.route("/many", respond(200, f"<title>m</title>{images}"))
    site.default(respond(200, b"\x89PNG" + b"0" * 996, {"Content-Type": "image/png"}))
    counted = capture_all(tmp_path / "a", [site.url("/many")], options=CaptureOptions(requisites=True, max_requisites=4))[0]
    assert counted.requisites == 4
    sized = capture_all(tmp_path / "b", [site.url("/many")], options=CaptureOptions(requisites=True, max_requisite_bytes=2500))[0]
    assert sized.requisites == 3  # 1000 + 1000 + the third cut at the budget
    cut = [r for r in read_records(tmp_path / "b") if r[0] == "response" and r[2].get_header("WARC-Truncated")]
    assert len(cut) == 1 and len(cut[0][4]) == 500


def test_many_concurrent_captures_share_one_writer(farm, tmp_path):
    site = farm.host()
    for n in range(40):
        site.route(f"/p{n}", respond(200, f"<title>{n}</title>" + "y" * 5000, delay=0.01))
    urls = [site.url(f"/p{n}") for n in range(40)]

    async def run():
        async with httpx.AsyncClient() as client, Archive(tmp_path) as archive:
            return await asyncio.gather(*(archive.capture(client, url) for url in urls))

    captures = asyncio.run(run())
    assert all(captures)
    records = read_records(tmp_path)
    assert len([r for r in records if r[0] == "response"]) == 40
    db = sqlite3.connect(tmp_path / "catalog.sqlite")
    assert db.execute("SELECT count(*) FROM records").fetchone()[0] == len(records)
    titles = dict(db.execute("SELECT url, title FROM records WHERE record_type = 'response'").fetchall())
    assert titles[site.url("/p7")] == "7"


def test_an_unwritable_archive_folder_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")

    async def run():
        async with Archive(blocker / "archive"):
            pass

    with pytest.raises(ArchiveError, match="cannot create the archive folder"):
        asyncio.run(run())


def test_a_full_disk_fails_the_capture_and_damages_nothing(farm, tmp_path, monkeypatch):
    from linkcheck.archive import warc
    from linkcheck.archive.verify import verify_archive

    site = farm.host().route("/a", respond(200, "<p>a</p>")).route("/b", respond(200, "<p>b</p>" * 1000))
    real_write = warc._GzipMember.write

    def full_disk(self, data):
        real_write(self, data)
        raise OSError(28, "No space left on device")

    async def run():
        async with httpx.AsyncClient() as client, Archive(tmp_path) as archive:
            kept = await archive.capture(client, site.url("/a"))
            monkeypatch.setattr(warc._GzipMember, "write", full_disk)
            with pytest.raises(ArchiveError, match="No space left on device"):
                await archive.capture(client, site.url("/b"))
            monkeypatch.setattr(warc._GzipMember, "write", real_write)
            with pytest.raises(ArchiveError):  # the archive stays stopped for this run
                await archive.capture(client, site.url("/a"))
            assert archive.failure is not None
            return kept

    kept = asyncio.run(run())
    assert verify_archive(tmp_path).ok
    assert [r[1] for r in read_records(tmp_path) if r[0] == "response"] == [kept.url]


def test_the_same_url_twice_at_once_is_one_response_and_one_revisit(farm, tmp_path):
    site = farm.host().route("/p", respond(200, "<p>same</p>"))

    async def run():
        async with httpx.AsyncClient() as client, Archive(tmp_path) as archive:
            return await asyncio.gather(*(archive.capture(client, site.url("/p")) for _ in range(3)))

    captures = asyncio.run(run())
    assert sorted(c.record_type for c in captures) == ["response", "revisit", "revisit"]
    original = next(c for c in captures if c.record_type == "response")
    assert all(c.refers_to == original.record_id for c in captures if c.record_type == "revisit")


def test_hooks_from_the_engine_apply_to_every_hop_and_credentials_stay_out(farm, tmp_path):
    site = farm.host().route("/a", redirect(302, "/b")).route("/b", respond(200, "<p>b</p>")).route("/c", redirect(302, "/private"))
    entered = []

    @contextlib.asynccontextmanager
    async def slot(host):
        entered.append(host)
        yield

    captures = capture_all(
        tmp_path, [site.url("/a"), site.url("/c")], slot=slot,
        headers_for=lambda host: {"Authorization": "Bearer s3cret", "X-Team": "docs"},
        allow_url=lambda url: "/private" not in url,
    )  # fmt: skip
    assert captures[0] is not None and captures[1] is None
    assert entered == ["127.0.0.1"] * 3  # /a, /b, /c; /private never requested
    assert site.count("/private") == 0
    assert {r.header("authorization") for r in site.requests} == {"Bearer s3cret"}
    requests = [r for r in read_records(tmp_path) if r[0] == "request"]
    assert {r[3].get_header("Authorization") for r in requests} == {"[redacted by linkcheck]"}
    # Every header configured for the host counts as a credential: redacted too.
    assert {r[3].get_header("X-Team") for r in requests} == {"[redacted by linkcheck]"}


def test_a_full_warc_file_is_closed_and_the_next_one_started(farm, tmp_path):
    from linkcheck.archive.verify import verify_archive

    site = farm.host()
    for n in range(5):
        site.route(f"/p{n}", respond(200, f"<p>{n}</p>" + os.urandom(2000).hex()))  # > 1500 bytes gzipped
    capture_all(tmp_path, [site.url(f"/p{n}") for n in range(5)], max_warc_file_bytes=1500)  # a soft cap, checked per batch
    files = sorted((tmp_path / "archive").glob("*.warc.gz"))
    assert len(files) == 5 and not list((tmp_path / "archive").glob("*.open"))
    assert all(read_records_types(path)[0] == "warcinfo" for path in files)
    result = verify_archive(tmp_path)
    assert result.ok and (result.files, result.records) == (5, 15)


def read_records_types(path):
    from warcio.archiveiterator import ArchiveIterator

    with open(path, "rb") as stream:
        return [record.rec_type for record in ArchiveIterator(stream)]
