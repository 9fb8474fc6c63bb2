"""Browser capture (issue 18): headless Chromium on the loopback farm, every response and a
screenshot into the WARC, the SSRF guard on every request the page makes, bot walls refused."""

from __future__ import annotations

import asyncio
import gzip
import json
import time

import httpx
import pytest

from linkcheck.archive import Archive, CaptureOptions
from linkcheck.archive.browser import BODY_HEADER, unavailable_reason
from linkcheck.archive.index import Catalog
from linkcheck.archive.verify import verify_archive
from linkcheck.check.guard import AddressPolicy
from tests.farm import hang, redirect, respond
from tests.test_archive_helpers import read_records

pytestmark = pytest.mark.skipif(unavailable_reason() is not None, reason=unavailable_reason() or "")

BROWSER = CaptureOptions(capture="browser", timeout=30)
#: The farm's own address is allowed, every other private address refused.
FARM_ONLY = AddressPolicy(allow_private=False, allow=("127.0.0.1/32",))
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005fe02fe0d41f3e20000000049454e44ae426082"
)


def page(extra: str = "") -> str:
    return (
        "<html><head><title>Built by a script</title><link rel=stylesheet href='/style.css'></head>"
        "<body><img src='/logo.png'><p id=out>loading</p>"
        "<script src='/app.js'></script>" + extra + "</body></html>"
    )


APP = "fetch('/data.json').then(r => r.json()).then(d => { document.getElementById('out').textContent = d.text })"


def serve_site(site, body: str | None = None) -> None:
    site.route("/page", respond(200, body or page()))
    site.route("/style.css", respond(200, gzip.compress(b"body { color: navy }" * 20), {"Content-Type": "text/css", "Content-Encoding": "gzip"}))
    site.route("/logo.png", respond(200, PNG, {"Content-Type": "image/png"}))
    site.route("/app.js", respond(200, APP, {"Content-Type": "application/javascript"}))
    site.route("/data.json", respond(200, json.dumps({"text": "fetched by the script"}), {"Content-Type": "application/json"}))


def capture(folder, urls, policy=FARM_ONLY, **options):
    async def run():
        async with httpx.AsyncClient() as client, Archive(folder, options=options.pop("opts", BROWSER), address_policy=policy, **options) as archive:
            captures = [await archive.capture(client, url) for url in urls]
            return captures, list(archive.skipped)

    return asyncio.run(run())


def by_uri(records, uri, kind="response"):
    found = [r for r in records if r[0] == kind and r[1] == uri]
    assert found, (kind, uri, [(r[0], r[1]) for r in records])
    return found[-1]


def test_every_response_and_the_screenshot_are_in_the_warc(farm, tmp_path):
    site = farm.host()
    serve_site(site)
    site.route("/start", redirect(302, "/page"))
    u = site.url
    (captured,), skipped = capture(tmp_path, [u("/start")])

    assert captured is not None, skipped
    assert (captured.url, captured.final_url, captured.http_status) == (u("/start"), u("/page"), 200)
    assert captured.requisites == 4  # stylesheet, image, script, and the script's fetch()
    records = read_records(tmp_path)  # warcio reads every record, digests checked
    hop = by_uri(records, u("/start"))
    assert hop[3].get_statuscode() == "302" and hop[2].get_header("WARC-Linkcheck-Role") == "page"
    final = by_uri(records, u("/page"))
    assert final[2].get_header("WARC-Linkcheck-Role") == "hop"
    assert b"Built by a script" in final[4]
    assert by_uri(records, u("/data.json"))[4] == b'{"text": "fetched by the script"}'
    assert by_uri(records, u("/logo.png"))[4] == PNG
    assert by_uri(records, u("/app.js"))[4] == APP.encode()
    # the stylesheet came gzip-encoded; the browser decoded it, and the record says so
    css = by_uri(records, u("/style.css"))
    assert css[4] == b"body { color: navy }" * 20
    assert css[3].get_header("Content-Encoding") is None
    assert css[3].get_header("Content-Length") == str(len(css[4]))
    assert css[2].get_header(BODY_HEADER).startswith("decoded by the browser; removed Content-Encoding: gzip; Content-Length:")
    for uri in (u("/style.css"), u("/logo.png"), u("/app.js"), u("/data.json")):
        assert by_uri(records, uri)[2].get_header("WARC-Linkcheck-Role") == "requisite"
        assert by_uri(records, uri, "request")  # each with its request record
    page_id = final[2].get_header("WARC-Record-ID")
    shot = by_uri(records, "urn:screenshot:" + u("/start"), "resource")
    assert shot[2].get_header("Content-Type") == "image/png" and shot[4].startswith(b"\x89PNG\r\n\x1a\n")
    assert shot[2].get_header("WARC-Concurrent-To") == page_id
    info = by_uri(records, u("/start"), "metadata")
    assert info[2].get_header("WARC-Concurrent-To") == page_id
    assert b"capture: browser" in info[4] and b"resources: 4" in info[4]

    result = verify_archive(tmp_path)
    assert result.ok, result.problems
    catalog = Catalog(tmp_path / "catalog.sqlite", readonly=True)
    try:
        roles = {(e.record_type, e.role) for e in catalog.all()}
    finally:
        catalog.close()
    assert {("resource", "screenshot"), ("metadata", "page-info"), ("response", "requisite")} <= roles


