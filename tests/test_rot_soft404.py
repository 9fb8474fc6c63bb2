"""Soft 404s on loopback sites with labelled pages: honest hosts, a catch-all host that
answers 200 with a "not found" template for every unknown path (the trap), a German one,
and a JavaScript shell that is the same on every path.
"""

from __future__ import annotations

import asyncio
import itertools
import random
from string import Template
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from linkcheck.check.outcome import Exchange, Outcome
from linkcheck.models import Redirect
from linkcheck.rot import DEFAULT_BODY_LIMIT, PageSnapshot, Soft404Detector, Soft404Options, snapshot_from_outcome
from linkcheck.rot.soft404 import MIN_PROBE_TOKEN, not_found_heading, probe_target, redirect_signal, says_not_found
from tests.farm import Farm, Host, RequestRecord, redirect, respond
from tests.test_rot_drift import NAV_V1, fixture, page

SITE = {"site": "The Coastal Review", "nav": NAV_V1}
_stamps = itertools.count(1)


def template(name: str, **slots: str) -> str:
    return Template(fixture(f"pages/{name}.html")).substitute(SITE | slots)


def catch_all(name: str, site: str):
    """A behaviour answering 200 with the "not found" template, which echoes the path and
    changes its timestamp, edge node and suggestions on every request."""

    def answer(request: RequestRecord):
        n = next(_stamps)
        related = "".join(f"<li>Story {(n * 7 + i) % 50}</li>" for i in range(3))
        body = template(name, site=site, path=request.path, stamp=f"2026-03-01 09:{n % 60:02d}:{n % 59:02d}", node=str(n % 9), related=related)
        return respond(200, body)

    return answer


def by_query(key: str, pages: dict[str, str], otherwise):
    def answer(request: RequestRecord):
        value = parse_qs(urlsplit(request.path).query).get(key, [""])[0]
        return respond(200, pages[value]) if value in pages else (otherwise(request) if callable(otherwise) else otherwise)

    return answer


def honest_host(farm: Farm) -> Host:
    host = farm.host("127.0.0.1").default(respond(404, template("landing_404")))
    host.route("/", respond(200, template("home")))
    host.route("/articles/tide-pools-of-the-north-coast.html", respond(200, page("tide-pools")))
    host.route("/articles/2019/bridges-that-sing", respond(200, page("bridges")))
    host.route("/read", by_query("id", {"4821": page("lighthouse")}, respond(404, template("landing_404"))))
    host.route("/blog/the-history-of-the-404-page/", respond(200, page("error-pages")))
    host.route("/old/bridges", redirect(301, "/articles/2019/bridges-that-sing"))
    host.route("/2019/05/honeybee-navigation", redirect(301, "/honeybee-navigation"))
    host.route("/honeybee-navigation", respond(200, page("bees")))
    host.route("/guides/2016/tide-tables", redirect(301, "/tides")).route("/tides", respond(200, page("tide-pools")))
    # Dead, each in its own way.
    host.route("/articles/deleted-story.html", redirect(302, "/"))
    host.route("/news/2018/old-announcement", redirect(301, "/404.html")).route("/404.html", respond(200, template("landing_404")))
    host.route("/products/widget-2000", redirect(301, "/products/")).route("/products/", respond(200, template("home")))
    host.route("/de/artikel/alte-seite", redirect(302, "/de/")).route("/de/", respond(200, template("home")))
    host.route("/docs/old/page", redirect(302, "/search?q=page")).route("/search", respond(200, template("home")))
    sorry = template("notfound_en", path="", stamp="", node="", related="")
    host.route("/stories/2017/harbour-festival", redirect(302, "/sorry")).route("/sorry", respond(200, sorry))
    return host


def trap_host(farm: Farm) -> Host:
    host = farm.host("127.0.0.2").default(catch_all("notfound_en", "The Coastal Review"))
    host.route("/", respond(200, template("home")))
    host.route("/stories/why-bees-dance.html", respond(200, page("bees")))
    host.route("/stories/the-404-page-history.html", respond(200, page("error-pages")))
    host.route("/item", by_query("id", {"5521": page("sourdough")}, catch_all("notfound_en", "The Coastal Review")))
    return host


