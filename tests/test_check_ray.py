"""Checking on a Ray cluster (linkcheck.check.ray_spread, linkcheck.pipeline.ray_run) on a
real 2-node cluster on loopback (the second node at 127.0.0.2), against the loopback farm:
the same verdicts as one machine, every host within its limit across the nodes (cross-site
redirects included), and a node's worker processes SIGKILLed mid-run cost no verdict and
record none twice (PostgreSQL history), with the archive whole afterwards."""

from __future__ import annotations

import asyncio
import os
import pickle
import shutil
import signal
import tempfile
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'linkcheck[distributed]')")

from linkcheck.check import ray_spread  # noqa: E402
from linkcheck.cli import cli  # noqa: E402
from linkcheck.collect import Reading, combined  # noqa: E402
from linkcheck.config import HostSettings, Settings  # noqa: E402
from linkcheck.models import Link, Location, Status  # noqa: E402
from linkcheck.pipeline import check_paths  # noqa: E402
from linkcheck.pipeline.ray_run import shares  # noqa: E402
from tests import postgres  # noqa: E402
from tests.farm import redirect, respond  # noqa: E402
from tests.helpers import fast_settings  # noqa: E402

NODE_IP = "127.0.0.2"
NODE = {"node_ip_address": NODE_IP, "num_cpus": 1, "object_store_memory": 80 * 1024 * 1024}

