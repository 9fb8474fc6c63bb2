"""Self-tests of the loopback web farm (tests/farm.py), driven by plain httpx clients."""

from __future__ import annotations

import asyncio
import socket
import time

import httpx
import pytest

from tests.farm import (
    Behaviour,
    Farm,
    RequestRecord,
    Tls,
    by_agent,
    by_method,
    close_without_response,
    hang,
    raw,
    redirect,
    respond,
    sequence,
    trickle,
)
from tests.farm import reset as reset_connection

pytestmark = pytest.mark.timeout(20)

BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


# ----------------------------------------------------------------------- plain answers


def test_respond_status_body_headers_and_head(farm: Farm) -> None:
    h = farm.host()
    h.route("/", respond(200, "<p>hello</p>", {"X-Test": "1"}))
    h.route("/txt", respond(410, b"gone", [("Content-Type", "text/plain"), ("X-A", "1")]))
    with httpx.Client() as c:
        r = c.get(h.url("/"))
        assert (r.status_code, r.text) == (200, "<p>hello</p>")
        assert r.headers["x-test"] == "1"
        assert r.headers["content-type"] == "text/html; charset=utf-8"
        assert r.headers["content-length"] == str(len("<p>hello</p>"))

        head = c.head(h.url("/"))
        assert head.status_code == 200 and head.content == b""
        assert head.headers["content-length"] == r.headers["content-length"]
        assert head.headers["x-test"] == "1"

        r = c.get(h.url("/txt"))
        assert (r.status_code, r.content, r.headers["content-type"]) == (410, b"gone", "text/plain")


def test_unrouted_is_404_and_default_overrides(farm: Farm) -> None:
    h = farm.host()
    assert httpx.get(h.url("/nope")).status_code == 404
    h.default(respond(200, "soft 404: nothing here"))
    r = httpx.get(h.url("/anything/at/all?q=1"))
    assert (r.status_code, r.text) == (200, "soft 404: nothing here")


def test_query_routing_exact_then_path(farm: Farm) -> None:
    h = farm.host()
    h.route("/p", respond(200, "path")).route("/p?x=1", respond(200, "exact"))
    assert httpx.get(h.url("/p?x=1")).text == "exact"
    assert httpx.get(h.url("/p?x=2")).text == "path"
    assert h.count("/p") == 2 and h.count("/p?x=1") == 1


def test_chunked_response(farm: Farm) -> None:
    h = farm.host().route("/", respond(200, b"0123456789", chunked=True))
    r = httpx.get(h.url("/"))
    assert r.headers["transfer-encoding"] == "chunked" and "content-length" not in r.headers
    assert r.content == b"0123456789"


def test_respond_delay(farm: Farm) -> None:
    h = farm.host().route("/", respond(200, "late", delay=0.2))
    t0 = time.monotonic()
    assert httpx.get(h.url("/")).text == "late"
    assert time.monotonic() - t0 >= 0.2


def test_dynamic_behaviour(farm: Farm) -> None:
    def echo(req: RequestRecord) -> Behaviour:
        return respond(200, f"{req.method} {req.path} {req.header('x-who')}")

    h = farm.host().default(echo)
    assert httpx.get(h.url("/a?b=c"), headers={"X-Who": "me"}).text == "GET /a?b=c me"


# ------------------------------------------------------------------------- redirects


def test_redirect_relative_and_absolute(farm: Farm) -> None:
    a, b = farm.host(), farm.host()
    b.route("/final", respond(200, "arrived"))
    a.route("/rel", redirect(301, "/abs")).route("/abs", redirect(302, b.url("/final")))
    r = httpx.get(a.url("/rel"))
    assert (r.status_code, r.headers["location"]) == (301, "/abs")
    r = httpx.get(a.url("/abs"))
    assert (r.status_code, r.headers["location"]) == (302, b.url("/final"))

    r = httpx.get(a.url("/rel"), follow_redirects=True)
    assert (r.status_code, r.text, str(r.url)) == (200, "arrived", b.url("/final"))
    assert [x.status_code for x in r.history] == [301, 302]


# ----------------------------------------------------------- sequence, method, agent


def test_sequence_order_and_last_repeats(farm: Farm) -> None:
    h = farm.host()
    h.route("/flaky", sequence(respond(503, headers={"Retry-After": "1"}), respond(200, "ok")))
    h.route("/limited", sequence(respond(429), respond(429), respond(200)))
    with httpx.Client() as c:
        first = c.get(h.url("/flaky"))
        assert (first.status_code, first.headers["retry-after"]) == (503, "1")
        assert [c.get(h.url("/flaky")).status_code for _ in range(3)] == [200, 200, 200]
        assert [c.get(h.url("/limited")).status_code for _ in range(4)] == [429, 429, 200, 200]