def test_a_page_cannot_make_the_archiver_fetch_a_private_address(farm, tmp_path):
    site = farm.host()
    private = farm.host("127.0.0.2")  # loopback too, but not in network.allow: must see nothing
    private.default(respond(200, "secret"))
    hidden = f"<img src='{private.url('/direct.png')}'><img src='/bounce.png'><iframe src='/frame'></iframe>"
    serve_site(site, page(hidden))
    site.route("/bounce.png", redirect(302, private.url("/redirected.png")))  # a hop page.route never sees
    site.route("/frame", redirect(302, private.url("/frame")))
    site.route("/go-private", redirect(302, private.url("/page")))
    u = site.url
    (captured, bounced), skipped = capture(tmp_path, [u("/page"), u("/go-private")])

    assert captured is not None, skipped
    assert private.requests == []
    refused = {url for url, reason in skipped if reason.startswith("refused")}
    assert private.url("/direct.png") in refused
    assert private.url("/redirected.png") in refused
    assert bounced is None  # the document itself redirects to the private address
    assert "the guard refused the document" in dict(skipped)[u("/go-private")]
    records = read_records(tmp_path)
    assert not [r for r in records if r[1] and "127.0.0.2" in r[1] and r[0] == "response"]
    assert by_uri(records, u("/data.json"))[4] == b'{"text": "fetched by the script"}'
    info = by_uri(records, u("/page"), "metadata")[4].decode()
    assert f"{private.url('/direct.png')} refused" in info
    assert verify_archive(tmp_path).ok


def test_allow_private_lets_the_page_reach_private_addresses(farm, tmp_path):
    site = farm.host()
    other = farm.host("127.0.0.2")
    other.route("/logo.png", respond(200, PNG, {"Content-Type": "image/png"}))
    serve_site(site, page(f"<img src='{other.url('/logo.png')}'>"))
    (captured,), skipped = capture(tmp_path, [site.url("/page")], policy=AddressPolicy(allow_private=True))
    assert captured is not None, skipped
    assert other.count("/logo.png") == 1
    assert by_uri(read_records(tmp_path), other.url("/logo.png"))[4] == PNG


def test_a_challenge_page_is_a_failed_capture_not_the_content(farm, tmp_path):
    site = farm.host()
    challenge = "<html><head><title>Just a moment...</title></head><body>Checking your browser</body></html>"
    site.route("/cited", respond(403, challenge, {"cf-mitigated": "challenge", "Server": "cloudflare"}))
    (captured,), skipped = capture(tmp_path, [site.url("/cited")])
    assert captured is None
    reason = dict(skipped)[site.url("/cited")]
    assert "bot wall" in reason and "challenge" in reason
    assert not [r for r in read_records(tmp_path) if r[0] in ("response", "resource")]


def test_secrets_from_hosts_headers_are_sent_but_never_written(farm, tmp_path):
    site = farm.host()
    serve_site(site)

    def headers_for(host):
        return {"X-Api-Token": "s3cret-token"} if host == "127.0.0.1" else {}

    (captured,), skipped = capture(tmp_path, [site.url("/page")], headers_for=headers_for)
    assert captured is not None, skipped
    assert site.requests[0].header("x-api-token") == "s3cret-token"
    warc = b"".join(gzip.decompress(p.read_bytes()) for p in (tmp_path / "archive").glob("*.warc.gz"))
    assert b"s3cret-token" not in warc
    assert b"[redacted by linkcheck]" in warc


