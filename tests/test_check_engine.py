"""The engine against real servers on loopback: every scenario asserts status, HTTP code,
final URL and redirect chain."""

import time

import pytest

from linkcheck.models import Status
from tests.farm import by_agent, by_method, hang, redirect, reset, respond, sequence
from tests.helpers import check_urls, fast_settings


def chain(result):
    return [(hop.url, hop.status) for hop in result.redirects]


def test_scenarios_over_http(farm):
    site = farm.host()
    site.route("/ok", respond(200, "<p>fine</p>"))
    for code in (301, 308, 302, 307):
        site.route(f"/r{code}", redirect(code, "/ok"))
    site.route("/hop1", redirect(301, "/hop2")).route("/hop2", redirect(302, "/hop3")).route("/hop3", redirect(307, "/ok"))
    site.route("/loop-a", redirect(302, "/loop-b")).route("/loop-b", redirect(302, "/loop-a"))
    site.route("/gone", respond(410))
    site.route("/broken", respond(500))
    site.route("/flaky", sequence(respond(503, headers={"Retry-After": "1"}), respond(200)))
    site.route("/throttled", sequence(respond(429), respond(200)))
    site.route("/bots", by_agent(browser=respond(200), other=respond(403)))
    site.route("/head405", by_method(head=respond(405), get=respond(200, "x")))
    site.route("/head404", by_method(head=respond(404), get=respond(200, "x")))
    site.route("/reset", reset())
    site.route("/hang", hang())
    u = site.url
    results = check_urls(
        [u("/ok"), *(u(f"/r{code}") for code in (301, 308, 302, 307)), u("/hop1"), u("/loop-a"), u("/missing"),
         u("/gone"), u("/broken"), u("/flaky"), u("/throttled"), u("/bots"), u("/head405"), u("/head404"),
         u("/reset"), u("/hang")],
        fast_settings(farm, **{"check.user_agent": "linkcheck-test/1.0", "check.retries": 1}),
    )

    def expect(path, status, http_status, final, hops=()):
        result = results[u(path)]
        assert (result.status, result.http_status, result.final_url, chain(result)) == (
            status, http_status, final, list(hops)
        ), (path, result)

    expect("/ok", Status.OK, 200, u("/ok"))
    expect("/r301", Status.REDIRECT_PERMANENT, 200, u("/ok"), [(u("/r301"), 301)])
    expect("/r308", Status.REDIRECT_PERMANENT, 200, u("/ok"), [(u("/r308"), 308)])
    expect("/r302", Status.REDIRECT_TEMPORARY, 200, u("/ok"), [(u("/r302"), 302)])
    expect("/r307", Status.REDIRECT_TEMPORARY, 200, u("/ok"), [(u("/r307"), 307)])
    expect("/hop1", Status.REDIRECT_PERMANENT, 200, u("/ok"), [(u("/hop1"), 301), (u("/hop2"), 302), (u("/hop3"), 307)])
    expect("/loop-a", Status.ERROR, 302, u("/loop-b"), [(u("/loop-a"), 302), (u("/loop-b"), 302)])
    assert "loop" in results[u("/loop-a")].error
    expect("/missing", Status.DEAD, 404, u("/missing"))
    expect("/gone", Status.DEAD, 410, u("/gone"))
    expect("/broken", Status.ERROR, 500, u("/broken"))
    expect("/flaky", Status.OK, 200, u("/flaky"))
    expect("/throttled", Status.OK, 200, u("/throttled"))
    expect("/bots", Status.BLOCKED, 403, u("/bots"))
    expect("/head405", Status.OK, 200, u("/head405"))
    expect("/head404", Status.OK, 200, u("/head404"))
    expect("/reset", Status.ERROR, None, None)
    assert "reset" in results[u("/reset")].error or "broken" in results[u("/reset")].error
    expect("/hang", Status.ERROR, None, None)
    assert "timed out" in results[u("/hang")].error
    # HEAD 404 was not believed: GET was asked too.
    assert site.count("/head404", "GET") == 1
    # A 500 is not transient: asked once with HEAD, once with GET, no retries.
    assert site.count("/broken") == 2


def test_the_default_user_agent_passes_a_browser_only_wall(farm):
    site = farm.host().route("/bots", by_agent(browser=respond(200), other=respond(403)))
    assert check_urls([site.url("/bots")], fast_settings(farm))[site.url("/bots")].status is Status.OK


def test_retry_after_is_honoured(farm):
    site = farm.host().route("/flaky", sequence(respond(503, headers={"Retry-After": "1"}), respond(200)))
    check_urls([site.url("/flaky")], fast_settings(farm))
    first, second = [record.time_received for record in site.requests]
    assert second - first >= 1.0


