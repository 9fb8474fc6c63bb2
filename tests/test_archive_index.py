"""The pure parts: SURT keys, CDXJ lines, policies, sizes, dates, page content; and golden
WARC headers with a pinned clock and pinned record ids."""

from __future__ import annotations

import itertools
import json
from datetime import datetime, timezone

import pytest

from linkcheck.archive import CaptureOptions, CapturePolicy
from linkcheck.archive.browse import parse_when
from linkcheck.archive.content import body_text, charset_of, html_title, requisite_urls
from linkcheck.archive.index import Entry, cdxj_lines, surt_key
from linkcheck.archive.options import parse_size
from tests.farm import respond
from tests.test_archive_helpers import capture_all, pdf_bytes, read_records


@pytest.mark.parametrize(
    ("url", "key"),
    [
        # Expected values are what the `surt` package (pywb's canonicalizer) gives.
        ("http://127.0.0.1:8080/a/B/?b=2&a=1#x", "1,0,0,127:8080)/a/b?a=1&b=2"),
        ("https://www.Example.com/", "com,example)/"),
        ("https://example.com:443/x/", "com,example)/x"),
        ("http://[::1]:80/x", "::1)/x"),
        ("http://sub.example.co.uk/Path%20x?Z=1", "uk,co,example,sub)/path%20x?z=1"),
        ("http://www2.example.org", "org,example)/"),
    ],
)
def test_surt_keys_match_pywb(url, key):
    assert surt_key(url) == key


def entry(**values):
    base = dict(
        record_id="<urn:uuid:1>", record_type="response", role="page", url="http://example.org/b",
        captured_at="2026-11-29T14:00:03.000001Z", http_status=200, content_type="text/html; charset=utf-8",
        payload_digest="sha1:AAAA", warc_file="archive/x.warc.gz", offset=10, length=99,
    )  # fmt: skip
    base.update(values)
    return Entry(**base)


def test_cdxj_lines_are_sorted_and_carry_what_pywb_reads():
    lines = list(cdxj_lines([
        entry(),
        entry(record_id="2", url="http://example.org/a", record_type="revisit", captured_at="2026-11-30T00:00:00.000000Z"),
        entry(record_id="3", record_type="request"),
        entry(record_id="4", record_type="warcinfo", url=None),
    ]))  # fmt: skip
    assert [line.split(" ", 2)[:2] for line in lines] == [
        ["org,example)/a", "20261130000000"],
        ["org,example)/b", "20261129140003"],
    ]
    fields = json.loads(lines[1].split(" ", 2)[2])
    assert fields == {
        "url": "http://example.org/b", "mime": "text/html", "status": "200", "digest": "sha1:AAAA",
        "length": "99", "offset": "10", "filename": "x.warc.gz",
    }  # fmt: skip
    assert json.loads(lines[0].split(" ", 2)[2])["mime"] == "warc/revisit"


def test_policies_parse_and_print():
    assert CapturePolicy.parse("always") == CapturePolicy("always")
    assert CapturePolicy.parse(" Changed ") == CapturePolicy("changed")
    assert CapturePolicy.parse("older-than:7d") == CapturePolicy("older-than", 7 * 86400)
    assert str(CapturePolicy.parse("older-than:90m")) == "older-than:1h30m"
    for bad in ("sometimes", "older-than", "older-than:soon"):
        with pytest.raises(ValueError):
            CapturePolicy.parse(bad)


def test_sizes_and_dates_parse():
    assert parse_size("20MiB") == 20 * 2**20
    assert parse_size("500kB") == 500_000
    assert parse_size("1048576") == 2**20
    with pytest.raises(ValueError):
        parse_size("big")
    utc = timezone.utc
    assert parse_when("2026-11-29") == datetime(2026, 11, 29, tzinfo=utc)
    assert parse_when("2026-11-29T14:00") == datetime(2026, 11, 29, 14, tzinfo=utc)
    assert parse_when("2026-11-29 14:00:03Z") == datetime(2026, 11, 29, 14, 0, 3, tzinfo=utc)
    assert parse_when("20261129140003") == datetime(2026, 11, 29, 14, 0, 3, tzinfo=utc)
    assert parse_when("202611") == datetime(2026, 11, 1, tzinfo=utc)
    with pytest.raises(ValueError):
        parse_when("yesterday")


def test_content_types_captured():
    options = CaptureOptions()
    assert options.captures_type("text/html; charset=utf-8")
    assert options.captures_type("application/pdf")
    assert not options.captures_type("image/png")
    assert not options.captures_type(None)
    assert CaptureOptions(content_types=("image/*",)).captures_type("image/png")
    assert CaptureOptions(content_types=("*/*",)).captures_type(None)


