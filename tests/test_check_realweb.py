"""Verdicts on behaviours of the real web that no status table covers: bot walls, rate
limits, legal blocks, walls behind redirects, cookies, parked domains, redirects to another
site's home page, pages built by scripts, DOIs and soft-404 probes on dense ids.

Each fixture is written from a public description of the behaviour (named beside it) and
served by real loopback servers; hosts that need a name (a `consent.` host, doi.org, a
parking marketplace) are given one by `named_hosts`, which answers those names with
loopback addresses, so nothing leaves the machine. Every case runs through the library's
whole pipeline (`check_paths`: soft-404 judge included), the way `linkcheck check` runs.
"""

from __future__ import annotations

import random
import socket
from email.utils import format_datetime
from datetime import datetime, timedelta, timezone

import pytest

from linkcheck import check_paths
from linkcheck.models import Status
from linkcheck.rot import PageSnapshot, Soft404Detector
from linkcheck.rot.soft404 import MIN_PROBE_TOKEN
from tests.farm import RequestRecord, redirect, respond
from tests.helpers import fast_settings

ARTICLE = """<!doctype html><html><head><title>Harbour report</title>{head}</head><body>
<nav><a href="/">Home</a></nav><main><article><h1 id="findings">Harbour report</h1>
<p>The harbour authority published its annual survey of the north breakwater on Monday. Divers
measured scour at forty stations and found that the winter storms moved more sand than in any
year since records began, undermining two of the older concrete blocks near the lighthouse.</p>
<p>Engineers recommend placing rock armour along the seaward face before the next winter and
monitoring the blocks monthly. The council will vote on the funding at its March meeting, and
residents may comment on the proposal until the end of February at the harbour office.</p>
</article></main></body></html>"""


def article(head: str = "") -> str:
    return ARTICLE.format(head=head)