def german_host(farm: Farm) -> Host:
    host = farm.host("127.0.0.3").default(catch_all("notfound_de", "Stadtanzeiger"))
    host.route("/ratgeber/hundert-jahre-stadtbibliothek", respond(200, page("bibliothek", lang="de", site="Stadtanzeiger")))
    return host


def shell_host(farm: Farm) -> Host:
    return farm.host("127.0.0.4").default(respond(200, fixture("pages/spa.html")))


def resolver_host(farm: Farm, trap: Host) -> Host:
    """A DOI-like resolver (honest: unknown identifiers are 404) sending readers to the trap host."""
    host = farm.host("127.0.0.5")
    host.route("/10.5555/bees.2019.7", redirect(302, trap.url("/stories/why-bees-dance.html")))
    host.route("/10.5555/gone.2015.3", redirect(302, trap.url("/stories/withdrawn-paper.html")))
    return host


#: (host, path, is it a soft 404?) — every page below answers 2xx in the end.
LABELS = [
    ("honest", "/articles/tide-pools-of-the-north-coast.html", False),
    ("honest", "/articles/2019/bridges-that-sing", False),
    ("honest", "/read?id=4821", False),
    ("honest", "/blog/the-history-of-the-404-page/", False),  # "404 Not Found" in its title
    ("honest", "/old/bridges", False),  # moved to another deep page
    ("honest", "/2019/05/honeybee-navigation", False),  # permalinks shortened, same slug
    ("honest", "/guides/2016/tide-tables", False),  # moved to a shallow page, no other evidence
    ("honest", "/articles/deleted-story.html", True),  # -> /
    ("honest", "/news/2018/old-announcement", True),  # -> /404.html
    ("honest", "/products/widget-2000", True),  # -> /products/
    ("honest", "/de/artikel/alte-seite", True),  # -> /de/
    ("honest", "/docs/old/page", True),  # -> /search?q=page
    ("honest", "/stories/2017/harbour-festival", True),  # -> /sorry, titled "Page not found"
    ("trap", "/stories/why-bees-dance.html", False),
    ("trap", "/stories/the-404-page-history.html", False),
    ("trap", "/item?id=5521", False),
    ("trap", "/stories/a-story-that-was-deleted.html", True),
    ("trap", "/stories/another-missing-story.html", True),
    ("trap", "/item?id=9999", True),
    ("trap", "/archive/2015/06/old-piece", True),
    ("german", "/ratgeber/hundert-jahre-stadtbibliothek", False),
    ("german", "/ratgeber/geloeschter-beitrag", True),
    ("shell", "/maps/harbour-north", False),  # every path is the same empty shell
    ("resolver", "/10.5555/bees.2019.7", False),  # -> a live article on the trap host
    ("resolver", "/10.5555/gone.2015.3", True),  # -> the trap host's template
]


async def fetch_page(client: httpx.AsyncClient, url: str) -> PageSnapshot | None:
    """What the engine hands the detector: a GET, redirects followed, the body capped."""
    try:
        response = await client.get(url, follow_redirects=True)
    except httpx.HTTPError:
        return None
    hops = [Redirect(str(hop.url), hop.status_code) for hop in response.history]
    return PageSnapshot(url, str(response.url), response.status_code, hops, response.headers.get("content-type"), response.content[:DEFAULT_BODY_LIMIT])


def run_labels(farm: Farm, options: Soft404Options | None = None):
    hosts = {"honest": honest_host(farm), "trap": trap_host(farm), "german": german_host(farm), "shell": shell_host(farm)}
    hosts["resolver"] = resolver_host(farm, hosts["trap"])

    async def run():
        async with httpx.AsyncClient() as client:
            detector = Soft404Detector(lambda url: fetch_page(client, url), options, rng=random.Random(7))

            async def judge(url: str):
                snapshot = await fetch_page(client, url)
                assert snapshot is not None and snapshot.status == 200, url
                return await detector.check(snapshot)

            verdicts = await asyncio.gather(*(judge(hosts[h].url(path)) for h, path, _ in LABELS))
            return detector, verdicts

    detector, verdicts = asyncio.run(run())
    return hosts, detector, verdicts