def test_by_method(farm: Farm) -> None:
    h = farm.host()
    h.route("/405", by_method(head=respond(405), get=respond(200, "g")))
    h.route("/404", by_method(head=respond(404), get=respond(200, "g")))
    h.route("/drop", by_method(head=close_without_response(), get=respond(200, "g")))
    with httpx.Client() as c:
        for path, head_status in [("/405", 405), ("/404", 404)]:
            assert c.head(h.url(path)).status_code == head_status
            assert c.get(h.url(path)).text == "g"
        with pytest.raises(httpx.RemoteProtocolError):
            c.head(h.url("/drop"))
        assert c.get(h.url("/drop")).text == "g"
        r = c.post(h.url("/405"))  # unlisted methods get 405 by default
        assert (r.status_code, r.headers["allow"]) == (405, "GET")


def test_by_agent(farm: Farm) -> None:
    h = farm.host().route("/", by_agent(respond(200, "page"), respond(403, "bot")))
    assert httpx.get(h.url("/")).status_code == 403  # python-httpx/x.y
    r = httpx.get(h.url("/"), headers={"User-Agent": BROWSER_UA})
    assert (r.status_code, r.text) == (200, "page")
    assert h.requests[1].headers["user-agent"] == BROWSER_UA


# ----------------------------------------------------------------- broken connections


def test_reset_is_a_read_error(farm: Farm) -> None:
    h = farm.host().route("/", reset_connection())
    with pytest.raises(httpx.ReadError, match="reset"):
        httpx.get(h.url("/"))
    assert h.count("/") == 1 and h.in_flight == 0


def test_close_without_response(farm: Farm) -> None:
    h = farm.host().route("/", close_without_response())
    with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
        httpx.get(h.url("/"))