def test_the_cli_captures_with_a_browser(farm, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from linkcheck.cli.archive import archive

    site = farm.host()
    serve_site(site)
    monkeypatch.setenv("LINKCHECK_NETWORK_ALLOW_PRIVATE", "false")
    monkeypatch.setenv("LINKCHECK_NETWORK_ALLOW", "127.0.0.1/32")
    result = CliRunner().invoke(archive, ["--capture", "browser", "--archive-dir", str(tmp_path), "--format", "json", site.url("/page")])
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.output)
    assert row["archive"]["http_status"] == 200 and row["archive"]["requisites"] == 4
    verified = CliRunner().invoke(archive, ["verify", "--archive-dir", str(tmp_path)])
    assert verified.exit_code == 0, verified.output


def test_check_archive_capture_browser_keeps_what_the_script_fetched(farm, tmp_path, monkeypatch):
    """`linkcheck check --archive --capture browser`: the check's live citation is captured
    in Chromium (the script's data and the screenshot in the WARC); --capture http does not."""
    from click.testing import CliRunner

    from linkcheck.cli import cli

    site = farm.host()
    serve_site(site)
    monkeypatch.setenv("LINKCHECK_NETWORK_ALLOW_PRIVATE", "false")
    monkeypatch.setenv("LINKCHECK_NETWORK_ALLOW", "127.0.0.1/32")
    doc = tmp_path / "notes.md"
    doc.write_text(f"A [cited page]({site.url('/page')}).\n")
    for mode in ("browser", "http"):
        folder = tmp_path / mode
        result = CliRunner().invoke(cli, ["check", "--archive", "--capture", mode, "--archive-dir", str(folder), "--format", "json", str(doc)])
        assert result.exit_code == 0, result.output
        uris = {(r[0], r[1]) for r in read_records(folder)}
        assert ("response", site.url("/page")) in uris
        script_data = ("response", site.url("/data.json")) in uris
        screenshot = ("resource", "urn:screenshot:" + site.url("/page")) in uris
        assert (script_data, screenshot) == ((True, True) if mode == "browser" else (False, False)), (mode, uris)
        assert verify_archive(folder).ok


def test_a_hanging_resource_does_not_fail_the_page_and_a_hanging_document_does(farm, tmp_path):
    site = farm.host()
    serve_site(site, page("<img src='/never.png'>"))
    site.route("/never.png", hang())
    site.route("/stuck", hang())
    started = time.monotonic()
    (captured, stuck), skipped = capture(tmp_path, [site.url("/page"), site.url("/stuck")], opts=CaptureOptions(capture="browser", timeout=8))
    assert time.monotonic() - started < 25
    assert captured is not None, skipped
    records = read_records(tmp_path)
    assert by_uri(records, site.url("/data.json"))[4] == b'{"text": "fetched by the script"}'
    assert by_uri(records, "urn:screenshot:" + site.url("/page"), "resource")
    assert b"had not finished loading" in by_uri(records, site.url("/page"), "metadata")[4]
    assert stuck is None and "timed out" in dict(skipped)[site.url("/stuck")]
    assert verify_archive(tmp_path).ok


def test_a_browser_that_died_is_started_again_for_the_next_page(farm, tmp_path):
    site = farm.host()
    serve_site(site)

    async def run():
        async with httpx.AsyncClient() as client, Archive(tmp_path, options=BROWSER, address_policy=FARM_ONLY) as archive:
            first = await archive.capture(client, site.url("/page"))
            await archive._browser._browser.close()  # as if Chromium had crashed
            second = await archive.capture(client, site.url("/page"))
            return first, second

    first, second = asyncio.run(run())
    assert first is not None and second is not None
    assert second.record_type == "revisit"  # the same document, seen again
    assert verify_archive(tmp_path).ok