def soft404_counts(verdicts) -> dict[str, int]:
    labelled = [soft for _, _, soft in LABELS]
    return {
        "soft 404 pages": sum(labelled),
        "found": sum(1 for soft, v in zip(labelled, verdicts, strict=True) if soft and v is not None),
        "missed": sum(1 for soft, v in zip(labelled, verdicts, strict=True) if soft and v is None),
        "live pages": len(labelled) - sum(labelled),
        "false positives": sum(1 for soft, v in zip(labelled, verdicts, strict=True) if not soft and v is not None),
    }


def test_labelled_soft404_table(farm):
    _, detector, verdicts = run_labels(farm)
    for (host, path, soft), verdict in zip(LABELS, verdicts, strict=True):
        assert (verdict is not None) == soft, (host, path, verdict)
        if verdict is not None:
            assert verdict.reason and verdict.signals
    counts = soft404_counts(verdicts)
    print("\nsoft404 labelled counts:", counts, "probes:", detector.probes_made)
    assert counts == {"soft 404 pages": 12, "found": 12, "missed": 0, "live pages": 13, "false positives": 0}

    by_path = {path: verdict for (_, path, _), verdict in zip(LABELS, verdicts, strict=True)}
    assert by_path["/articles/deleted-story.html"].signals == ["redirect_home"]
    assert by_path["/news/2018/old-announcement"].signals == ["redirect_landing"]
    assert by_path["/products/widget-2000"].signals == ["redirect_ancestor"]
    assert by_path["/de/artikel/alte-seite"].signals == ["redirect_home"]
    assert by_path["/docs/old/page"].signals == ["redirect_landing"]
    assert by_path["/stories/2017/harbour-festival"].signals == ["redirect_shallow", "not_found_text"]
    assert by_path["/stories/a-story-that-was-deleted.html"].signals == ["probe_similar", "not_found_text"]
    assert by_path["/ratgeber/geloeschter-beitrag"].signals == ["probe_similar", "not_found_text"]
    assert "home page" in by_path["/articles/deleted-story.html"].reason
    assert "Page not found" in by_path["/item?id=9999"].reason
    assert "made-up address" in by_path["/stories/another-missing-story.html"].reason


def probe_requests(host: Host, cited: set[str]) -> list[str]:
    return [r.path for r in host.requests if r.path not in cited and urlsplit(host.url(r.path)).path not in {"/404.html", "/sorry", "/", "/de/", "/products/", "/search", "/articles/2019/bridges-that-sing", "/honeybee-navigation", "/tides"}]


def test_one_probe_per_host_and_shape(farm):
    hosts, detector, _ = run_labels(farm)
    cited = {urlsplit(hosts["resolver"].url(path)).path for h, path, _ in LABELS if h == "resolver"}
    cited |= {"/stories/withdrawn-paper.html"}  # where the resolver sends readers
    made = {name: probe_requests(host, cited | {path for h, path, _ in LABELS if h == name}) for name, host in hosts.items()}
    for name, paths in made.items():
        assert len(paths) == len(set(paths)), (name, paths)  # never the same probe twice
    # The trap host: /stories/*.html (letters) and /stories/*-404-*.html (digits too), /item?id=,
    # /archive/2015/06/*: four shapes, four probes, whatever the number of citations.
    assert len(made["trap"]) == 4, made["trap"]
    assert len(made["german"]) == 1 and len(made["shell"]) == 1
    assert made["resolver"] == []  # probes go to the host that served the page
    assert detector.probes_made == sum(len(paths) for paths in made.values())


def test_concurrent_checks_of_one_shape_share_one_probe(farm):
    host = trap_host(farm)
    urls = [host.url(f"/stories/missing-story-number-{word}.html") for word in ("one", "two", "six", "ten")] * 3

    async def run():
        async with httpx.AsyncClient() as client:
            detector = Soft404Detector(lambda url: fetch_page(client, url))
            pages = [await fetch_page(client, url) for url in urls]
            return await asyncio.gather(*(detector.check(p) for p in pages))

    verdicts = asyncio.run(run())
    assert all(v is not None and v.signals[0] == "probe_similar" for v in verdicts)
    cited = {urlsplit(u).path for u in urls}
    assert len([r for r in host.requests if r.path not in cited]) == 1


