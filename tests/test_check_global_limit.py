"""`--max-concurrency N` means N requests in flight across all workers (issue 14).

Twenty hosts on distinct loopback addresses (the per-host limit is per host name, so hosts
on one address with different ports would share it), each slow enough that work piles
up: the farm's own counter of requests being handled at once must reach N, within 5 %,
and never pass it, when the run is spread over worker processes (read first, or checked
while reading).
"""

from __future__ import annotations

import pytest

from linkcheck.check import spread
from linkcheck.pipeline import STREAM_MIN_BYTES, check_paths
from tests.farm import respond
from tests.helpers import fast_settings

HOSTS = 20
PER_HOST = 4
PAGES = 24


@pytest.mark.parametrize(("limit", "streamed"), [(40, False), (64, False), (64, True)], ids=["40", "64", "64-while-reading"])
def test_the_global_limit_is_reached_and_never_passed(farm, tmp_path, monkeypatch, limit, streamed):
    monkeypatch.setattr(spread, "usable_cores", lambda: 3)  # two workers and the parent
    monkeypatch.setattr(spread, "MIN_LINKS", 1)  # spread over workers, as a big run is
    hosts = [farm.host(f"127.0.4.{index + 1}").default(respond(200, "<p>a page</p>", delay=0.25)) for index in range(HOSTS)]
    citations = [f"- <{host.url(f'/page/{n}')}>" for n in range(PAGES) for host in hosts]
    filler = "filler text " * (STREAM_MIN_BYTES // 12 // 4 + 1) if streamed else ""
    for part in range(4):
        (tmp_path / f"doc{part}.md").write_text("\n".join(citations[part::4]) + "\n" + filler, encoding="utf-8")
    settings = fast_settings(farm, **{
        "check.max_concurrency": limit, "check.host_concurrency": PER_HOST, "check.read_timeout": "10s",
        "history.enabled": False, "rot.soft404": False,
    })
    report = check_paths([tmp_path], settings)
    assert report.by_status() == {"ok": HOSTS * PAGES}
    assert max(host.max_in_flight for host in hosts) <= PER_HOST
    assert limit * 0.95 <= farm.max_total_in_flight <= limit


def test_the_limit_is_shared_when_one_worker_was_dealt_the_big_site(farm, tmp_path, monkeypatch):
    """Sites are dealt whole: one big site fills worker 0 (its host limit caps it at 4), the
    seventeen small ones go to worker 1. A fixed share each (32 of 64) capped worker 1 at
    32 and the run at 36 in flight; a shared limit lets worker 1 take the rest."""
    monkeypatch.setattr(spread, "usable_cores", lambda: 3)  # two workers and the parent
    monkeypatch.setattr(spread, "MIN_LINKS", 1)
    big = farm.host("127.0.6.1").default(respond(200, "<p>a page</p>", delay=0.25))
    small = [farm.host(f"127.0.6.{index + 2}").default(respond(200, "<p>a page</p>", delay=0.25)) for index in range(17)]
    citations = [f"- <{big.url(f'/page/{n}')}>" for n in range(200)]
    citations += [f"- <{host.url(f'/page/{n}')}>" for n in range(10) for host in small]
    (tmp_path / "doc.md").write_text("\n".join(citations) + "\n", encoding="utf-8")
    settings = fast_settings(farm, **{
        "check.max_concurrency": 64, "check.host_concurrency": PER_HOST, "check.read_timeout": "10s",
        "history.enabled": False, "rot.soft404": False,
    })
    report = check_paths([tmp_path], settings)
    assert report.by_status() == {"ok": 370}
    assert max(host.max_in_flight for host in [big, *small]) <= PER_HOST
    assert 61 <= farm.max_total_in_flight <= 64