def test_raw_bytes(farm: Farm) -> None:
    h = farm.host()
    h.route("/bad", raw(b"HTTP/1.1 abc Broken\r\n\r\n"))
    h.route("/http10", raw(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nold school"))
    with pytest.raises(httpx.RemoteProtocolError, match="illegal status line"):
        httpx.get(h.url("/bad"))
    r = httpx.get(h.url("/http10"))  # body delimited by the close
    assert (r.status_code, r.http_version, r.text) == (200, "HTTP/1.0", "old school")


def test_hang_times_out_and_stop_is_fast() -> None:
    farm = Farm().start()
    h = farm.host().route("/", hang())
    t0 = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(h.url("/"), timeout=0.5)
    assert 0.45 <= time.monotonic() - t0 < 2.0
    assert h.in_flight == 1  # the server is still "handling" it
    t0 = time.monotonic()
    farm.stop()
    assert time.monotonic() - t0 < 1.0
    assert h.in_flight == 0 and not farm.errors
    farm.stop()  # idempotent


def test_trickle_is_slow_but_complete(farm: Farm) -> None:
    body = b"x" * 40
    h = farm.host().route("/", trickle(body, bytes_per_second=80))
    t0 = time.monotonic()
    with httpx.Client() as c:
        with c.stream("GET", h.url("/")) as r:
            assert r.headers["content-length"] == "40"
            headers_at = time.monotonic() - t0
            chunks = list(r.iter_raw())
        total = time.monotonic() - t0
        assert headers_at < 0.2 and 0.4 <= total < 2.0  # 40 bytes at 80 B/s = 0.5 s
        assert b"".join(chunks) == body and len(chunks) > 1
        # a read timeout shorter than the whole body but longer than the gaps: no error
        assert c.get(h.url("/"), timeout=0.3).content == body
        t0 = time.monotonic()
        assert c.head(h.url("/")).content == b""
        assert time.monotonic() - t0 < 0.2


# ---------------------------------------------------------------------------- TLS


def test_tls_trusted_verifies_with_farm_ca(farm: Farm) -> None:
    h = farm.host(tls="trusted").route("/", respond(200, "secure"))
    assert h.url("/").startswith("https://127.0.0.1:")
    r = httpx.get(h.url("/"), verify=farm.client_ssl_context())
    assert r.text == "secure"
    local = f"https://localhost:{h.port}/"  # the leaf also names localhost
    assert httpx.get(local, verify=farm.client_ssl_context()).text == "secure"
    with open(farm.ca_pem) as f:
        assert f.read().startswith("-----BEGIN CERTIFICATE-----")


def test_tls_untrusted_fails_verification(farm: Farm) -> None:
    h = farm.host(tls="untrusted").route("/", respond(200, "secure"))
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        httpx.get(h.url("/"), verify=farm.client_ssl_context())
    assert h.count() == 0
    assert httpx.get(h.url("/"), verify=False).text == "secure"


def test_tls_on_other_loopback_address(farm: Farm) -> None:
    h = farm.host("127.0.0.2", tls="trusted").route("/", respond(200, "two"))
    assert httpx.get(h.url("/"), verify=farm.client_ssl_context()).text == "two"


def test_tls_reset_looks_like_a_clean_eof(farm: Farm) -> None:
    # OpenSSL reports the RST as an EOF, so httpx says "disconnected", not ReadError.
    h = farm.host(tls="trusted").route("/", reset_connection())
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.get(h.url("/"), verify=farm.client_ssl_context())


# -------------------------------------------------------------------- concurrency


def test_max_in_flight_counts_overlap(farm: Farm) -> None:
    h = farm.host().route("/slow", respond(200, "z", delay=0.3))

    async def burst() -> list[int]:
        limits = httpx.Limits(max_connections=20)
        async with httpx.AsyncClient(limits=limits) as c:
            rs = await asyncio.gather(*(c.get(h.url("/slow")) for _ in range(10)))
        return [r.status_code for r in rs]

    assert asyncio.run(burst()) == [200] * 10
    assert (h.max_in_flight, h.in_flight, h.count("/slow")) == (10, 0, 10)
    assert len({r.connection_id for r in h.requests}) == 10


@pytest.mark.parametrize("tls", [None, "trusted"])
def test_sequential_requests_never_overlap(farm: Farm, tls: Tls) -> None:
    h = farm.host(tls=tls).route("/", respond(200, "a" * 100_000))
    with httpx.Client(verify=farm.client_ssl_context()) as c:
        for _ in range(10):
            assert len(c.get(h.url("/")).content) == 100_000
    with httpx.Client(verify=farm.client_ssl_context()) as c:  # a new connection each time
        for _ in range(5):
            c.get(h.url("/"), headers={"Connection": "close"})
    assert (h.max_in_flight, h.in_flight, h.count()) == (1, 0, 15)


# ------------------------------------------------------------- records, hosts, misc


def test_request_records_and_keep_alive(farm: Farm) -> None:
    h = farm.host().route("/form", respond(204))
    with httpx.Client() as c:
        c.get(h.url("/a?x=1"), headers={"X-Custom": "v"})
        c.post(h.url("/form"), content=b"payload")
        c.head(h.url("/a"))
        c.get(h.url("/bye"), headers={"Connection": "close"})
        c.get(h.url("/a"))
    recs = h.requests
    assert [(r.method, r.path) for r in recs] == [
        ("GET", "/a?x=1"), ("POST", "/form"), ("HEAD", "/a"), ("GET", "/bye"), ("GET", "/a"),
    ]  # fmt: skip
    assert recs[0].headers["x-custom"] == "v" and recs[0].header("HOST") == f"127.0.0.1:{h.port}"
    assert recs[1].body == b"payload"
    assert len({r.connection_id for r in recs[:4]}) == 1  # kept alive until "close"
    assert recs[4].connection_id != recs[3].connection_id
    assert all(a.time_received <= b.time_received for a, b in zip(recs, recs[1:]))
    assert (h.count(), h.count("/a"), h.count(method="get"), h.count("/a", "HEAD")) == (5, 3, 3, 1)
    h.reset_stats()
    assert h.requests == [] and h.max_in_flight == 0


def test_hosts_on_other_loopback_addresses(farm: Farm) -> None:
    hosts = [farm.host(f"127.0.0.{i}").route("/", respond(200, f"host {i}")) for i in (1, 2, 3)]
    for i, h in zip((1, 2, 3), hosts):
        assert h.url("/") == f"http://127.0.0.{i}:{h.port}/"
        assert httpx.get(h.url("/")).text == f"host {i}"
        assert h.requests[0].header("host") == f"127.0.0.{i}:{h.port}"
    with pytest.raises(ValueError, match="loopback"):
        farm.host("10.0.0.1")


def test_closed_host_refuses_connections(farm: Farm) -> None:
    h = farm.host().route("/", respond())
    assert httpx.get(h.url("/")).status_code == 200
    h.close()
    with pytest.raises(httpx.ConnectError):
        httpx.get(h.url("/"))


def test_malformed_request_gets_400(farm: Farm) -> None:
    h = farm.host()
    with socket.create_connection((h.ip, h.port), timeout=2) as s:
        s.sendall(b"NONSENSE\r\n\r\n")
        data = b""
        while chunk := s.recv(4096):
            data += chunk
    assert data.startswith(b"HTTP/1.1 400 ")


def test_errors_in_dynamic_behaviours_are_recorded() -> None:
    def broken(req: RequestRecord) -> Behaviour:
        raise RuntimeError("boom")

    with Farm() as farm:
        h = farm.host().route("/", broken)
        with pytest.raises(httpx.RemoteProtocolError):
            httpx.get(h.url("/"))
    assert [str(e) for e in farm.errors] == ["boom"]


def test_lifetime_stops_the_farm_by_itself() -> None:
    farm = Farm(lifetime=0.2).start()
    h = farm.host().route("/", hang())
    with pytest.raises(httpx.HTTPError):
        httpx.get(h.url("/"), timeout=2.0)  # dropped when the lifetime ends
    assert farm._thread is not None
    farm._thread.join(2.0)
    assert not farm._thread.is_alive()
    farm.stop()  # still fine afterwards