@pytest.fixture
def named_hosts(monkeypatch):
    """`named_hosts({"consent.video.test": "127.0.0.3"})`: those names resolve to those
    loopback addresses for this test (every other name still fails as in conftest)."""
    names: dict[str, str] = {}
    inner = socket.getaddrinfo

    def resolve(host, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else str(host)
        return inner(names.get(name.lower().rstrip("."), host), *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    return names.update


def check(tmp_path, urls: list[str], **overrides):
    """Run the whole pipeline over one Markdown file citing `urls`; results by URL."""
    doc = tmp_path / "sources.md"
    doc.write_text("".join(f"- <{url}>\n" for url in urls), encoding="utf-8")
    settings = fast_settings(None, **{"history.enabled": False, "check.retries": 1, **overrides})
    report = check_paths([doc], settings)
    return {result.url: result for result in report.results}


# ----------------------------------------------------------------- 1. bot walls

#: Cloudflare's managed challenge: 403 with `cf-mitigated: challenge` (Cloudflare docs,
#: "Detect a Challenge Page response"), the "Just a moment..." interstitial and its
#: /cdn-cgi/challenge-platform/ orchestrator script.
CF_CHALLENGE = """<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>
<meta http-equiv="refresh" content="390"></head><body><div class="main-wrapper" role="main">
<div class="main-content"><noscript><div class="h2"><span id="challenge-error-text">Enable JavaScript
and cookies to continue</span></div></noscript></div></div><script>(function(){window._cf_chl_opt={cvId:
'3',cZone:"example.org",cType:'managed'};var a=document.createElement('script');
a.src='/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1?ray=8a1b2c3d4e5f6071';
document.getElementsByTagName('head')[0].appendChild(a);}());</script></body></html>"""
#: The older "I'm Under Attack" interstitial, answered 503 without the header (lychee #1217).
CF_IUAM = """<!DOCTYPE HTML><html><head><title>Just a moment...</title></head><body>
<h1>Checking your browser before accessing example.org.</h1><p>This process is automatic. Your
browser will redirect to your requested content shortly.</p><p>Please allow up to 5 seconds&hellip;</p>
<form id="challenge-form" action="/?__cf_chl_jschl_tk__=abc" method="POST"></form></body></html>"""
#: Akamai's edge denial (Akamai community: "Access Denied ... Reference #18.xxx").
AKAMAI = """<HTML><HEAD><TITLE>Access Denied</TITLE></HEAD><BODY><H1>Access Denied</H1>
You don't have permission to access "http&#58;&#47;&#47;www&#46;example&#46;com&#47;report" on this server.<P>
Reference&#32;&#35;18&#46;2d351ab8&#46;1557333295&#46;a4e16ab</BODY></HTML>"""
#: Imperva/Incapsula: a 200 whose body is only the `_Incapsula_Resource` script.
INCAPSULA = """<html><head><META NAME="robots" CONTENT="noindex,nofollow"><script
src="/_Incapsula_Resource?SWJIYLWA=5074a744e2e3d891814e9a2dace20bd4,719d34d31c8e3a6e6fffd425f7e032f3">
</script><body></body></html>"""
SUCURI = """<!DOCTYPE html><html><head><title>Sucuri WebSite Firewall - Access Denied</title></head>
<body><div id="main-container"><h2>Access Denied - Sucuri Website Firewall</h2>
<p>If you are the site owner, contact cloudproxy@sucuri.net</p></div></body></html>"""
DATADOME = """<html><head><title>example.com</title></head><body style="margin:0">
<p id="cmsg">Please enable JS and disable any ad blocker</p><script>var dd={'rt':'c','cid':'AHrlqAAAAAMA',
'hsh':'2013457ADA70C67D6A4123E0A76873','t':'fe','host':'geo.captcha-delivery.com'}</script>
<script src="https://ct.captcha-delivery.com/c.js"></script></body></html>"""
PERIMETERX = """<!DOCTYPE html><html lang="en"><head><title>Access to this page has been denied</title>
<script>window._pxAppId = 'PXu6b0qd2S';</script></head><body><h1>Press &amp; Hold to confirm you are
a human (and not a bot).</h1><div id="px-captcha"></div></body></html>"""
AWS_CHALLENGE = """<!DOCTYPE html><html lang="en"><head><script>window.awsWafCookieDomainList = [];
window.gokuProps = {"key":"AQIDAHjcYu","iv":"EkQVUwA","context":"ixWPrZ"};</script>
<script src="https://5ec2a1ad32dc.d0db0a30.us-east-2.token.awswaf.com/5ec2a1ad32dc/challenge.js"></script>
</head><body><div id="challenge-container"></div><noscript><h1>JavaScript is disabled</h1></noscript></body></html>"""

#: Anubis (TecharoHQ/anubis, web/index.templ; the policy docs' `status_codes`: CHALLENGE and
#: DENY answer 200 unless the operator sets 401/403). Its page carries the challenge payload as a
#: JSON script, its assets under /.within.website/x/cmd/anubis/, and explains itself at length in
#: "Why am I seeing this?" (paraphrased here at the same length).
ANUBIS = """<!DOCTYPE html><html lang="en"><head><title>Making sure you&#39;re not a bot!</title>
<link rel="stylesheet" href="/.within.website/x/xess/xess.min.css?cachebuster=v1.21.3">
<meta name="viewport" content="width=device-width, initial-scale=1.0"><meta name="robots" content="noindex,nofollow">
<script id="anubis_version" type="application/json">"v1.21.3"</script>
<script id="anubis_challenge" type="application/json">{"rules":{"algorithm":"fast","difficulty":4,"report_as":4},
"challenge":"a4f1c2d9e8b7a6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1"}</script>
<script id="anubis_base_prefix" type="application/json">""</script></head><body id="top"><main>
<center><h1 id="title" class=".centered-div">Making sure you&#39;re not a bot!</h1></center>
<div class="centered-div"><img id="image" style="width:100%;max-width:256px;"
src="/.within.website/x/cmd/anubis/static/img/pensive.webp?cacheBuster=v1.21.3">
<p id="status">Loading...</p>
<script async type="module" src="/.within.website/x/cmd/anubis/static/js/main.mjs?cacheBuster=v1.21.3"></script>
<div id="progress" role="progressbar" aria-labelledby="status"><div class="bar-inner"></div></div>
<details><summary>Why am I seeing this?</summary>
<p>The people who run this website put Anubis in front of it because crawlers gathering training data for
AI companies were requesting its pages so aggressively that the server kept falling over, and when it falls
over nobody at all can read what it hosts. Every visitor is asked to do a small amount of work first.</p>
<p>Anubis is a compromise. It uses a proof-of-work scheme much like Hashcash, which was proposed long ago as a
way of making bulk email spam expensive. For one person opening a few pages the extra computation is too small
to notice, but for a scraper requesting millions of pages it adds up to a real cost, and that cost is the point.</p>
<p>This is a stopgap. The hope is that with more time the project can tell headless browsers apart from people
in other ways, for example by how they render fonts, so that visitors who are very likely to be legitimate never
have to see this challenge page or wait for the proof of work to finish before reading the site.</p>
<p>The challenge relies on modern JavaScript features that some privacy extensions switch off. If the page does
not move on after a few seconds, please allow scripts for this domain or turn such extensions off for it, then
reload the page and the check will run again.</p></details>
<noscript><p>Unfortunately you need JavaScript enabled to get past this challenge. A way through without
JavaScript is being worked on, but it is not finished yet.</p></noscript><div id="testarea"></div></div>
<footer><center><p>Protected by <a href="https://github.com/TecharoHQ/anubis">Anubis</a> from
<a href="https://techaro.lol">Techaro</a>.</p></center></footer></main></body></html>"""
#: Anubis's DENY answer: its error template ("Oh noes!", the reject mascot), status 200 by default.
ANUBIS_DENY = """<!DOCTYPE html><html lang="en"><head><title>Oh noes!</title>
<link rel="stylesheet" href="/.within.website/x/xess/xess.min.css?cachebuster=v1.21.3"></head><body id="top"><main>
<center><h1 id="title" class=".centered-div">Oh noes!</h1></center><div class="centered-div">
<img id="image" alt="Sad Anubis" style="width:100%;max-width:256px;"
src="/.within.website/x/cmd/anubis/static/img/reject.webp?cacheBuster=v1.21.3">
<p>Access Denied: error code 6f3a9c1e2b.</p><button onClick="window.location.reload();">Try again</button>
<p><a href="/">Go home</a></p></div><footer><center><p>Protected by <a href="https://github.com/TecharoHQ/anubis">Anubis</a>
from <a href="https://techaro.lol">Techaro</a>.</p></center></footer></main></body></html>"""
#: go-away (git.gammaspectra.live/git/go-away): the same idea, its assets under
#: /.well-known/.git.gammaspectra.live/git/go-away/cmd/go-away/assets/, every path answered with
#: the same 200 challenge page (so a made-up address looks exactly like the cited one).
GO_AWAY = """<!DOCTYPE html><html><head><title>Checking you are not a bot</title>
<link rel="stylesheet" href="/.well-known/.git.gammaspectra.live/git/go-away/cmd/go-away/assets/static/anubis/style.css?cacheBust=Zo1">
<meta name="viewport" content="width=device-width, initial-scale=1.0"><meta name="referrer" content="origin"></head>
<body id="top"><main><center><h1 id="title" class=".centered-div">Checking you are not a bot</h1></center>
<div class="centered-div"><img id="image" style="width:100%;max-width:256px;"
src="/.well-known/.git.gammaspectra.live/git/go-away/cmd/go-away/assets/static/logo.png?cacheBust=Zo1">
<p id="status">Loading challenge <em>js-refresh</em>...</p><details><summary>Why am I seeing this?</summary>
<p>The administrator of this site set up go-away to keep aggressive AI scrapers from taking the server down.</p>
<p>Some challenges need modern JavaScript; extensions that disable it may have to be turned off for this domain.</p>
</details><noscript><p>You may need to enable JavaScript to get past this challenge.</p></noscript>
<script async type="module" src="/.well-known/.git.gammaspectra.live/git/go-away/cmd/go-away/assets/challenge/js-refresh/runtime.mjs?cacheBust=Zo1"></script>
</div></main></body></html>"""
#: A blog post *about* Anubis: names its title and its asset path in running text and code.
ABOUT_ANUBIS = article(
    "<meta name=description content='Anubis'>"
).replace("<p>Engineers", "<p>Visitors now see <q>Making sure you&#39;re not a bot!</q> while Anubis checks them; "
          "its files live under <code>/.within.website/x/cmd/anubis/static/</code> and the challenge arrives in a "
          "<code>&lt;script id=&quot;anubis_challenge&quot;&gt;</code> element.</p><p>Engineers")


def test_bot_walls_are_blocked_with_the_vendor_named(tmp_path, farm, named_hosts):
    site = farm.host("127.0.0.1")
    cf = [("server", "cloudflare"), ("cf-ray", "8a1b2c3d4e5f6071-AMS")]
    site.route("/cf-403", respond(403, CF_CHALLENGE, cf + [("cf-mitigated", "challenge")]))
    site.route("/cf-503", respond(503, CF_IUAM, cf))
    site.route("/cf-429", respond(429, CF_CHALLENGE, cf))
    site.route("/akamai", respond(403, AKAMAI, {"server": "AkamaiGHost"}))
    site.route("/incapsula", respond(200, INCAPSULA, {"x-iinfo": "13-39424913-0 0NNN RT(1580390537891 0)", "x-cdn": "Incapsula"}))
    site.route("/sucuri", respond(403, SUCURI, {"server": "Sucuri/Cloudproxy", "x-sucuri-id": "18017"}))
    site.route("/datadome", respond(403, DATADOME, {"x-datadome": "protected", "set-cookie": "datadome=abc; Path=/"}))
    site.route("/perimeterx", respond(403, PERIMETERX))
    site.route("/aws-challenge", respond(202, AWS_CHALLENGE, {"x-amzn-waf-action": "challenge"}))
    site.route("/aws-captcha", respond(405, AWS_CHALLENGE, {"x-amzn-waf-action": "captcha"}))
    site.route("/origin-403", respond(403, "<html><body><h1>Forbidden</h1></body></html>"))
    linkedin = farm.host("127.0.0.2").route("/in/someone", respond(999, "<html><body></body></html>"))
    named_hosts({"www.linkedin.com": linkedin.ip})
    expected = {
        "/cf-403": "Cloudflare", "/cf-503": "Cloudflare", "/cf-429": "Cloudflare", "/akamai": "Akamai",
        "/incapsula": "Incapsula", "/sucuri": "Sucuri", "/datadome": "DataDome", "/perimeterx": "PerimeterX",
        "/aws-challenge": "AWS WAF", "/aws-captcha": "AWS WAF",
    }  # fmt: skip
    linkedin_url = f"http://www.linkedin.com:{linkedin.port}/in/someone"
    results = check(tmp_path, [site.url(path) for path in [*expected, "/origin-403"]] + [linkedin_url])
    for path, vendor in expected.items():
        result = results[site.url(path)]
        assert result.status is Status.BLOCKED, (path, result.status, result.error)
        assert vendor in result.error and result.error.startswith("bot wall"), (path, result.error)
    assert results[linkedin_url].status is Status.BLOCKED and "LinkedIn" in results[linkedin_url].error
    plain = results[site.url("/origin-403")]
    assert plain.status is Status.BLOCKED and "bot wall" not in plain.error  # no vendor guessed
    # A challenge is not asked again: it does not pass by retrying.
    assert site.count("/cf-503") == 1 and site.count("/cf-429") == 1


def test_proof_of_work_walls_are_blocked_not_ok_nor_a_soft_404(tmp_path, farm):
    """Anubis and go-away answer linkcheck's browser-like User-Agent with their challenge page,
    200 by default: not the cited page (not ok), and every made-up address gets the same page
    (not a soft 404). A post about Anubis that quotes its title and paths stays ok."""
    anubis = farm.host("127.0.0.1")
    anubis.default(respond(200, ANUBIS, {"content-type": "text/html; charset=utf-8"}))
    anubis.route("/status-401", respond(401, ANUBIS, {"content-type": "text/html; charset=utf-8"}))
    anubis.route("/denied", respond(200, ANUBIS_DENY, {"content-type": "text/html; charset=utf-8"}))
    go_away = farm.host("127.0.0.2").default(respond(200, GO_AWAY, {"content-type": "text/html; charset=utf-8"}))
    blog = farm.host("127.0.0.3").route("/2025/anubis", respond(200, ABOUT_ANUBIS, {"content-type": "text/html"}))
    walls = [anubis.url("/wiki/Main_Page"), anubis.url("/status-401"), anubis.url("/denied"), go_away.url("/user/repo/issues/12")]
    results = check(tmp_path, [*walls, blog.url("/2025/anubis")])
    for url, vendor in zip(walls, ["Anubis", "Anubis", "Anubis", "go-away"]):
        result = results[url]
        assert result.status is Status.BLOCKED, (url, result.status, result.error)
        assert result.error.startswith("bot wall") and vendor in result.error, (url, result.error)
    assert results[blog.url("/2025/anubis")].status is Status.OK, results[blog.url("/2025/anubis")].error


def test_pages_that_merely_carry_a_vendors_script_stay_ok(tmp_path, farm):
    """Cloudflare injects /cdn-cgi/challenge-platform/ into pages it lets through, Imperva
    its _Incapsula_Resource script; DataDome's tag loads on every protected page."""
    site = farm.host()
    site.route("/cf-article", respond(200, article('<script src="/cdn-cgi/challenge-platform/scripts/jsd/main.js"></script>'),
                                      {"server": "cloudflare", "cf-ray": "8a1b-AMS"}))  # fmt: skip
    site.route("/incap-article", respond(200, article('<script src="/_Incapsula_Resource?SWJIYLWA=719d34d3"></script>'),
                                         {"x-iinfo": "10-1", "set-cookie": "visid_incap_1=abc; path=/"}))  # fmt: skip
    site.route("/dd-article", respond(200, article('<script src="https://js.datadome.co/tags.js"></script>'), {"x-datadome": "protected"}))
    results = check(tmp_path, [site.url(p) for p in ("/cf-article", "/incap-article", "/dd-article")])
    assert {url: r.status for url, r in results.items()} == dict.fromkeys(results, Status.OK)


# ----------------------------------------------------------------- 2. legal and quota


def test_451_is_a_legal_block_with_the_blocking_entity(tmp_path, farm):
    """RFC 7725: 451 Unavailable For Legal Reasons, `Link: <…>; rel="blocked-by"`."""
    site = farm.host().route("/banned", respond(451, "<h1>Unavailable For Legal Reasons</h1>",
                                                 {"link": '<https://spqr.example.org/legislatione>; rel="blocked-by"'}))  # fmt: skip
    result = check(tmp_path, [site.url("/banned")])[site.url("/banned")]
    assert result.status is Status.BLOCKED
    assert result.error.startswith("legal block") and "https://spqr.example.org/legislatione" in result.error


def test_a_long_retry_after_is_not_waited_out_in_either_form(tmp_path, farm):
    """RFC 9110 §10.2.3: delta-seconds or an HTTP-date. Beyond check.retry_after_max the run
    does not wait: blocked, "rate limited, retry after <time>", one request each."""
    later = format_datetime(datetime.now(timezone.utc) + timedelta(hours=2), usegmt=True)
    site = farm.host()
    site.route("/seconds", respond(429, "slow down", {"retry-after": "3600"}))
    site.route("/date", respond(503, "maintenance", {"retry-after": later}))
    results = check(tmp_path, [site.url("/seconds"), site.url("/date")], **{"check.retries": 3})
    for path in ("/seconds", "/date"):
        result = results[site.url(path)]
        assert result.status is Status.BLOCKED and result.error.startswith("rate limited"), result.error
        assert "retry after 20" in result.error  # an absolute time the user can act on
        assert site.count(path) == 1


def test_a_short_retry_after_is_waited_and_the_page_counts(tmp_path, farm):
    from tests.farm import sequence

    site = farm.host().route("/busy", sequence(respond(429, "later", {"retry-after": "1"}), respond(200, article())))
    assert check(tmp_path, [site.url("/busy")])[site.url("/busy")].status is Status.OK


# ----------------------------------------------------------------- 3. walls by redirect

LOGIN_PAGE = """<!doctype html><html><head><title>Sign in</title></head><body><main><h1>Sign in</h1>
<form method="post" action="/session"><label>Email <input type="email" name="email"></label>
<label>Password <input type="password" name="password"></label><button>Sign in</button></form></main></body></html>"""
CONSENT_PAGE = """<!doctype html><html><head><title>Before you continue</title></head><body><h1>Before you
continue</h1><p>We use cookies and data to deliver and maintain services.</p><form action="/save">
<button>Reject all</button><button>Accept all</button></form></body></html>"""
LANDING = """<!doctype html><html><head><title>Welcome</title></head><body><h1>Welcome to our members area</h1>
<p>Join today.</p></body></html>"""


def test_redirects_to_sign_in_and_consent_pages_are_blocked_not_soft404(tmp_path, farm, named_hosts):
    site = farm.host("127.0.0.1").default(respond(200, LANDING))  # unknown paths answer 200: the probe would match
    site.route("/members/annual-report-2024", redirect(302, "/login?next=%2Fmembers%2Fannual-report-2024"))
    site.route("/login", respond(200, LOGIN_PAGE))
    site.route("/story/harbour-vote", redirect(302, "/account/signin?returnUrl=%2Fstory%2Fharbour-vote"))
    site.route("/account/signin", respond(200, LANDING))
    site.route("/premium/deep-dive", redirect(303, "/welcome"))
    site.route("/welcome", respond(200, LOGIN_PAGE))  # no return parameter, but a password field
    video = farm.host("127.0.0.2")
    consent = farm.host("127.0.0.3").route("/", respond(200, CONSENT_PAGE))
    named_hosts({"www.video.test": video.ip, "consent.video.test": consent.ip})
    watch = f"http://www.video.test:{video.port}/watch?v=dQw4w9WgXcQ"
    video.route("/watch", redirect(302, f"http://consent.video.test:{consent.port}/?continue={watch}&gl=NL"))
    cited = {site.url("/members/annual-report-2024"): "login wall", site.url("/story/harbour-vote"): "login wall",
             site.url("/premium/deep-dive"): "login wall", watch: "consent wall"}  # fmt: skip
    results = check(tmp_path, list(cited))
    for url, reason in cited.items():
        assert results[url].status is Status.BLOCKED and results[url].error.startswith(reason), (url, results[url].error)


def test_a_deep_link_sent_to_a_section_page_is_still_a_soft404(tmp_path, farm):
    """The old verdicts stay: a redirect to an ancestor section is a soft 404, not a wall."""
    site = farm.host().route("/products/widget-9", redirect(301, "/products/")).route("/products/", respond(200, LANDING))
    assert check(tmp_path, [site.url("/products/widget-9")])[site.url("/products/widget-9")].status is Status.SOFT404


# ----------------------------------------------------------------- 4. cookies


def test_a_site_that_sets_its_cookie_by_redirecting_to_itself_is_ok(tmp_path, farm):
    """A load-balancer or consent cookie set on a 302 back to the same URL (lychee #1035):
    without a jar this is a redirect loop; a browser sees the page."""

    def gate(request: RequestRecord):
        if "visited=yes" in request.header("cookie", ""):
            return respond(200, article())
        return redirect(302, request.path, {"set-cookie": "visited=yes; Path=/; HttpOnly"})

    site = farm.host("127.0.0.1").route("/gate/article", gate)
    other = farm.host("127.0.0.2").route("/page", respond(200, article()))
    results = check(tmp_path, [site.url("/gate/article"), other.url("/page")])
    assert results[site.url("/gate/article")].status is Status.OK, results[site.url("/gate/article")].error
    assert all("cookie" not in record.headers for record in other.requests)  # a cookie stays on its site
    assert "visited=yes" not in repr([r.to_dict() for r in results.values()])


# ----------------------------------------------------------------- 5. parked domains

#: A ParkingCrew/Bodis-style lander: for-sale text and the parking service's scripts.
PARKED_LANDER = """<!DOCTYPE html><html><head><title>oldblog.test - This website is for sale! - oldblog Resources and Information.</title>
<script type="text/javascript" src="//www.parkingcrew.net/assets/scripts/caf.js"></script></head><body>
<div id="container"><h1>This domain is for sale!</h1><p>Related searches: Web Hosting, Blog Software</p>
<div id="relatedLinks"></div></div><script>window.location.href="/lander";</script></body></html>"""
EXPIRED = """<!doctype html><html><head><title>Domain expired</title></head><body><h1>This domain has expired</h1>
<p>If you are the owner, renew this domain at your registrar.</p></body></html>"""
DOMAIN_NEWS = article().replace("Harbour report", "Why old domains are for sale").replace(
    "The harbour authority", "Our reporter asked why this domain is for sale and how the market for expired names works. The harbour authority"
)


def test_parked_and_expired_domains_are_parked_for_every_citation(tmp_path, farm, named_hosts):
    lander = farm.host("127.0.0.1").default(respond(200, PARKED_LANDER))
    ww1 = farm.host("127.0.0.2").default(respond(200, "<html><head><script src='/js/parking.js'></script></head><body></body></html>"))
    gone = farm.host("127.0.0.3")
    market = farm.host("127.0.0.4").default(respond(200, "<html><body><h1>Buy this domain</h1></body></html>"))
    expired = farm.host("127.0.0.5").default(respond(200, EXPIRED))
    news = farm.host("127.0.0.6").route("/story", respond(200, DOMAIN_NEWS))
    sold = farm.host("127.0.0.7").default(redirect(301, f"http://www.hugedomains.com:{market.port}/domain_profile.cfm?d=sold.test"))
    named_hosts({"oldblog.test": lander.ip, "gone.test": gone.ip, "ww1.gone.test": ww1.ip, "sold.test": sold.ip,
                 "www.hugedomains.com": market.ip, "expired.test": expired.ip})  # fmt: skip
    gone.route("/2015/06/post.html", redirect(302, f"http://ww1.gone.test:{ww1.port}/2015/06/post.html"))
    parked_urls = [f"http://oldblog.test:{lander.port}/2014/03/{slug}.html" for slug in ("first-post", "second-post", "about")]
    parked_urls += [f"http://gone.test:{gone.port}/2015/06/post.html", f"http://sold.test:{sold.port}/research/paper.pdf",
                    f"http://expired.test:{expired.port}/docs/guide"]  # fmt: skip
    # One request at a time per host, so the lander's second and third citations come after it was recognised.
    results = check(tmp_path, [*parked_urls, news.url("/story")], **{"check.host_concurrency": 1})
    for url in parked_urls:
        assert results[url].status is Status.PARKED, (url, results[url].status, results[url].error)
    assert results[news.url("/story")].status is Status.OK  # an article about domain sales is not a lander
    assert lander.count() == 1  # detected once per host, applied to every citation of it


# ----------------------------------------------------------------- 6. another site's home page


def test_a_deep_link_redirected_to_another_sites_home_is_a_soft404(tmp_path, farm, named_hosts):
    old = farm.host("127.0.0.1")
    new = farm.host("127.0.0.2").route("/", respond(200, article()))
    short = farm.host("127.0.0.3")
    named_hosts({"oldnews.test": old.ip, "newsite.test": new.ip, "sho.rt": short.ip})
    old.route("/2019/05/harbour-vote-postponed.html", redirect(301, f"http://newsite.test:{new.port}/"))
    short.route("/x7Kp", redirect(301, f"http://newsite.test:{new.port}/"))
    deep = f"http://oldnews.test:{old.port}/2019/05/harbour-vote-postponed.html"
    link = f"http://sho.rt:{short.port}/x7Kp"
    results = check(tmp_path, [deep, link])
    assert results[deep].status is Status.SOFT404 and "another site" in results[deep].error
    assert results[link].status is Status.REDIRECT_PERMANENT  # a short link to a home page is that home page


# ----------------------------------------------------------------- 7. pages built by scripts

SHELL = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Harbour data explorer</title>
<script defer src="/static/js/main.4f2a1c.js"></script></head><body><noscript>You need to enable JavaScript
to run this app.</noscript><div id="root"></div></body></html>"""
BARE_SHELL = """<!doctype html><html><head><script src="/app.js"></script></head><body><div id="app"></div></body></html>"""


def test_a_page_built_by_scripts_is_not_judged_by_its_html(tmp_path, farm):
    """create-react-app's index.html: an empty #root and a noscript plea. The site answers
    the same shell for every path (a client-side router), so the probe matches it too."""
    site = farm.host().default(respond(200, SHELL))
    bare = farm.host("127.0.0.2").default(respond(200, BARE_SHELL))
    cited = [site.url("/explore/tides#station-12"), site.url("/explore/storms"), bare.url("/view/9")]
    results = check(tmp_path, cited)
    with_fragment = results[cited[0]]
    assert with_fragment.status is Status.OK and with_fragment.error == "rendered by script; fragment not verified"
    assert results[cited[1]].status is Status.OK  # not a soft 404: one shell is like every other
    assert results[cited[2]].status is Status.BLOCKED and results[cited[2]].error.startswith("script-built")


# ----------------------------------------------------------------- 8. DOIs

DOI_NOT_FOUND = """<!DOCTYPE html><html><head><title>DOI Not Found</title></head><body><h1>DOI Not Found</h1>
<p>10.9999/missing</p><p>This DOI cannot be found in the DOI System.</p></body></html>"""


def test_dois_are_judged_as_the_registry_answers(tmp_path, farm, named_hosts):
    doi = farm.host("127.0.0.1").route("/10.9999/missing", respond(404, DOI_NOT_FOUND))
    crossref = farm.host("127.0.0.2").route("/_deleted-doi/", respond(200, "<html><body><h1>This DOI has been deleted</h1></body></html>"))
    publisher = farm.host("127.0.0.3").route("/article/42", respond(403, CF_CHALLENGE, {"server": "cloudflare", "cf-mitigated": "challenge"}))
    named_hosts({"doi.org": doi.ip, "www.crossref.org": crossref.ip, "journal.test": publisher.ip})
    doi.route("/10.9999/deleted", redirect(302, f"http://www.crossref.org:{crossref.port}/_deleted-doi/"))
    doi.route("/10.9999/walled", redirect(302, f"http://journal.test:{publisher.port}/article/42"))
    base = f"http://doi.org:{doi.port}"
    results = check(tmp_path, [f"{base}/10.9999/missing", f"{base}/10.9999/deleted", f"{base}/10.9999/walled"])
    assert (results[f"{base}/10.9999/missing"].status, results[f"{base}/10.9999/missing"].error) == (Status.DEAD, "DOI not registered (doi.org answers 404)")
    deleted = results[f"{base}/10.9999/deleted"]
    assert deleted.status is Status.DEAD and deleted.error.startswith("DOI deleted")
    walled = results[f"{base}/10.9999/walled"]
    assert walled.status is Status.BLOCKED and walled.error.startswith("DOI registered") and "Cloudflare" in walled.error


# ----------------------------------------------------------------- 9. the probe


def test_a_probe_is_never_a_cited_url_and_names_no_plausible_page():
    """Dense numeric ids: every four-digit /path/NNNN is cited; the probe must avoid them all."""
    cited = {f"http://h.test/path/{n:04d}" for n in range(10_000)}
    asked: list[str] = []

    async def fetch(url: str) -> PageSnapshot:
        asked.append(url)
        return PageSnapshot(url, url, 404)

    import asyncio

    detector = Soft404Detector(fetch, rng=random.Random(7), is_cited=cited.__contains__)
    page = PageSnapshot("http://h.test/path/3943", "http://h.test/path/3943", 200, content_type="text/html", body=article().encode())
    assert asyncio.run(detector.check(page)) is None
    (probe,) = asked
    token = probe.rsplit("/", 1)[1]
    assert probe not in cited and token.isdigit() and len(token) >= MIN_PROBE_TOKEN


def test_a_probe_is_asked_once_within_a_short_time_and_counted(tmp_path, farm):
    """Issue 17: a probe that hangs must not cost the check retries or minutes."""
    from tests.farm import hang

    site = farm.host().route("/reports/annual-2024.html", respond(200, article())).default(hang())
    doc = tmp_path / "a.md"
    doc.write_text(f"<{site.url('/reports/annual-2024.html')}>\n", encoding="utf-8")
    report = check_paths([doc], fast_settings(None, **{"history.enabled": False, "check.retries": 3, "check.read_timeout": "30s"}))
    (result,) = report.results
    assert result.status is Status.OK
    probes = [r for r in site.requests if r.path != "/reports/annual-2024.html"]
    assert len(probes) == 1  # never retried
    assert report.host_stats[f"{site.ip}"]["probes"] == 1


def test_a_sign_in_or_consent_page_served_at_every_address_is_blocked_not_soft404(tmp_path, farm):
    """A site that answers 200 with its sign-in (or cookie-consent) page at every path: the
    soft-404 probe gets the same page, which would make every citation a soft 404."""
    login = farm.host("127.0.0.1").default(respond(200, LOGIN_PAGE))
    consent = farm.host("127.0.0.2").default(respond(200, CONSENT_PAGE.replace("We use cookies", "We use cookies " + "and partners " * 5)))
    cited = [login.url("/team/handbook/onboarding"), consent.url("/2024/05/harbour-vote.html")]
    results = check(tmp_path, cited)
    assert results[cited[0]].status is Status.BLOCKED and results[cited[0]].error.startswith("login wall")
    assert results[cited[1]].status is Status.BLOCKED and results[cited[1]].error.startswith("consent wall")


def test_a_meta_refresh_is_read_as_the_redirect_it_is(tmp_path, farm):
    """Old CMSs and SSO gateways send readers on with <meta http-equiv="refresh">: a deep
    link refreshed to the home page is a soft 404, one refreshed to a sign-in page a wall."""
    site = farm.host().route("/", respond(200, article()))
    site.route("/2016/04/old-story.html", respond(200, '<html><head><meta http-equiv="refresh" content="0; url=/"></head><body>Moved.</body></html>'))
    site.route("/intranet/report", respond(200, '<html><head><meta http-equiv="Refresh" content="0;URL=\'/login?next=/intranet/report\'"></head></html>'))
    site.route("/slow/notice", respond(200, article('<meta http-equiv="refresh" content="600; url=/">')))
    results = check(tmp_path, [site.url("/2016/04/old-story.html"), site.url("/intranet/report"), site.url("/slow/notice")])
    assert results[site.url("/2016/04/old-story.html")].status is Status.SOFT404
    assert results[site.url("/intranet/report")].status is Status.BLOCKED and results[site.url("/intranet/report")].error.startswith("login wall")
    assert results[site.url("/slow/notice")].status is Status.OK  # a ten-minute refresh is a page that reloads itself


def test_a_redirector_link_to_a_home_page_is_not_a_soft404():
    from linkcheck.rot.soft404 import redirect_signal

    assert redirect_signal("https://www.google.test/url?q=https://example.org/&sa=D&ust=1600000000", "https://example.org/") is None
