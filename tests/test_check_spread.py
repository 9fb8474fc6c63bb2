"""Checking on several cores (linkcheck.check.spread): the same verdicts as one process, the
per-host limits held, a dead worker's links still checked, an interrupted run leaves no worker."""

import asyncio
import os
import signal

import pytest

from linkcheck.check import spread
from linkcheck.models import Link, Location, Status
from tests.farm import hang, redirect, respond
from tests.helpers import check_urls, fast_settings

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="workers are forked")


def links_for(urls):
    return [Link(url=url, locations=[Location("doc.md", i + 1, 1)]) for i, url in enumerate(urls)]


def run(settings, urls, workers=2, prepare=None):
    return asyncio.run(spread.run_spread(settings, links_for(urls), workers=workers, prepare=prepare))


def test_dealing_keeps_a_site_in_one_worker_and_balances():
    urls = [f"http://a{n % 5}.example.org/{n}" for n in range(50)] + [f"http://www.b.org/{n}" for n in range(30)] + [f"http://b.org/x{n}" for n in range(5)]
    shares: list[list] = [[], []]
    for index, site_links in spread._deal(spread._by_site(links_for(urls)), [0, 0], {}):
        shares[index].extend(site_links)
    sites = [{spread.site_of(link.request_url) for link in share} for share in shares]
    assert not sites[0] & sites[1]  # b.org and www.b.org together, example.org together
    assert sorted(len(share) for share in shares) == [35, 50]


def test_a_dead_workers_slots_are_freed_for_the_others():
    """SIGKILL while holding slots must not shrink the global limit for the survivors."""
    import multiprocessing

    from linkcheck.check.limits import SharedSlots

    slots = SharedSlots(3, 2)

    def hold_two_and_die() -> None:
        async def hold() -> None:
            slots.bind(0)
            await slots.acquire()
            await slots.acquire()
            os.kill(os.getpid(), signal.SIGKILL)

        asyncio.run(hold())

    child = multiprocessing.get_context("fork").Process(target=hold_two_and_die)
    child.start()
    child.join(10)
    assert child.exitcode == -signal.SIGKILL

    async def take(count: int) -> int:
        slots.bind(1)
        taken = 0
        for _ in range(count):
            try:
                await asyncio.wait_for(slots.acquire(), 0.5)
                taken += 1
            except TimeoutError:
                break
        return taken

    assert asyncio.run(take(3)) == 1  # two are still held by the dead worker
    slots.release()
    slots.reclaim(0)
    assert asyncio.run(take(3)) == 3


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


def test_an_interrupted_session_keeps_the_verdicts_its_workers_had_not_sent(farm, monkeypatch):
    """Ctrl-C while waiting for the workers: each is asked to stop (SIGTERM) and sends what
    it had checked; a URL that was checked is in the partial report."""
    monkeypatch.setattr(spread, "FLUSH_SECONDS", 30.0)  # the workers keep their verdicts until asked
    monkeypatch.setattr(spread, "BATCH", 10_000)
    hosts = [farm.host(ip=f"127.0.0.{i}").route("/fast", respond(200)).route("/slow", hang()) for i in (2, 3)]
    fast = [host.url(f"/fast?{n}") for host in hosts for n in range(3)]
    slow = [host.url(f"/slow?{n}") for host in hosts for n in range(2)]
    received = []

    async def check():
        settings = fast_settings(farm, **{"check.read_timeout": "30s"})
        async with spread.SpreadSession(settings, 2, received.append) as session:
            session.feed(links_for(fast + slow))
        # leaving the block waits for the slow URLs: that is where Ctrl-C finds it

    async def go():
        task = asyncio.create_task(check())
        deadline = asyncio.get_running_loop().time() + 20
        while sum(host.count("/fast") for host in hosts) < 6 and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.2)
        task.cancel()  # as Ctrl-C does
        await task

    with pytest.raises(asyncio.CancelledError):
        asyncio.run(go())
    assert sorted(r.url for r in received) == sorted(fast)
    assert all(r.status is Status.OK and r.locations for r in received)


def test_a_worker_whose_parent_dies_stops_too(farm, tmp_path):
    """The parent is killed (SIGKILL, out of memory): its workers see their links pipe close
    without an end and stop, instead of checking on for nobody."""
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    slow = farm.host(ip="127.0.0.2").default(hang())
    script = tmp_path / "parent.py"
    script.write_text(
        "import asyncio, multiprocessing, sys\n"
        "from linkcheck.check import spread\n"
        "from linkcheck.models import Link, Location\n"
        "from tests.helpers import fast_settings\n"
        "async def main():\n"
        "    settings = fast_settings(**{'check.read_timeout': '60s', 'check.url_timeout': '120s'})\n"
        "    async with spread.SpreadSession(settings, 2) as session:\n"
        f"        session.feed([Link(u, [Location('a.md', 1, 1)]) for u in {[slow.url(f'/{n}') for n in range(4)]!r}])\n"
        "        print(' '.join(str(p.pid) for p in multiprocessing.active_children()), flush=True)\n"
        "        await asyncio.sleep(120)\n"
        "asyncio.run(main())\n",
        encoding="utf-8",
    )
    root = Path(__file__).resolve().parents[1]
    env = dict(os.environ, PYTHONPATH=str(root))
    parent = subprocess.Popen([sys.executable, str(script)], cwd=root, env=env, stdout=subprocess.PIPE, text=True)
    try:
        workers = [int(pid) for pid in parent.stdout.readline().split()]
        assert len(workers) == 2
        deadline = time.monotonic() + 20
        while slow.count() < 4 and time.monotonic() < deadline:  # the workers are checking
            time.sleep(0.05)
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=10)
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(_alive(pid) for pid in workers)
    finally:
        parent.kill()
        parent.stdout.close()


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"  # a zombie has stopped
    except OSError:
        return False


def test_workers_are_all_cores_but_one_unless_check_workers_says(monkeypatch):
    """The parent reads, collects verdicts and writes history: on two cores one process
    checking beats two workers and a busy parent (README, Benchmarks)."""
    links = links_for([f"http://h{n % 300}.org/{n}" for n in range(spread.MIN_LINKS)])
    monkeypatch.setattr(spread, "usable_cores", lambda: 2)
    assert spread.worker_count(fast_settings(), links) == 1
    monkeypatch.setattr(spread, "usable_cores", lambda: 8)
    assert spread.worker_count(fast_settings(), links) == 7
    assert spread.worker_count(fast_settings(**{"check.workers": 3}), links) == 3
    assert spread.worker_count(fast_settings(**{"check.workers": 3}), links[:10]) == 1  # a small run stays in one process
