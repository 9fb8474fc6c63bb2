"""Checking on several cores (linkcheck.check.spread): the same verdicts as one process, the
per-host limits held, a dead worker's links still checked, an interrupted run leaves no worker."""

import asyncio
import os

import pytest

from linkcheck.check import spread
from linkcheck.models import Link, Location, Status
from tests.farm import redirect, respond
from tests.helpers import check_urls, fast_settings

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="workers are forked")


def links_for(urls):
    return [Link(url=url, locations=[Location("doc.md", i + 1, 1)]) for i, url in enumerate(urls)]


def run(settings, urls, workers=2, prepare=None):
    return asyncio.run(spread.run_spread(settings, links_for(urls), workers=workers, prepare=prepare))


def test_partition_keeps_a_site_in_one_worker_and_balances():
    urls = [f"http://a{n % 5}.example.org/{n}" for n in range(50)] + [f"http://www.b.org/{n}" for n in range(30)] + [f"http://b.org/x{n}" for n in range(5)]
    shares = spread.partition(links_for(urls), 2)
    sites = [{spread._site(link.request_url) for link in share} for share in shares]
    assert not sites[0] & sites[1]  # b.org and www.b.org together, example.org together
    assert sorted(len(share) for share in shares) == [35, 50]


def test_global_limit_is_split_exactly():
    assert spread._split(128, 2) == [64, 64] and spread._split(7, 3) == [3, 2, 2] and sum(spread._split(65, 4)) == 65


def test_same_verdicts_as_one_process(farm):
    hosts = [farm.host(ip=f"127.0.0.{i}") for i in (2, 3, 4, 5)]
    for host in hosts:
        host.route("/ok", respond(200)).route("/gone", respond(404)).route("/moved", redirect(301, "/ok"))
    urls = [host.url(path) for host in hosts for path in ("/ok", "/gone", "/moved", "/missing")]
    settings = fast_settings(farm)
    one = {url: (r.status, r.http_status, r.final_url, r.redirects, r.error) for url, r in check_urls(urls, settings).items()}
    for host in hosts:
        host.reset_stats()
    result = run(settings, urls)
    many = {r.url: (r.status, r.http_status, r.final_url, r.redirects, r.error) for r in result.results}
    assert many == one
    # results travel back without their locations and get this process's own again
    cited = {link.url: link.locations for link in links_for(urls)}
    assert {r.url: r.locations for r in result.results} == cited
    assert not result.all_unreachable
    assert sum(stats.requests for stats in result.host_stats.values()) == sum(host.count() for host in hosts)


def test_per_host_limit_holds_across_workers(farm):
    hosts = [farm.host(ip=f"127.0.0.{i}").default(respond(200, "x", delay=0.05)) for i in (2, 3)]
    urls = [host.url(f"/p/{n}") for host in hosts for n in range(60)]
    result = run(fast_settings(farm, **{"check.host_concurrency": 3, "check.max_concurrency": 64}), urls)
    assert len(result.results) == 120 and all(r.status is Status.OK for r in result.results)
    assert all(host.max_in_flight == 3 for host in hosts)


def test_a_host_reached_by_redirect_from_both_workers_stays_within_its_limit(farm):
    target = farm.host(ip="127.0.0.4").default(respond(200, "x", delay=0.05))
    sources = [farm.host(ip=f"127.0.0.{i}") for i in (2, 3)]
    for source in sources:
        source.default(redirect(302, target.url("/t")))
    urls = [source.url(f"/s/{n}") for source in sources for n in range(40)]
    result = run(fast_settings(farm, **{"check.host_concurrency": 4}), urls)
    assert all(r.status is Status.REDIRECT_TEMPORARY for r in result.results)
    assert target.max_in_flight <= 4


def test_a_dead_worker_is_replaced_by_this_process(farm):
    hosts = [farm.host(ip=f"127.0.0.{i}").default(respond(200)) for i in (2, 3)]
    urls = [host.url(f"/{n}") for host in hosts for n in range(10)]
    parent = os.getpid()

    def prepare(engine, client):
        if os.getpid() == parent:
            return
        check_page = engine.check_page

        async def dies_on_the_second_host(links):
            if "127.0.0.3" in links[0].url:  # the worker that owns .3 dies before checking it
                os._exit(3)
            return await check_page(links)

        engine.check_page = dies_on_the_second_host

    result = run(fast_settings(farm), urls, prepare=prepare)
    assert sorted(r.url for r in result.results) == sorted(urls)
    assert all(r.status is Status.OK for r in result.results)
    assert hosts[1].count() == 10  # every .3 URL was checked here, once


def test_cancelling_stops_every_worker(farm):
    import multiprocessing

    slow = [farm.host(ip=f"127.0.0.{i}").default(respond(200, delay=5)) for i in (2, 3)]
    urls = [host.url(f"/{n}") for host in slow for n in range(4)]

    async def go():
        task = asyncio.create_task(spread.run_spread(fast_settings(farm, **{"check.read_timeout": "10s"}), links_for(urls), workers=2))
        await asyncio.sleep(1.0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(go())
    assert multiprocessing.active_children() == []


def test_small_runs_stay_in_one_process():
    assert spread.worker_count(fast_settings(), links_for([f"http://h{n}.org/" for n in range(10)])) == 1


@pytest.mark.parametrize(
    "url",
    ["http://Example.org:80/a", "https://u:p@x.org/", "http://[::1]:8080/x", "http://a.b.c/?q", "http://a.com?x=1",
     "http://a.com#f", "http://a.com", "https://www.B.example.org.:8443/p?q#f", "mailto:x@y"],
)  # fmt: skip
def test_the_cheap_host_is_urlsplits(url):
    from urllib.parse import urlsplit

    assert spread._host(url) == (urlsplit(url).hostname or "")


def test_links_fed_while_checking_keep_their_site_in_one_worker(farm):
    """The pipeline feeds links as extraction finds them: a site seen again in a later
    batch goes to the worker that already has it, so its limit holds exactly."""
    busy = farm.host(ip="127.0.0.2").default(respond(200, "x", delay=0.05))
    other = farm.host(ip="127.0.0.3").default(respond(200, "x", delay=0.05))
    # after the first batch the busy site's worker is the more loaded one: dealing the
    # second batch by load alone would split the site over both workers
    first = [busy.url(f"/a/{n}") for n in range(40)] + [other.url(f"/a/{n}") for n in range(30)]
    second = [busy.url(f"/b/{n}") for n in range(30)]

    async def go():
        settings = fast_settings(farm, **{"check.host_concurrency": 3, "check.max_concurrency": 64})
        async with spread.SpreadSession(settings, 2) as session:
            session.feed(links_for(first))
            await asyncio.sleep(0.2)  # the first batch is being checked
            session.feed(links_for(second))
        return session.run

    result = asyncio.run(go())
    assert sorted(r.url for r in result.results) == sorted(first + second)
    assert all(r.status is Status.OK and r.locations for r in result.results)
    assert busy.max_in_flight == 3 and other.max_in_flight == 3
    assert busy.count() == 70 and other.count() == 30