pytestmark = pytest.mark.timeout(240)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A head and one more node on 127.0.0.2, this process their driver; stopped (their
    processes, by the handles that started them: never `ray stop`) after the module."""
    from ray.cluster_utils import Cluster

    temp = tempfile.mkdtemp(prefix="ray", dir=tmp_path_factory.getbasetemp())
    os.makedirs(os.path.join(temp, "ray"), exist_ok=True)  # where Ray notes the cluster's address
    patch = pytest.MonkeyPatch()
    patch.setenv("RAY_AUTH_MODE", "disabled")
    patch.setenv("RAY_USAGE_STATS_ENABLED", "0")
    patch.setenv("RAY_TMPDIR", temp)
    patch.delenv("RAY_ADDRESS", raising=False)
    started = None
    try:
        # a lost node is noticed in about 2 s instead of Ray's default half a minute
        health = {"health_check_period_ms": 500, "health_check_failure_threshold": 4, "health_check_timeout_ms": 500}
        started = Cluster(initialize_head=True, head_node_args={**NODE, "temp_dir": temp, "include_dashboard": False, "_system_config": health})
        started.add_node(**NODE)
        started.wait_for_nodes()
        ray.init(address=started.address, log_to_driver=False)
        deadline = time.monotonic() + 60
        while len([node for node in ray.nodes() if node["Alive"]]) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        yield started
    finally:
        ray.shutdown()
        if started is not None:
            started.shutdown()
        patch.undo()


def ray_settings(farm, cluster, **overrides) -> Settings:
    return fast_settings(farm, **{"check.ray": cluster.address, "history.enabled": False, **overrides})


def verdicts(report):
    return {r.url: (r.status, r.http_status, r.final_url, r.redirects, r.error, r.locations) for r in report.results}


def test_the_cli_takes_ray_and_a_wrong_address_is_a_clear_error(tmp_path):
    # (before the cluster starts: a driver already connected uses that connection)
    (tmp_path / "a.md").write_text("<https://example.org/>\n")
    result = CliRunner().invoke(cli, ["check", "--no-history", "--ray", "127.0.0.1:1", str(tmp_path / "a.md")])
    assert result.exit_code == 2, result.output
    assert "check.ray" in result.output and "Traceback" not in result.output


def test_a_run_without_ray_installed_says_how_to_get_it(tmp_path, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_ray(name, *args, **kwargs):
        if name == "ray" or name.startswith("ray."):
            raise ImportError("No module named 'ray'")
        return real_import(name, *args, **kwargs)

    (tmp_path / "a.md").write_text("<https://example.org/>\n")
    monkeypatch.setattr(builtins, "__import__", no_ray)
    result = CliRunner().invoke(cli, ["check", "--no-history", "--ray", "local", str(tmp_path / "a.md")])
    assert result.exit_code == 2, result.output
    assert "pip install 'linkcheck[distributed]'" in result.output


def test_shards_are_stable_and_the_config_travels():
    # the same on every machine and in every process: not Python's salted hash
    assert (ray_spread.shard_of("example.org"), ray_spread.shard_of("wikipedia.org")) == (181, 51)
    # a site's hosts share their owner: the site boundary is the Public Suffix List's
    assert ray_spread.owner_of_host("www.bbc.co.uk", 7) == ray_spread.owner_of_host("news.bbc.co.uk", 7)
    settings = fast_settings(**{"check.host_concurrency": 3, "check.headers": ["X-All: 1"]})
    settings.hosts["slow.example.org"] = HostSettings(concurrency=1, interval=2.0, headers={"Authorization": "t"})
    config = pickle.loads(pickle.dumps(ray_spread.RayCheckConfig.of(settings)))
    assert config.host_limits("slow.example.org") == (1, 2.0)
    assert config.host_limits("other.example.net") == (3, settings.check.host_interval)
    assert config.host_headers("slow.example.org") == {"X-All": "1", "Authorization": "t"}
    assert config.host_headers("other.example.net") == {"X-All": "1"}
    # an owner's copy: its share of the global limit, 1/n of a host it does not own
    mine, theirs = (config.for_owner(index, 2) for index in (0, 1))
    host = "other.example.net"
    owned, other = (mine, theirs) if mine.owns(host) else (theirs, mine)
    assert owned.host_limits(host) == (3, settings.check.host_interval) and other.host_limits(host)[0] == 1
    assert mine.check.max_concurrency == settings.check.max_concurrency // 2


def test_shares_read_in_order_give_what_one_reading_gives(tmp_path):
    for n in range(12):
        (tmp_path / f"d{n:02}.md").write_text("".join(f"[a](https://s{(n + k) % 5}.example/p{k})\n" for k in range(n + 1)))
    settings = fast_settings()
    whole = Reading([tmp_path], settings, link_text=False)
    parts = shares(whole.documents, 4)
    assert 1 < len(parts) <= 4 and [doc for part in parts for doc in part] == whole.documents
    joined = combined(Reading([], settings, documents=part, link_text=False).read_all() for part in parts)
    alone = Reading([tmp_path], settings, link_text=False).read_all()
    assert [(link.url, link.locations) for link in joined.links] == [(link.url, link.locations) for link in alone.links]
    assert (joined.documents, joined.citations) == (alone.documents, alone.citations)


def _corpus(folder: Path, farm, hosts: int, pages: int, documents: int) -> tuple[list, list[str]]:
    """`hosts` farm hosts x `pages` cited URLs, every host's URLs spread over all the
    documents; 404s, same-site and cross-site redirects, fragments, each page its own text."""
    farm_hosts = [farm.host(ip=f"127.0.0.{10 + n}") for n in range(hosts)]
    for n, host in enumerate(farm_hosts):
        other = farm_hosts[(n + 1) % hosts]
        host.route("/moved", redirect(301, "/p/0")).route("/away", redirect(302, other.url("/p/1")))
        host.route("/away-gone", redirect(301, other.url("/gone"))).route("/gone", respond(404))
        host.route("/page", respond(200, '<html><body><a id="here">x</a></body></html>', headers={"Content-Type": "text/html"}))
        host.default(lambda request: respond(200, f"page {request.path}", delay=0.004) if request.path.startswith("/p/") else respond(404))
    urls = []
    for host in farm_hosts:
        urls += [host.url(path) for path in ("/moved", "/away", "/away-gone", "/gone", "/page#here", "/page#nowhere", "/unknown")]
        urls += [host.url(f"/p/{k}") for k in range(pages - 7)]
    lines: list[list[str]] = [[] for _ in range(documents)]
    for i, url in enumerate(urls):
        lines[i % documents].append(f"- [source {i}]({url})")
        lines[(i * 7 + 3) % documents].append(f"- again: <{url}>")  # each URL cited twice, elsewhere
    for n, text in enumerate(lines):
        (folder / f"doc{n:03}.md").write_text("\n".join(text) + "\n")
    return farm_hosts, urls


def test_two_nodes_give_one_machines_verdicts_and_keep_every_hosts_limit(cluster, farm, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    hosts, urls = _corpus(docs, farm, hosts=40, pages=250, documents=80)
    assert len(set(urls)) == 10_000
    limits = {"check.host_concurrency": 2, "check.max_concurrency": 64, "check.method": "get"}
    one = check_paths([docs], fast_settings(farm, **{"history.enabled": False, **limits}))
    for host in hosts:
        host.reset_stats()
    spread = check_paths([docs], ray_settings(farm, cluster, **limits))
    assert len(spread.results) == len(one.results) == 10_000
    assert verdicts(spread) == verdicts(one)
    assert {r.status for r in spread.results} >= {Status.OK, Status.DEAD, Status.REDIRECT_PERMANENT, Status.REDIRECT_TEMPORARY, Status.FRAGMENT_MISSING}
    # the farm's own counters: no host ever had more than its limit in flight, across both nodes
    assert max(host.max_in_flight for host in hosts) <= 2, [host.max_in_flight for host in hosts]
    assert max(host.max_in_flight for host in hosts) == 2  # and the limit was reached: the test can fail
    # the owners' per-host stats add up to what the farm served (a request the farm did not
    # see through, e.g. a connection it reset before reading it, may count on our side only)
    counted, served = sum(stats["requests"] for stats in spread.host_stats.values()), sum(host.count() for host in hosts)
    assert served <= counted <= served * 1.001, (counted, served)


def _owned_by_each(farm, owners=2, start=100):
    """One farm host owned by each owner (hosts are their own sites: IP addresses)."""
    found: dict[int, str] = {}
    for i in range(start, start + 60):
        found.setdefault(ray_spread.owner_of_host(f"127.0.0.{i}", owners), f"127.0.0.{i}")
        if len(found) == owners:
            break
    return [farm.host(ip=found[index]) for index in range(owners)]


def test_a_redirect_to_another_site_takes_its_slot_from_that_sites_owner(cluster, farm, tmp_path):
    """Sources owned by another owner redirect to one target: the target's limit holds, and
    it is the target's whole limit (its owner grants it), not the 1/n share the redirected
    owner would have on its own."""
    target = farm.host(ip="127.0.0.90").default(respond(200, "x", delay=0.05))
    theirs = ray_spread.owner_of_host(target.ip, 2)
    # both sources on the other owner: the target's 3 in flight can only come from grants
    sources = [farm.host(ip=ip) for ip in [f"127.0.0.{i}" for i in range(100, 160) if ray_spread.owner_of_host(f"127.0.0.{i}", 2) != theirs][:2]]
    for source in sources:
        source.default(redirect(302, target.url("/t")))
    urls = [source.url(f"/s/{n}") for source in sources for n in range(30)]
    (tmp_path / "a.md").write_text("\n".join(f"<{url}>" for url in urls))
    report = check_paths([tmp_path / "a.md"], ray_settings(farm, cluster, **{"check.host_concurrency": 3}))
    assert sorted(r.url for r in report.results) == sorted(urls)
    assert all(r.status is Status.REDIRECT_TEMPORARY for r in report.results)
    assert target.max_in_flight == 3
    assert all(source.max_in_flight <= 3 for source in sources)


def test_a_hosts_interval_holds_across_owners(cluster, farm, tmp_path):
    target = farm.host(ip="127.0.0.91").default(respond(200))
    sources = _owned_by_each(farm, start=160)
    for source in sources:
        source.default(redirect(302, target.url("/t")))
    urls = [source.url(f"/s/{n}") for source in sources for n in range(6)]
    (tmp_path / "a.md").write_text("\n".join(f"<{url}>" for url in urls))
    settings = ray_settings(farm, cluster)
    settings.hosts[target.ip] = HostSettings(interval=0.1)
    report = check_paths([tmp_path / "a.md"], settings)
    assert all(r.status is Status.REDIRECT_TEMPORARY for r in report.results)
    times = sorted(record.time_received for record in target.requests)
    assert len(times) >= 12
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    # The owner keeps the interval between the starts it grants; a grant reaches the other
    # node's owner a few ms later or sooner than the next, so gaps on the wire vary by that.
    assert min(gaps) >= 0.06
    assert (times[-1] - times[0]) / len(gaps) >= 0.095


@pytest.fixture(scope="module")
def pg_server():
    reason = postgres.unavailable()
    if reason is not None:
        pytest.skip(reason)
    with postgres.running_postgres() as url:
        yield url


def _workers_of(node) -> list[int]:
    """The worker processes of a node: the children of its raylet that run Ray work (they
    name themselves `ray::IDLE`, `ray::ShardOwner` …; its `ray::…Agent` processes, which the
    raylet cannot live without, are left alone), by pid, from /proc."""
    raylet = node.all_processes["raylet"][0].process.pid
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                name = (entry / "cmdline").read_bytes().split(b"\0", 1)[0]
            except (OSError, IndexError, ValueError):
                continue
            if parent == raylet and name.startswith(b"ray::") and not name.endswith(b"Agent"):
                children.append(int(entry.name))
    return children


def _owners_running():
    """(node, pid) of each owner that answers now (earlier runs' owners are gone: skipped)."""
    calls = []
    for actor in ray.util.list_named_actors(all_namespaces=True):
        if actor["name"].startswith("linkcheck-owner-"):
            try:
                calls.append(ray.get_actor(actor["name"], namespace=actor["namespace"]).where.remote())
            except ValueError:
                continue
    ready, _ = ray.wait(calls, num_returns=len(calls), timeout=5) if calls else ([], [])
    found = []
    for call in ready:
        try:
            found.append(ray.get(call))
        except ray.exceptions.RayError:
            continue
    return found


def test_sigkill_of_a_nodes_workers_mid_run_loses_no_verdict_and_records_none_twice(cluster, farm, tmp_path, pg_server):
    import psycopg

    hosts = [farm.host(ip=f"127.0.0.{60 + n}") for n in range(6)]
    for host in hosts:
        host.default(lambda request: respond(200, f"<html><body>page {request.path}</body></html>", headers={"Content-Type": "text/html"}, delay=0.15))
    urls = [host.url(f"/{n}") for host in hosts for n in range(40)]
    docs = tmp_path / "docs"
    docs.mkdir()
    for n in range(6):
        (docs / f"d{n}.md").write_text("\n".join(f"<{url}>" for url in urls[n::6]))
    archive = tmp_path / "archive"
    settings = fast_settings(farm, **{
        "check.ray": cluster.address, "check.host_concurrency": 1, "history.url": pg_server,
        "archive.enabled": True, "archive.path": str(archive),
    })  # fmt: skip
    nodes = {node.node_id: node for node in cluster.list_all_nodes()}
    second = cluster.list_all_nodes()[1]
    killed: list[int] = []
    owner_pids: set[int] = set()
    struck: list[str] = []

    def kill_the_workers_of_a_node_with_an_owner() -> None:
        # Owners are dealt round the nodes softly (a restarted owner may go anywhere), so under
        # load both can land on one node: the node struck is one where an owner runs, the
        # second node when it has one.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # once the owners run and some verdicts are in
            where = [(node, pid) for node, pid in _owners_running() if node in nodes]
            if where and sum(host.count() for host in hosts) >= 20:
                target = second.node_id if second.node_id in {node for node, _ in where} else where[0][0]
                owner_pids.update(pid for node, pid in where if node == target)
                struck.append(target)
                for pid in _workers_of(nodes[target]):
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)
                return
            time.sleep(0.05)

    killer = threading.Thread(target=kill_the_workers_of_a_node_with_an_owner)
    killer.start()
    report = check_paths([docs], settings)
    killer.join()
    assert struck, "no owner was seen running while the run went on"
    assert owner_pids and owner_pids <= set(killed), (owner_pids, killed)  # an owner was among them
    assert struck[0] in {node["NodeID"] for node in ray.nodes() if node["Alive"]}  # its workers died, not the node
    assert sum(host.count() for host in hosts) > len(urls)  # what the killed owner had in hand was asked again
    assert sorted(r.url for r in report.results) == sorted(urls)
    assert all(r.status is Status.OK for r in report.results), {r.status for r in report.results}
    with psycopg.connect(pg_server) as db:
        rows = db.execute("SELECT url, count(*) FROM checks WHERE run_id = %s GROUP BY url", (report.run_id,)).fetchall()
    assert sorted(url for url, _ in rows) == sorted(urls)
    assert {count for _, count in rows} == {1}
    verified = CliRunner().invoke(cli, ["archive", "verify", "--archive-dir", str(archive)])
    assert verified.exit_code == 0, verified.output
    assert sum(1 for r in report.results if r.archive) == len(urls)