def test_429_that_persists_is_blocked_after_retries(farm):
    site = farm.host().route("/limited", respond(429, headers={"Retry-After": "0"}))
    result = check_urls([site.url("/limited")], fast_settings(farm, **{"check.retries": 2}))[site.url("/limited")]
    assert (result.status, result.http_status) == (Status.BLOCKED, 429)
    assert site.count("/limited") == 3


def test_https_with_the_test_ca(farm):
    secure = farm.host(tls="trusted").route("/", respond(200, "secure"))
    result = check_urls([secure.url("/")], fast_settings(farm))[secure.url("/")]
    assert (result.status, result.http_status, result.final_url) == (Status.OK, 200, secure.url("/"))


def test_https_with_an_untrusted_certificate(farm):
    untrusted = farm.host(tls="untrusted").route("/", respond(200, "secure"))
    result = check_urls([untrusted.url("/")], fast_settings(farm))[untrusted.url("/")]
    assert (result.status, result.http_status, result.final_url) == (Status.ERROR, None, None)
    assert "certificate" in result.error


def test_https_redirect_to_http_is_followed_and_recorded(farm):
    plain = farm.host().route("/", respond(200))
    secure = farm.host(tls="trusted").route("/old", redirect(301, plain.url("/")))
    result = check_urls([secure.url("/old")], fast_settings(farm))[secure.url("/old")]
    assert (result.status, result.final_url, chain(result)) == (Status.REDIRECT_PERMANENT, plain.url("/"), [(secure.url("/old"), 301)])


def test_invalid_tld_never_resolves_and_sends_nothing():
    results = check_urls(["https://no-such-site.invalid/page"], fast_settings())
    result = results["https://no-such-site.invalid/page"]
    assert (result.status, result.http_status, result.final_url) == (Status.DEAD, None, None)
    assert "does not resolve" in result.error


def test_refused_connection_is_an_error(farm):
    site = farm.host()
    url = site.url("/")
    site.close()
    result = check_urls([url], fast_settings(farm))[url]
    assert (result.status, result.error) == (Status.ERROR, "connection refused")


def test_per_host_limit_is_never_exceeded(farm):
    site = farm.host().default(respond(200, "x", delay=0.05))
    urls = [site.url(f"/page/{i}") for i in range(200)]
    results = check_urls(urls, fast_settings(farm, **{"check.host_concurrency": 4, "check.max_concurrency": 64}))
    assert all(result.status is Status.OK for result in results.values()) and len(results) == 200
    assert site.count() == 200  # each URL requested once (HEAD answered 200)
    assert site.max_in_flight == 4  # reached, never exceeded


def test_hosts_are_checked_in_parallel_under_the_global_limit(farm):
    hosts = [farm.host(ip=f"127.0.0.{i}").default(respond(200, delay=0.2)) for i in (2, 3, 4)]
    urls = [host.url(f"/{n}") for host in hosts for n in range(4)]
    started = time.monotonic()
    results = check_urls(urls, fast_settings(farm, **{"check.host_concurrency": 2, "check.max_concurrency": 6}))
    elapsed = time.monotonic() - started
    assert all(result.status is Status.OK for result in results.values())
    assert all(host.max_in_flight == 2 for host in hosts)
    # 12 URLs, 6 at a time, 0.2 s each: two rounds, not six.
    assert elapsed < 1.0


def test_host_interval_spaces_requests(farm):
    site = farm.host().default(respond(200))
    check_urls([site.url(f"/{n}") for n in range(4)], fast_settings(farm, **{"check.host_interval": "200ms"}))
    times = sorted(record.time_received for record in site.requests)
    gaps = [later - earlier for earlier, later in zip(times, times[1:])]
    assert min(gaps) >= 0.18


def test_url_cited_many_times_is_requested_once(farm):
    from linkcheck.models import Link, Location

    import asyncio

    from linkcheck.check import Engine, make_client

    site = farm.host().route("/once", respond(200))
    settings = fast_settings(farm)
    link = Link(url=site.url("/once"), locations=[Location("a.md", line, 1) for line in range(1, 51)])

    async def run():
        async with make_client(settings) as client:
            return await Engine(settings, client).run([link])

    [result] = asyncio.run(run())
    assert len(result.locations) == 50
    assert site.count("/once") == 1