def test_a_private_document_is_refused_before_the_browser_sends_anything(farm, tmp_path):
    private = farm.host("127.0.0.2")
    private.default(respond(200, "secret"))
    (captured,), skipped = capture(tmp_path, [private.url("/page")])
    assert captured is None and private.requests == []
    assert "the guard refused the document" in dict(skipped)[private.url("/page")]


def _replayed_page(folder, page_url, tmp_path):
    """Serve `folder` with pywb and open PAGE_URL's latest capture in headless Chromium:
    (the script-filled text, the image's width, the text colour) as the reader sees them."""
    import subprocess

    from playwright.sync_api import sync_playwright

    from linkcheck.archive.browser import chromium_path
    from tests.test_archive_interop import PYWB, free_port

    replay = tmp_path / f"replay-{folder.name}"
    (replay / "collections").mkdir(parents=True)
    (replay / "collections" / "linkcheck").symlink_to(folder)
    port = free_port()
    server = subprocess.Popen([*PYWB, "--port", str(port), "--bind", "127.0.0.1"], cwd=replay, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and server.poll() is None, "pywb did not start"
                time.sleep(0.2)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True)
            try:
                replayed = browser.new_page()
                # pywb puts a page opened by a reader in its frame: the capture is the inner frame
                replayed.goto(f"http://127.0.0.1:{port}/linkcheck/{page_url}", wait_until="networkidle")
                replayed.wait_for_timeout(500)
                inner = next(frame for frame in replayed.frames if "mp_/" in frame.url)
                return inner.evaluate(
                    "() => [document.getElementById('out').textContent, document.images[0].naturalWidth,"
                    " getComputedStyle(document.body).color]"
                )
            finally:
                browser.close()
    finally:
        server.terminate()
        server.communicate(timeout=10)


def _pywb():
    from tests.test_archive_interop import HOW, PYWB

    return PYWB, HOW.format("PYWB", "pywb")


@pytest.mark.skipif(_pywb()[0] is None, reason="pywb is not installed (not a dependency); " + _pywb()[1])
@pytest.mark.timeout(180)
def test_pywb_replays_the_browser_capture_with_what_the_script_fetched(farm, tmp_path):
    site = farm.host()
    serve_site(site)
    url = site.url("/page")
    by_browser, by_http = tmp_path / "browser", tmp_path / "http"
    (captured,), skipped = capture(by_browser, [url])
    assert captured is not None, skipped
    (plain,), _ = capture(by_http, [url], opts=CaptureOptions())
    assert plain is not None
    served = len(site.requests)

    # side by side: the browser capture replays what the reader saw, the HTTP one an empty shell
    assert _replayed_page(by_browser, url, tmp_path) == ["fetched by the script", 1, "rgb(0, 0, 128)"]
    assert _replayed_page(by_http, url, tmp_path) == ["loading", 0, "rgb(0, 0, 0)"]
    assert len(site.requests) == served  # replay came from the archive, not the live site


def test_policy_changed_writes_nothing_for_an_unchanged_page_and_the_wacz_lists_the_page(farm, tmp_path):
    import zipfile

    from linkcheck.archive.export import export_wacz

    site = farm.host()
    serve_site(site)
    url = site.url("/page")
    (first,), _ = capture(tmp_path, [url])
    (again,), skipped = capture(tmp_path, [url])
    assert first is not None and again is not None, skipped
    assert again.record_type == "revisit" and again.refers_to == first.record_id  # policy always: seen again, unchanged
    records = len(read_records(tmp_path))
    (kept,), skipped = capture_changed(tmp_path, url)
    assert kept is not None and kept.reused, skipped
    assert len(read_records(tmp_path)) == records  # policy changed: nothing written
    assert verify_archive(tmp_path).ok

    wacz = tmp_path / "cites.wacz"
    export_wacz(tmp_path, wacz)
    with zipfile.ZipFile(wacz) as packed:
        pages = [json.loads(line) for line in packed.read("pages/pages.jsonl").splitlines()[1:]]
    assert {page["url"] for page in pages} == {url}  # the cited page, not its resources or screenshot


def capture_changed(folder, url):
    async def run():
        async with httpx.AsyncClient() as client, Archive(folder, policy="changed", options=BROWSER, address_policy=FARM_ONLY) as archive:
            return [await archive.capture(client, url)], list(archive.skipped)

    return asyncio.run(run())