def test_a_not_found_heading_alone_is_never_a_verdict(farm):
    host = farm.host().route("/notes/kept-note", respond(200, template("notfound_en", path="", stamp="", node="", related="")))

    async def run():
        async with httpx.AsyncClient() as client:
            detector = Soft404Detector(lambda url: fetch_page(client, url))
            return await detector.check(await fetch_page(client, host.url("/notes/kept-note")))

    assert asyncio.run(run()) is None  # the probe got an honest 404: no soft 404 on text alone


def test_options_turn_detection_off_per_host(farm):
    trap = trap_host(farm)
    dead = trap.url("/stories/a-story-that-was-deleted.html")

    async def judge(options: Soft404Options):
        async with httpx.AsyncClient() as client:
            detector = Soft404Detector(lambda url: fetch_page(client, url), options)
            return await detector.check(await fetch_page(client, dead)), detector.probes_made

    assert asyncio.run(judge(Soft404Options(enabled=False))) == (None, 0)
    assert asyncio.run(judge(Soft404Options(skip_hosts=frozenset({"127.0.0.2"})))) == (None, 0)
    assert asyncio.run(judge(Soft404Options(no_probe_hosts=frozenset({"127.0.0.2"})))) == (None, 0)
    assert asyncio.run(judge(Soft404Options(probe=False))) == (None, 0)
    verdict, probes = asyncio.run(judge(Soft404Options(probe_similarity=0.99)))
    assert verdict is not None and probes == 1

    honest = honest_host(farm)

    async def redirect_only():
        async with httpx.AsyncClient() as client:
            detector = Soft404Detector(lambda url: fetch_page(client, url), Soft404Options(probe=False))
            return await detector.check(await fetch_page(client, honest.url("/articles/deleted-story.html")))

    assert asyncio.run(redirect_only()).signals == ["redirect_home"]  # redirects need no probe


def test_probe_failures_are_inconclusive():
    async def refused(url: str) -> PageSnapshot | None:
        raise httpx.ConnectError("refused")

    async def nothing(url: str) -> PageSnapshot | None:
        return None

    body = page("bees").encode()
    snapshot = PageSnapshot("http://127.0.0.9/stories/x-y.html", "http://127.0.0.9/stories/x-y.html", 200, (), "text/html", body)
    for fetch in (refused, nothing):
        assert asyncio.run(Soft404Detector(fetch).check(snapshot)) is None
    # Not a 2xx page, not HTML: nothing to judge.
    assert asyncio.run(Soft404Detector(nothing).check(PageSnapshot("http://h/a/b", "http://h/a/b", 404))) is None
    pdf = PageSnapshot("http://h/a/b.pdf", "http://h/a/b.pdf", 200, (), "application/pdf", b"%PDF-1.4")
    assert asyncio.run(Soft404Detector(refused).check(pdf)) is None


# ---------------------------------------------------------------- pure parts


@pytest.mark.parametrize(
    ("cited", "final", "signal"),
    [
        ("http://h.example/a/b", "http://h.example/", "redirect_home"),
        ("http://h.example/a/b", "http://h.example/?lang=en", "redirect_home"),
        ("http://h.example/about", "https://www.h.example/index.html", "redirect_home"),
        ("http://old.h.example/article/5", "https://h.example/", "redirect_home"),
        ("http://h.example/?p=123", "http://h.example/", "redirect_home"),
        ("http://h.example/?p=123", "http://h.example/about", None),
        ("http://h.example/fr/article/x", "http://h.example/fr/", "redirect_home"),
        ("http://h.example/news/2018/x", "http://h.example/errors/page-not-found", "redirect_landing"),
        ("http://h.example/a/b", "http://h.example/?s=b", "redirect_landing"),
        ("http://doi.example/10.1/x", "https://publisher.example/404", "redirect_landing"),
        ("http://h.example/products/widget", "http://h.example/products/", "redirect_ancestor"),
        ("http://h.example/a/b/c", "http://h.example/welcome", "redirect_shallow"),
        ("http://h.example/index.html", "http://h.example/", None),
        ("http://h.example/?lang=en", "http://h.example/", None),
        ("http://h.example/en/", "http://h.example/de/", None),
        ("http://h.example/docs/page", "http://h.example/docs/page/", None),
        ("http://h.example/2019/05/my-post", "http://h.example/my-post", None),
        ("http://h.example/old/x", "http://h.example/new/deep/x", None),
        ("https://short.example/abc", "https://other.example/", None),  # a short link may point at a home page
        ("https://short.example/abc", "https://other.example/search?q=x", None),
        ("http://h.example/search/old", "http://h.example/search?q=old", None),
    ],
)
def test_redirect_signals(cited, final, signal):
    found = redirect_signal(cited, final)
    assert (found[0] if found else None) == signal