def test_sessions_feed_from_the_driver_too(cluster, farm):
    """`RaySession.feed` (a library caller with links in hand): the verdicts come back with locations."""
    host = farm.host(ip="127.0.0.95").route("/gone", respond(404)).default(respond(200))
    links = [Link(host.url(p), [Location("x.md", n + 1, 1)]) for n, p in enumerate(["/a", "/b", "/gone"])]

    from datetime import datetime, timezone

    moment = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)

    async def run():
        async with ray_spread.RaySession(fast_settings(farm), owners=2, clock=lambda: moment) as session:
            session.feed(links)
            session.expect(links)
        return session.run

    run = asyncio.run(run())
    assert {r.checked_at for r in run.results} == {moment}  # the run's clock reaches the owners
    assert {r.url: (r.status, r.locations) for r in run.results} == {link.url: (Status.DEAD if link.url.endswith("gone") else Status.OK, link.locations) for link in links}


def test_verdicts_fresh_in_history_are_not_sent_to_the_owners(cluster, farm, tmp_path):
    """`history.max_age` on Ray: the reading tasks leave fresh URLs out and the driver
    answers them from history; a repeat run asks the farm nothing."""
    host = farm.host(ip="127.0.0.96").route("/gone", respond(404)).default(respond(200))
    urls = [host.url(f"/p/{n}") for n in range(30)] + [host.url("/gone")]
    (tmp_path / "a.md").write_text("\n".join(f"<{url}>" for url in urls))
    settings = fast_settings(farm, **{"check.ray": cluster.address, "archive.path": str(tmp_path / "archive"), "history.max_age": "1h"})
    first = check_paths([tmp_path / "a.md"], settings)
    live_asked, gone_asked = host.count() - host.count("/gone"), host.count("/gone")
    assert live_asked >= 30 and gone_asked >= 1 and not any(r.cached for r in first.results)
    second = check_paths([tmp_path / "a.md"], settings)
    assert host.count() - host.count("/gone") == live_asked  # the live pages: not asked again
    ok = [r for r in second.results if r.status is Status.OK]
    assert len(ok) == 30 and all(r.cached for r in ok)
    # a broken verdict is not reused (history.max_age_broken is 0): it was asked again, on Ray
    assert host.count("/gone") > gone_asked
    assert {r.url: r.status for r in second.results} == {r.url: r.status for r in first.results}


