"""The one seam (`transport.Transport.open`): linkcheck's own transport (aiohttp, built by
`make_client`) and a handed-in httpx client behind `HttpxTransport` give the same verdicts
on every scenario of the engine and hostile-server suites, so the hundreds of tests that
hand in httpx/respx clients speak for the transport users run. Also: what an `Answer`
carries, proxies (`network.proxy`, the environment's, NO_PROXY), and a proxy the transport
cannot use refused with a clear error.

Only the wording may differ where aiohttp's parser words it differently (a malformed
status line, an unparseable Location): status, HTTP code, final URL and hops still agree."""
import asyncio, gzip
import httpx
import pytest
import linkcheck.check.client as C
from linkcheck.check import Engine
from linkcheck.check.transport import as_transport
from linkcheck.errors import ConfigError
from linkcheck.models import Link, Location, Status
from tests.farm import by_method, hang, redirect, reset, respond, sequence, raw, trickle, close_without_response, Behaviour
from tests.helpers import check_urls, fast_settings
from tests.hostile import BROKEN_CHUNKED, MALFORMED_STATUS, EndlessBody, GzipBomb, ManyHeaders, ResetMidBody


class BigHeader(Behaviour):
    def __init__(self, size): self.size = size
    async def serve(self, ex):
        return await ex.send(200, [("X-Big", "a" * self.size), ("Content-Type", "text/html")], b"<p id='x'>ok</p>")