def test_probe_has_the_shape_of_the_cited_url():
    rng = random.Random(3)
    key, url = probe_target("https://h.example/blog/2019/My-Post-42.html?utm_source=feed", rng)
    path = urlsplit(url).path
    assert path.startswith("/blog/2019/") and path.endswith(".html") and path != "/blog/2019/My-Post-42.html"
    token = path.rsplit("/", 1)[1][: -len(".html")]
    assert len(token) == max(len("My-Post-42"), MIN_PROBE_TOKEN) and token[0].isupper() and token[2] == "-" and token[-2:].isdigit()
    assert urlsplit(url).query == "utm_source=feed"
    again, other = probe_target("https://h.example/blog/2019/Another-One-7.html", rng)
    assert again == key and other != url  # same shape, one cache entry
    assert probe_target("https://h.example/blog/2019/plain-words.html", rng)[0] != key  # no digits, no capitals

    key, url = probe_target("http://h.example/read.php?id=4821&lang=en", rng)
    query = parse_qs(urlsplit(url).query)
    assert urlsplit(url).path == "/read.php" and query["lang"] == ["en"] and query["id"][0] != "4821" and len(query["id"][0]) == MIN_PROBE_TOKEN and query["id"][0].isdigit()
    assert probe_target("http://h.example/item?id=1", rng)[1].startswith("http://h.example/item?id=")
    assert probe_target("http://h.example/", rng) is None
    assert len(urlsplit(probe_target("http://h.example/p/5", rng)[1]).path) == len("/p/") + MIN_PROBE_TOKEN
    assert probe_target("http://h.example/docs/guide/", rng)[1].endswith("/")


@pytest.mark.parametrize(
    "text",
    [
        "Page not found", "404 – Not Found", "Error 404", "Seite nicht gefunden", "Page introuvable",
        "Página no encontrada", "Pagina non trovata", "Página não encontrada", "Pagina niet gevonden",
        "Страница не найдена", "ページが見つかりません", "页面不存在", "找不到頁面", "페이지를 찾을 수 없습니다",
        "The page you\u2019re looking for: page doesn't exist",
    ],
)  # fmt: skip
def test_not_found_in_many_languages(text):
    assert says_not_found(text)


@pytest.mark.parametrize("text", ["Founders of the web", "Notfound Labs", "Pages found in the attic", "4040 Main Street", ""])
def test_ordinary_titles_do_not_say_not_found(text):
    assert not says_not_found(text)


def test_not_found_heading_reads_title_and_h1():
    assert not_found_heading(b"<title>Oops</title><h1>Seite nicht gefunden</h1>") == "Seite nicht gefunden"
    assert not_found_heading(page("bees").encode(), "text/html") is None
    assert not_found_heading("<title>Page  not\nfound | Site</title>") == "Page not found | Site"


def test_snapshot_from_outcome():
    headers = httpx.Headers({"content-type": "text/html"})
    outcome = Outcome(hops=[Redirect("http://h/a", 301)], final_url="http://h/b", last=Exchange("GET", "http://h/b", 200, headers, body=b"<p>x</p>"))
    snapshot = snapshot_from_outcome("http://h/a", outcome)
    assert snapshot == PageSnapshot("http://h/a", "http://h/b", 200, (Redirect("http://h/a", 301),), "text/html", b"<p>x</p>")