def test_page_content_helpers():
    page = b"<html><head><base href='/sub/'><title> T\n i </title><link rel='preload stylesheet' href='a.css'>" \
           b"<script src='//cdn.example/x.js'></script></head><body><img src='data:x'><img src='i.png#f'>" \
           b"<script>var hidden=1</script><p>Visible</p></body></html>"  # fmt: skip
    assert html_title(page, "text/html") == "T i"
    assert requisite_urls(page, "text/html", "http://example.org/dir/page") == [
        "http://example.org/sub/a.css", "http://cdn.example/x.js", "http://example.org/sub/i.png",
    ]  # fmt: skip
    assert body_text(page, "text/html") == "Visible"  # no title, no script
    assert body_text(b"<p>one</p><ul><li>two &amp; three</li></ul>", "text/html") == "one\ntwo & three"
    assert body_text("Café".encode("cp1252"), "text/plain; charset=windows-1252") == "Café"
    assert charset_of("text/html; charset=ISO-8859-1", b"") == "iso8859-1"
    assert charset_of(None, b"<meta charset='windows-1252'>") == "cp1252"
    assert "Hello PDF" in body_text(pdf_bytes("Hello PDF"), "application/pdf")


def test_record_headers_are_exact_with_a_pinned_clock_and_ids(farm, tmp_path):
    site = farm.host().route("/p", respond(200, "hello", {"Content-Type": "text/plain"}))
    moment = datetime(2026, 11, 29, 14, 0, 3, 250000, tzinfo=timezone.utc)
    ids = (f"<urn:uuid:00000000-0000-0000-0000-{n:012d}>" for n in itertools.count(1))
    [capture] = capture_all(tmp_path, [site.url("/p")], clock=lambda: moment, make_id=lambda: next(ids))
    warcinfo, response, request = [(r[0], r[2].headers, r[3], r[4]) for r in read_records(tmp_path)]
    assert response[1] == [
        ("WARC-Type", "response"),
        ("WARC-Record-ID", "<urn:uuid:00000000-0000-0000-0000-000000000001>"),
        ("WARC-Date", "2026-11-29T14:00:03.250000Z"),
        ("WARC-Target-URI", site.url("/p")),
        ("WARC-IP-Address", "127.0.0.1"),
        ("WARC-Linkcheck-Role", "page"),
        ("WARC-Payload-Digest", "sha1:VL2MMHO4YXUKFWV63YHTWSBM3GXKSQ2N"),
        ("WARC-Block-Digest", "sha1:CGVUCBVHOFLJOWWRSMR6MN4E74IYM52B"),
        ("Content-Type", "application/http; msgtype=response"),
        ("Content-Length", "122"),
    ]
    assert response[2].headers == [
        ("Content-Type", "text/plain"), ("Content-Length", "5"), ("Connection", "keep-alive"), ("Server", "linkcheck-test-farm"),
    ]  # fmt: skip
    assert response[3] == b"hello"
    assert dict(request[1])["WARC-Concurrent-To"] == capture.record_id
    assert dict(warcinfo[1])["WARC-Record-ID"] == "<urn:uuid:00000000-0000-0000-0000-000000000003>"
    assert capture.to_dict() == {
        "warc_file": capture.warc_file, "record_id": "<urn:uuid:00000000-0000-0000-0000-000000000001>",
        "record_type": "response", "payload_digest": "sha1:VL2MMHO4YXUKFWV63YHTWSBM3GXKSQ2N",
        "captured_at": "2026-11-29T14:00:03Z", "http_status": 200, "url": site.url("/p"), "reused": False,
    }  # fmt: skip


def test_the_archive_front_door_is_small_and_stable():
    import linkcheck.archive

    assert sorted(linkcheck.archive.__all__) == [
        "Archive", "ArchiveError", "ArchiveLocked", "Capture", "CaptureOptions", "CapturePolicy", "CaptureSkipped",
        "DEFAULT_CAPTURE_TIMEOUT", "DEFAULT_CONTENT_TYPES", "DEFAULT_LOCK_TIMEOUT", "DEFAULT_MAX_REQUISITES",
        "DEFAULT_MAX_REQUISITE_BYTES", "DEFAULT_MAX_RESOURCE_BYTES", "DEFAULT_POLICY", "Verification",
        "export_wacz", "verify_archive",
    ]  # fmt: skip
    for name in linkcheck.archive.__all__:
        assert hasattr(linkcheck.archive, name), name
    assert sorted(linkcheck.archive._HOMES) == sorted(linkcheck.archive.__all__)


def test_the_history_lock_does_not_need_warcio():
    """Every check run takes the archive lock; only capturing needs warcio."""
    import subprocess
    import sys

    code = "import sys, linkcheck.archive.lock, linkcheck.archive.errors; print('warcio' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"