class DupHeaders(Behaviour):
    async def serve(self, ex):
        return await ex.send(200, [("Content-Type", "text/html"), ("Content-Type", "text/plain"), ("Server", "a"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")], b"<p id='x'>ok</p>")

class Gz(Behaviour):
    async def serve(self, ex):
        body = gzip.compress(b"<html><p id='here'>x</p></html>")
        return await ex.send(200, [("Content-Type", "text/html"), ("Content-Encoding", "gzip")], body)

def handed_in_client(settings):
    """An httpx client as a library user or a test would hand one in."""
    check = settings.check
    return httpx.AsyncClient(
        verify=C.ssl_context(settings.network.ca_bundle),
        timeout=httpx.Timeout(connect=check.connect_timeout, read=check.read_timeout, write=check.read_timeout, pool=None),
        headers={"User-Agent": check.user_agent, "Accept": "*/*", "Accept-Encoding": "gzip, deflate"},
    )


def run(urls, settings, backend):
    async def go():
        async with (C.make_client(settings) if backend == "aiohttp" else handed_in_client(settings)) as client:
            return await Engine(settings, client).run([Link(url=u, locations=[Location("d.md", i + 1, 1)]) for i, u in enumerate(urls)])
    return {r.url: (r.status.value, r.http_status, r.final_url, [(h.url, h.status) for h in r.redirects], r.error) for r in asyncio.run(go())}

#: Where httpx+httpcore themselves vary from run to run when many misbehaving servers are
#: checked at once (a reset read as a timeout, a 120 kB header let through): the verdict
#: is compared where it is steady, and the aiohttp side is asserted on its own below.
HTTPX_UNSTEADY = ("/reset", "/big120k")
#: Where only the wording (or the evidence kept) differs: aiohttp records the 302 before
#: refusing its Location, and words a bad status line its own way.
WORDED_DIFFERENTLY = ("/malformed", "/garbage", "/badloc")


def both(urls, settings):
    a = run(urls, settings, "httpx")
    b = run(urls, settings, "aiohttp")
    diffs = {}
    for u in urls:
        path = u.split("#")[0]
        if path.endswith("/big120k"):
            continue
        left, right = a[u], b[u]
        if path.endswith(WORDED_DIFFERENTLY + HTTPX_UNSTEADY):
            left, right = left[:1], right[:1]  # the verdict only
        if left != right:
            diffs[u] = (a[u], b[u])
    return a, b, diffs


def test_plain_scenarios(farm):
    site = farm.host()
    site.route("/ok", respond(200, "<p>fine</p>"))
    for code in (301, 308, 302, 303, 307):
        site.route(f"/r{code}", redirect(code, "/ok"))
    site.route("/loop-a", redirect(302, "/loop-b")).route("/loop-b", redirect(302, "/loop-a"))
    site.route("/gone", respond(410)).route("/broken", respond(500))
    site.route("/flaky", sequence(respond(503, headers={"Retry-After": "0"}), respond(200)))
    site.route("/throttled", respond(429, headers={"Retry-After": "0"}))
    site.route("/head405", by_method(head=respond(405), get=respond(200, "x")))
    site.route("/reset", reset()).route("/hang", hang()).route("/close", close_without_response())
    site.route("/noloc", respond(301)).route("/tofile", redirect(302, "file:///etc/passwd"))
    site.route("/unicode-loc", redirect(302, "/ü ber?q=é")).route("/ü ber", respond(200))
    site.route("/spaces", redirect(302, "/a b")).route("/badloc", redirect(302, "http://[::1"))
    site.route("/malformed", raw(MALFORMED_STATUS)).route("/chunked", raw(BROKEN_CHUNKED))
    site.route("/garbage", raw(b"garbage\r\n\r\n")).route("/http10", raw(b"HTTP/1.0 200 OK\r\n\r\nhello"))
    site.route("/empty", raw(b"")).route("/nolength", raw(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<p id='x'>x</p>"))
    site.route("/flood", ManyHeaders(10_000)).route("/many", ManyHeaders(1000)).route("/some", ManyHeaders(250))
    site.route("/big50k", BigHeader(50_000)).route("/big120k", BigHeader(120_000)).route("/dup", DupHeaders())
    site.route("/gz", Gz()).route("/bomb", GzipBomb()).route("/endless", EndlessBody()).route("/resetbody", ResetMidBody())
    site.route("/trickle", trickle(b"<p>" + b"z" * 10_000, bytes_per_second=500))
    site.route("/204", respond(204)).route("/304", respond(304)).route("/100", raw(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"))
    u = site.url
    paths = ["/ok", *(f"/r{c}" for c in (301, 308, 302, 303, 307)), "/loop-a", "/missing", "/gone", "/broken", "/flaky", "/throttled",
             "/head405", "/reset", "/hang", "/close", "/noloc", "/tofile", "/unicode-loc", "/spaces", "/badloc", "/malformed", "/chunked",
             "/garbage", "/http10", "/empty", "/nolength", "/flood", "/many", "/some", "/big50k", "/big120k", "/dup", "/gz", "/gz#here", "/gz#nothere",
             "/bomb#x", "/endless", "/endless#x", "/resetbody#x", "/trickle#x", "/204", "/304", "/100", "/dup#x", "/nolength#x", "/big50k#x"]
    urls = [u(p) for p in paths]
    settings = fast_settings(farm, **{"check.retries": 1, "check.read_timeout": "500ms", "check.url_timeout": "4s"})
    a, b, diffs = both(urls, settings)
    assert not diffs, diffs
    assert b[u("/big120k")][0] == "error" and "headers exceed 100 kB" in b[u("/big120k")][4]
    assert b[u("/reset")][4] == "connection reset by the server"

@pytest.mark.parametrize("tls", ["trusted", "untrusted", "expired", "self-signed"])
def test_tls(farm, tls):
    plain = farm.host().route("/", respond(200))
    site = farm.host(tls=tls).route("/", respond(200)).route("/away", redirect(301, plain.url("/")))
    urls = [site.url("/"), site.url("/away")]
    a, b, diffs = both(urls, fast_settings(farm))
    assert not diffs, diffs

def test_guard_on_linkcheck_transport(farm):
    """A handed-in client brings its own network (no guard): the guard is linkcheck's
    transport's, on the first request and on every redirect hop."""
    inside = farm.host(ip="127.0.0.1").route("/", respond(200))
    pub = farm.host(ip="127.0.0.2")
    for i, loc in enumerate(["http://169.254.169.254/latest/meta-data/", "http://127.0.0.1:1/admin", "http://[::1]:1/", "http://10.0.0.1/",
                             f"http://localhost:{inside.port}/", "http://[::ffff:127.0.0.1]:1/", "http://0.0.0.0:1/"]):
        pub.route(f"/c{i}", redirect(302, loc))
    urls = [pub.url(f"/c{i}") for i in range(7)] + [inside.url("/"), "http://127.0.0.1:1/", "http://[::1]:9/"]
    settings = fast_settings(farm, **{"network.allow_private": False, "network.allow": ["127.0.0.2"]})
    verdicts = run(urls, settings, "aiohttp")
    assert {url: verdict[0] for url, verdict in verdicts.items()} == {url: "excluded" for url in urls}
    assert inside.count() == 0 and all(pub.count(f"/c{i}") >= 1 for i in range(7))

def test_refused_and_nxdomain(farm):
    site = farm.host(); url = site.url("/"); site.close()
    urls = [url, "http://nonexistent.example/", "http://localhost:1/"]
    a, b, diffs = both(urls, fast_settings(farm))
    assert not diffs, diffs


def test_a_name_that_does_not_resolve_is_asked_once_for_all_its_urls(farm, monkeypatch):
    """A dead domain cited 40 times costs one lookup, not 40 (aiohttp asks again after every
    failure): with a resolver that takes 5 s per failed query, as one gone from the network
    does, a 10,000-URL run waited minutes before it could say "network unavailable". The
    failure is kept FAILED_LOOKUP_SECONDS, then the name is asked again."""
    import socket
    import linkcheck.check.aio as A
    asked = []
    inner = socket.getaddrinfo

    def counting(host, *args, **kwargs):
        asked.append(host)
        return inner(host, *args, **kwargs)  # conftest's: NXDOMAIN beyond loopback

    monkeypatch.setattr(socket, "getaddrinfo", counting)
    live = farm.host()
    for i in range(3):
        live.route(f"/p{i}", respond(200, "<p>ok</p>"))
    urls = [f"http://gone.example/page/{i}" for i in range(40)] + [live.url(f"/p{i}") for i in range(3)]
    verdicts = run(urls, fast_settings(farm), "aiohttp")
    assert [verdicts[u][0] for u in urls] == ["dead"] * 40 + ["ok"] * 3
    assert asked.count("gone.example") == 1

    clock = [0.0]
    resolver = A.GuardResolver(C.address_policy(fast_settings(farm)), 1.0, clock=lambda: clock[0])

    async def twice():
        for moment in (0.0, A.FAILED_LOOKUP_SECONDS - 1, A.FAILED_LOOKUP_SECONDS + 1):
            clock[0] = moment
            with pytest.raises(socket.gaierror) as raised:
                await resolver.resolve("gone.example", 80)
            assert raised.value.errno == socket.EAI_NONAME
    asked.clear()
    asyncio.run(twice())
    assert asked == ["gone.example", "gone.example"]  # at 0 s and again once the failure expired


def test_an_answer_carries_what_the_archive_records(farm):
    """Status, reason, version, headers in order, the request as sent, the peer's address
    and the raw (still gzip-encoded) body: alike from both transports."""
    site = farm.host(ip="127.0.0.3").route("/gz", Gz())
    settings = fast_settings(farm)

    async def answer_of(client):
        async with client, as_transport(client).open("GET", site.url("/gz"), {"X-Extra": "1"}) as answer:
            peer = answer.peer
            body = b"".join([chunk async for chunk in answer.chunks()])
            return (answer.status, answer.reason, answer.http_version, answer.raw_headers(), answer.target,
                    {k.lower(): v for k, v in answer.request_headers()}, peer, body)

    ours = asyncio.run(answer_of(C.make_client(settings)))
    theirs = asyncio.run(answer_of(handed_in_client(settings)))
    assert ours[:5] == theirs[:5] and ours[6:] == theirs[6:]
    assert ours[0] == 200 and ours[4] == "/gz" and ours[6] == "127.0.0.3"
    assert ("Content-Encoding", "gzip") in ours[3] and gzip.decompress(ours[7]).startswith(b"<html>")
    for sent in (ours[5], theirs[5]):
        assert sent["x-extra"] == "1" and sent["accept-encoding"] == "gzip, deflate" and sent["user-agent"] == settings.check.user_agent


def test_a_configured_proxy_carries_every_request(farm):
    """`network.proxy`: the request goes to the proxy in absolute form, the target itself
    is never connected to (its port is closed here, so only the proxy can answer)."""
    proxy = farm.host(ip="127.0.0.9").default(respond(200, "proxied"))
    target = "http://127.0.0.10:1/page"
    result = check_urls([target], fast_settings(farm, **{"network.proxy": proxy.url("/")}))[target]
    assert result.status is Status.OK
    assert [record.path for record in proxy.requests] == [target]


class TunnelProxy:
    """An HTTP proxy that speaks only CONNECT (RFC 9110 9.3.6), on loopback in a thread:
    it answers 200, then pipes bytes both ways; it records each tunnel's target."""

    def __init__(self):
        import socket, threading
        self.targets = []
        self._server = socket.create_server(("127.0.0.12", 0))
        self.port = self._server.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        import socket, threading
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            head = b""
            while b"\r\n\r\n" not in head:
                head += client.recv(4096)
            method, target, _ = head.split(b"\r\n", 1)[0].split(b" ")
            assert method == b"CONNECT"
            self.targets.append(target.decode())
            host, port = target.decode().rsplit(":", 1)
            upstream = socket.create_connection((host, int(port)))
            client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                try:
                    end.shutdown(2)
                except OSError:
                    pass

    def close(self):
        self._server.close()


def test_https_goes_through_a_proxys_tunnel_with_the_certificate_checked(farm):
    """An https:// citation through a proxy: CONNECT to the target, then TLS with the
    target's own certificate checked end to end (the proxy sees only ciphertext)."""
    good = farm.host(ip="127.0.0.13", tls="trusted").route("/page", respond(200, "<p>ok</p>"))
    bad = farm.host(ip="127.0.0.14", tls="self-signed").route("/page", respond(200, "<p>ok</p>"))
    proxy = TunnelProxy()
    try:
        results = check_urls([good.url("/page"), bad.url("/page")], fast_settings(farm, **{"network.proxy": f"http://127.0.0.12:{proxy.port}"}))
    finally:
        proxy.close()
    assert results[good.url("/page")].status is Status.OK
    assert results[bad.url("/page")].status is not Status.OK and "certificate" in (results[bad.url("/page")].error or "")
    assert set(proxy.targets) == {f"127.0.0.13:{good.port}", f"127.0.0.14:{bad.port}"}  # every request went through it
    assert good.count("/page") >= 1


def test_a_proxy_that_fails_is_named_and_no_citation_is_called_broken(farm, tmp_path):
    """A proxy that is down, or that refuses the tunnel, is the proxy's failure: each result
    says so (error, never dead), and a run where nothing got through exits 3, not 1."""
    import socket, subprocess, sys
    closed = socket.create_server(("127.0.0.12", 0))
    down = f"http://127.0.0.12:{closed.getsockname()[1]}"
    closed.close()
    refusing = farm.host(ip="127.0.0.15").default(respond(403, "no"))
    target = farm.host(ip="127.0.0.16", tls="trusted").route("/page", respond(200))
    results = {
        proxy: check_urls([target.url("/page")], fast_settings(farm, **{"network.proxy": proxy}))[target.url("/page")]
        for proxy in (down, refusing.url("/").rstrip("/"))
    }
    assert results[down].status is Status.ERROR and results[down].error.startswith("proxy error: cannot connect to the proxy 127.0.0.12:")
    assert results[refusing.url("/").rstrip("/")].error == "proxy error: the proxy answered 403 Forbidden"
    assert target.count() == 0
    (tmp_path / "cites.md").write_text(f"<{target.url('/page')}>\n", encoding="utf-8")
    env = {"PATH": "/usr/bin:/bin", "LINKCHECK_NETWORK_PROXY": down, "LINKCHECK_NETWORK_PROBE_URLS": "http://127.0.0.17:9/",
           "LINKCHECK_NETWORK_ALLOW_PRIVATE": "true", "LINKCHECK_NETWORK_CA_BUNDLE": farm.ca_pem, "HOME": str(tmp_path)}  # fmt: skip
    run = subprocess.run([sys.executable, "-m", "linkcheck", "check", "--no-history", "cites.md"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 3, run.stdout + run.stderr
    assert "network unavailable" in run.stderr


def test_the_environments_proxy_is_used_and_no_proxy_honoured(farm, monkeypatch):
    proxy = farm.host(ip="127.0.0.9").default(respond(200, "proxied"))
    direct = farm.host(ip="127.0.0.11").route("/page", respond(200))
    monkeypatch.setenv("HTTP_PROXY", proxy.url("/").removeprefix("http://"))  # host:port, as curl takes it
    monkeypatch.setenv("NO_PROXY", "127.0.0.11")
    through = "http://127.0.0.10:1/page"
    results = check_urls([through, direct.url("/page")], fast_settings(farm))
    assert results[through].status is Status.OK and results[direct.url("/page")].status is Status.OK
    assert [record.path for record in proxy.requests] == [through] and direct.count("/page") >= 1


@pytest.mark.parametrize("where", ["setting", "environment"])
def test_a_socks_proxy_is_a_clear_error(farm, monkeypatch, where):
    overrides = {"network.proxy": "socks5://127.0.0.1:1080"} if where == "setting" else {}
    if where == "environment":
        monkeypatch.setenv("ALL_PROXY", "socks5://127.0.0.1:1080")
    source = "network.proxy" if where == "setting" else "ALL_PROXY"
    with pytest.raises(ConfigError, match=f"^{source}: .socks5://127.0.0.1:1080. is not an http:// or https:// proxy"):
        C.make_client(fast_settings(farm, **overrides))