def test_ray_local_from_the_command_line_checks_and_leaves_no_process_behind(farm, tmp_path):
    """`linkcheck check --ray local` in a process of its own: a throwaway cluster for the
    run, the verdicts as usual, and none of that cluster's processes left afterwards."""
    import json
    import subprocess
    import sys

    host = farm.host(ip="127.0.0.97").route("/gone", respond(404)).default(respond(200, "<html><body>hello</body></html>", headers={"Content-Type": "text/html"}))
    (tmp_path / "a.md").write_text(f"<{host.url('/a')}>\n<{host.url('/gone')}>\n")
    temp = Path(tempfile.mkdtemp(prefix="rl"))  # short: Ray's socket paths must fit in 107 bytes
    (temp / "ray").mkdir()
    env = {**os.environ, "RAY_AUTH_MODE": "disabled", "RAY_USAGE_STATS_ENABLED": "0", "RAY_TMPDIR": str(temp),
           "LINKCHECK_NETWORK_ALLOW_PRIVATE": "true", "LINKCHECK_NETWORK_PROBE_URLS": ""}  # fmt: skip
    env.pop("RAY_ADDRESS", None)
    done = subprocess.run(
        [sys.executable, "-m", "linkcheck", "check", "--ray", "local", "--no-history", "--format", "json", str(tmp_path / "a.md")],
        env=env, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr  # one citation is broken
    report = json.loads(done.stdout)
    assert {r["url"]: r["status"] for r in report["results"]} == {host.url("/a"): "ok", host.url("/gone"): "dead"}
    deadline = time.monotonic() + 20
    while (left := _processes_mentioning(str(temp))) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not left, left
    shutil.rmtree(temp)


def _processes_mentioning(text: str) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if text in command:
                found.append(f"{entry.name}: {command[:120]}")
    return found


def test_a_node_lost_mid_run_costs_no_verdict(cluster, farm, tmp_path):
    """A third node joins, gets an owner, and is removed (all its processes stopped) while
    the run goes on: its owner starts again on a node that is left, and every URL still
    gets exactly one verdict."""
    third = cluster.add_node(**NODE)
    cluster.wait_for_nodes()
    deadline = time.monotonic() + 60
    while (len([node for node in ray.nodes() if node["Alive"]]) < 3 or ray.cluster_resources().get("CPU", 0) < 3) and time.monotonic() < deadline:
        time.sleep(0.1)  # its CPU counted too: the run then starts an owner per CPU, one on it
    hosts = [farm.host(ip=f"127.0.0.{70 + n}") for n in range(8)]
    for host in hosts:
        host.default(respond(200, "ok", delay=0.15))
    urls = [host.url(f"/{n}") for host in hosts for n in range(30)]
    (tmp_path / "a.md").write_text("\n".join(f"<{url}>" for url in urls))
    removed: list[float] = []
    running = threading.Event()

    def remove_the_third_node() -> None:
        while running.is_set():
            where = _owners_running()
            if where and sum(host.count() for host in hosts) >= 30 and third.node_id in {node for node, _ in where}:
                cluster.remove_node(third, allow_graceful=False)
                removed.append(time.monotonic())
                return
            time.sleep(0.05)
        cluster.remove_node(third, allow_graceful=False)  # the run is over: the node goes all the same

    remover = threading.Thread(target=remove_the_third_node)
    running.set()
    remover.start()
    try:
        report = check_paths([tmp_path / "a.md"], ray_settings(farm, cluster, **{"check.host_concurrency": 1}))
    finally:
        running.clear()
        remover.join()
    if not removed:  # placement is Ray's (soft affinity): say so rather than pass without a loss
        pytest.skip("no owner was seen on the third node while the run went on; nothing was lost")
    assert sorted(r.url for r in report.results) == sorted(urls)  # each once
    assert all(r.status is Status.OK for r in report.results), {r.status for r in report.results}
    deadline = time.monotonic() + 30  # the cluster notices the node's death by its health checks
    while third.node_id in {node["NodeID"] for node in ray.nodes() if node["Alive"]} and time.monotonic() < deadline:
        time.sleep(0.2)
    assert third.node_id not in {node["NodeID"] for node in ray.nodes() if node["Alive"]}


def test_an_input_that_exists_only_on_the_driver_is_carried_to_the_reading_task(cluster, farm, tmp_path):
    """Stdin or a web page given as input is a temporary file on the driver: its bytes go
    with the task (here the file is gone before the task runs), files are read by path."""
    from linkcheck.discover import Document
    from linkcheck.pipeline import ray_run

    host = farm.host(ip="127.0.0.98").default(respond(200))
    stdin = tmp_path / "stdin.md"
    stdin.write_text(f"<{host.url('/from-stdin')}>\n")
    document = Document(path=stdin, display="<stdin>", format="markdown", root=tmp_path, transient=True)
    carried = ray_run._carried([document])
    stdin.unlink()
    settings = fast_settings(farm)

    async def run():
        async with ray_spread.RaySession(settings, owners=1) as session:
            part = await ray.remote(ray_run.read_and_feed).remote([document], settings, session.handles, frozenset(), carried)
            session.expect(part.links)
        return part, session.run

    part, run = asyncio.run(run())
    assert [(link.url, link.locations[0].file) for link in part.links] == [(host.url("/from-stdin"), "<stdin>")]
    assert [(r.url, r.status) for r in run.results] == [(host.url("/from-stdin"), Status.OK)]


def test_an_owner_gone_for_good_leaves_its_links_to_the_driver(cluster, farm):
    """An owner killed with no restart: the session notices, and checks what it left here."""
    hosts = _owned_by_each(farm, start=200)
    for host in hosts:
        host.default(respond(200, "x", delay=0.1))
    links = [Link(host.url(f"/{n}"), [Location("x.md", n + 1, 1)]) for host in hosts for n in range(10)]

    async def run():
        async with ray_spread.RaySession(fast_settings(farm, **{"check.host_concurrency": 1}), owners=2) as session:
            session.feed(links)
            session.expect(links)
            await asyncio.sleep(0.4)
            ray.kill(session.handles[1], no_restart=True)
        return session.run

    run = asyncio.run(run())
    assert sorted(r.url for r in run.results) == sorted(link.url for link in links)  # each once
    assert all(r.status is Status.OK for r in run.results)


def test_an_owner_whose_engine_fails_fails_the_session_instead_of_hanging(cluster, farm):
    def broken_hooks(engine, client):
        raise RuntimeError("the hooks could not be built")

    async def run():
        async with ray_spread.RaySession(fast_settings(farm), owners=1, hooks=broken_hooks):
            pass

    with pytest.raises(Exception, match="the hooks could not be built"):
        asyncio.run(asyncio.wait_for(run(), 60))
