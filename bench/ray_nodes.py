"""Checking on Ray: 1 node against 2 nodes on this machine, and the per-URL overhead of the
Ray path against the local one, over the same loopback farm and corpus.

    .venv/bin/python bench/ray_nodes.py [--urls 10000] [--hosts 50] [--latency 0.02] [--repeat 3]

Modes, each run `--repeat` times (median wall time reported; a cluster is started once
per mode and its start-up reported apart, since a cron job on a standing cluster does not
pay it):

  local      `check_paths` on this machine (its own worker processes, `check.spread`)
  ray-1      a 1-node Ray cluster (1 CPU): one owner, one reading task at a time
  ray-2      a 2-node Ray cluster (1 CPU each): two owners (nodes at 127.0.0.2: Ray would
             otherwise take the machine's external address)

The farm (bench/farm.py) is a separate process answering every request after `--latency`
seconds, 200 to any path (so soft-404 probing is off here); the limits are the shared
benchmark's (128 in flight, 10 per host). Nothing
leaves loopback; every process started here is stopped by its handle or pid.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpus import CorpusSpec, generate  # noqa: E402
from bench.farm import FarmProcess  # noqa: E402
from linkcheck.config import load_settings  # noqa: E402
from linkcheck.pipeline import check_paths  # noqa: E402


def settings_for(ray_address: str = ""):
    return load_settings(None, overrides={
        "check.max_concurrency": 128, "check.host_concurrency": 10, "check.host_interval": 0.0,
        "check.retries": 0, "network.allow_private": True, "network.probe_urls": [],
        "history.enabled": False, "check.ray": ray_address,
        # this farm answers 200 to every path, so soft-404 probing would call every page a template
        "rot.soft404": False,
    })  # fmt: skip


def timed(root: Path, settings, repeat: int, urls: int) -> list[float]:
    walls = []
    for _ in range(repeat):
        started = time.perf_counter()
        report = check_paths([root], settings)
        walls.append(time.perf_counter() - started)
        assert len(report.results) == urls, (len(report.results), urls)
    return walls


def measured(root: Path, small: Path, settings, repeat: int, urls: int) -> tuple[list[float], list[float]]:
    """(walls over the corpus, walls over a 10-URL document: the fixed cost of a run)."""
    return timed(root, settings, repeat, urls), timed(small, settings, repeat, 10)


def on_cluster(nodes: int, root: Path, small: Path, repeat: int, urls: int, temp: str) -> tuple[float, tuple[list[float], list[float]]]:
    import ray
    from ray.cluster_utils import Cluster

    node = {"num_cpus": 1, "object_store_memory": 100 * 1024 * 1024}
    started = time.perf_counter()
    cluster = Cluster(initialize_head=True, head_node_args={**node, "node_ip_address": "127.0.0.2", "temp_dir": temp, "include_dashboard": False})
    try:
        for _ in range(nodes - 1):
            cluster.add_node(**node, node_ip_address="127.0.0.2")
        cluster.wait_for_nodes()
        ray.init(address=cluster.address, log_to_driver=False)
        while len([n for n in ray.nodes() if n["Alive"]]) < nodes:
            time.sleep(0.1)
        startup = time.perf_counter() - started
        return startup, measured(root, small, settings_for(cluster.address), repeat, urls)
    finally:
        ray.shutdown()
        cluster.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--urls", type=int, default=10_000)
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--latency", type=float, default=0.02)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    temp = tempfile.mkdtemp(prefix="ray-bench-")
    os.makedirs(os.path.join(temp, "ray"), exist_ok=True)
    os.environ.update({"RAY_AUTH_MODE": "disabled", "RAY_USAGE_STATS_ENABLED": "0", "RAY_TMPDIR": temp})
    os.environ.pop("RAY_ADDRESS", None)
    with FarmProcess(args.hosts) as farm:
        farm.set_latency(args.latency)
        spec = CorpusSpec("ray", unique_urls=args.urls, citations=int(args.urls * 1.25), files=200, hosts=args.hosts, port=farm.port)
        corpus = generate(spec, Path(temp) / "corpus")
        small = Path(temp) / "small"
        small.mkdir()
        (small / "ten.md").write_text("".join(f"<http://{farm.ips[n % len(farm.ips)]}:{farm.port}/small/{n}>\n" for n in range(10)))
        rows = {"local": (0.0, measured(corpus.root, small, settings_for(), args.repeat, args.urls))}
        rows["ray-1"] = on_cluster(1, corpus.root, small, args.repeat, args.urls, temp)
        rows["ray-2"] = on_cluster(2, corpus.root, small, args.repeat, args.urls, temp)
    local = statistics.median(rows["local"][1][0])
    local_fixed = statistics.median(rows["local"][1][1])
    print(f"{args.urls} URLs on {args.hosts} hosts, {args.latency * 1000:.0f} ms latency, medians of {args.repeat}")
    print("| mode | cluster start | run of 10 URLs (fixed cost) | run of all | URLs/s | vs local | overhead per URL beyond the fixed cost |")
    print("|---|---|---|---|---|---|---|")
    for mode, (startup, (walls, fixed_walls)) in rows.items():
        wall, fixed = statistics.median(walls), statistics.median(fixed_walls)
        overhead = ((wall - fixed) - (local - local_fixed)) / args.urls * 1e6
        print(f"| {mode} | {startup:.1f} s | {fixed:.2f} s | {wall:.2f} s | {args.urls / wall:,.0f} | {wall / local:.2f}x | {overhead:+.0f} µs |")
    print(json.dumps({mode: {"startup": s, "walls": w, "fixed": f} for mode, (s, (w, f)) in rows.items()}))


if __name__ == "__main__":
    main()