def test_per_host_headers_go_only_to_their_host(farm, monkeypatch):
    one = farm.host(ip="127.0.0.2").route("/", respond(200))
    two = farm.host(ip="127.0.0.3").route("/", respond(200))
    monkeypatch.setenv("FARM_TOKEN", "s3cret")
    settings = fast_settings(farm)
    from linkcheck.config import HostSettings

    settings.hosts["127.0.0.2"] = HostSettings(headers={"Authorization": "Bearer ${FARM_TOKEN}"})
    check_urls([one.url("/"), two.url("/")], settings)
    assert one.requests[0].header("authorization") == "Bearer s3cret"
    assert two.requests[0].header("authorization") is None


@pytest.mark.parametrize("retries", [0, 2])
def test_timeout_is_retried_as_configured(farm, retries):
    site = farm.host().route("/slow", hang())
    check_urls([site.url("/slow")], fast_settings(farm, **{"check.retries": retries, "check.read_timeout": "300ms"}))
    assert site.count("/slow") == retries + 1


def test_remote_fragments_are_checked_against_the_page(farm):

    page = '<html><body><h2 id="install">Install</h2><a name="legacy"></a><p id="caf%C3%A9">x</p></body></html>'
    site = farm.host().route("/doc", respond(200, page)).route("/file.pdf", respond(200, b"%PDF-1.4", {"Content-Type": "application/pdf"}))
    site.route("/moved", redirect(301, "/doc"))
    base = site.url("/doc")
    urls = [f"{base}#install", f"{base}#legacy", f"{base}#missing", f"{base}#:~:text=Install", f"{base}#/app/route",
            f"{site.url('/file.pdf')}#page=2", f"{site.url('/moved')}#nowhere"]
    results = check_urls(urls, fast_settings(farm))
    statuses = {url.split("/", 3)[3]: results[url].status for url in urls}
    assert statuses == {
        "doc#install": Status.OK,
        "doc#legacy": Status.OK,
        "doc#missing": Status.FRAGMENT_MISSING,
        "doc#:~:text=Install": Status.OK,
        "doc#/app/route": Status.OK,
        "file.pdf#page=2": Status.OK,
        "moved#nowhere": Status.FRAGMENT_MISSING,
    }
    assert results[f"{base}#missing"].error == "the page has no anchor #missing"
    assert site.count("/doc") == 2  # one GET for the five fragments of /doc, one after the redirect of /moved
    assert site.count("/doc", "HEAD") == 0


def test_fragment_checks_can_be_turned_off(farm):
    site = farm.host().route("/doc", respond(200, "<p>no anchors</p>"))
    url = site.url("/doc") + "#missing"
    assert check_urls([url], fast_settings(farm, **{"check.fragments": False}))[url].status is Status.OK
    assert site.count("/doc", "HEAD") == 1


def test_robots_txt_is_respected_only_when_asked(farm):
    site = farm.host().route("/robots.txt", respond(200, "User-agent: *\nDisallow: /private\n", {"Content-Type": "text/plain"}))
    site.route("/private/a", respond(200)).route("/private/b", respond(200)).route("/public", respond(200))
    urls = [site.url("/private/a"), site.url("/private/b"), site.url("/public")]
    results = check_urls(urls, fast_settings(farm, **{"check.respect_robots": True}))
    assert [results[url].status for url in urls] == [Status.EXCLUDED, Status.EXCLUDED, Status.OK]
    assert results[urls[0]].error == "disallowed by the site's robots.txt"
    assert site.count("/robots.txt") == 1 and site.count("/private/a") == 0
    site.reset_stats()
    assert all(result.status is Status.OK for result in check_urls(urls, fast_settings(farm)).values())
    assert site.count("/robots.txt") == 0


def test_missing_robots_txt_allows_everything(farm):
    site = farm.host().route("/page", respond(200))
    result = check_urls([site.url("/page")], fast_settings(farm, **{"check.respect_robots": True}))[site.url("/page")]
    assert result.status is Status.OK


def test_behind_a_proxy_private_addresses_are_refused_before_the_proxy_sees_them(farm):
    """Through a proxy the connection layer never sees the target's address, so the engine
    checks the host first (the SSRF guard); the proxy is never asked for it."""
    proxy = farm.host(ip="127.0.0.9").default(respond(200, "proxied"))
    target = farm.host(ip="127.0.0.10").route("/x", respond(200))
    settings = fast_settings(farm, **{"network.proxy": proxy.url("/"), "network.allow_private": False})
    result = check_urls([target.url("/x")], settings)[target.url("/x")]
    assert result.status is Status.EXCLUDED and "private networks are not checked" in (result.error or "")
    assert proxy.count() == 0 and target.count() == 0
