"""`pipeline.run`: a corpus past STREAM_MIN_BYTES is checked while it is read, in this
process when the run has one worker (`check.workers = 1`, or a 2-core machine), and every
verdict still carries every citation of its URL."""

from __future__ import annotations

import linkcheck.pipeline.run as run
from linkcheck.check import spread
from linkcheck.collect import Reading
from linkcheck.pipeline import STREAM_MIN_BYTES, check_paths
from tests.farm import respond
from tests.helpers import fast_settings

DOCUMENTS = 40


def test_a_large_corpus_on_one_worker_is_checked_while_it_is_read(farm, tmp_path, monkeypatch):
    site = farm.host().default(respond(200, "<p>a page</p>"))
    filler = "filler text " * (STREAM_MIN_BYTES // 12 // DOCUMENTS + 1)
    for part in range(DOCUMENTS):
        # each document cites its own pages, and every one cites /shared
        cited = [site.url(f"/doc{part}/{n}") for n in range(20)] + [site.url("/shared")]
        (tmp_path / f"doc{part}.md").write_text("\n".join(f"- <{url}>" for url in cited) + "\n\n" + filler, encoding="utf-8")

    def no_workers(*args, **kwargs):
        raise AssertionError("one worker checks in this process")

    monkeypatch.setattr(run, "SpreadSession", no_workers)
    requests_seen: list[int] = []  # the farm's count as each document is read
    read = Reading.steps

    def counting_steps(self):
        for step in read(self):
            requests_seen.append(site.count())
            yield step

    monkeypatch.setattr(Reading, "steps", counting_steps)
    totals: list[int] = []
    seen_before_total: list[str] = []
    settings = fast_settings(farm, **{"check.workers": 1, "history.enabled": False, "rot.soft404": False})
    report = check_paths(
        [tmp_path], settings, on_total=totals.append, on_result=lambda result: seen_before_total.append(result.url) if not totals else None
    )
    assert report.by_status() == {"ok": DOCUMENTS * 20 + 1}
    assert len(requests_seen) == DOCUMENTS and requests_seen[-1] > 0  # requests went out before the last document was read
    assert totals == [DOCUMENTS * 20 + 1] and seen_before_total == []  # verdicts wait for the total and every citation
    [shared] = [result for result in report.results if result.url.endswith("/shared")]
    assert sorted(location.file for location in shared.locations) == sorted(str(tmp_path / f"doc{part}.md") for part in range(DOCUMENTS))
    assert report.host_stats and sum(stats["requests"] for stats in report.host_stats.values()) == site.count()


def test_small_corpora_and_archiving_runs_read_first(tmp_path):
    """0: read, then check; 1: check here while reading; more: that many worker processes."""
    settings = fast_settings(None)
    small = tmp_path / "small.md"
    small.write_text("- <https://example.org/>\n", encoding="utf-8")
    assert run._stream_workers(settings, Reading([small], settings)) == 0
    large = tmp_path / "large.md"
    large.write_text("x " * STREAM_MIN_BYTES, encoding="utf-8")
    assert run._stream_workers(fast_settings(None, **{"check.workers": 1}), Reading([large], settings)) == 1
    assert run._stream_workers(fast_settings(None, **{"archive.enabled": True}), Reading([large], settings)) == 0
    spread_settings = fast_settings(None, **{"check.workers": 2})
    assert run._stream_workers(spread_settings, Reading([large], spread_settings)) == (2 if spread.can_fork() else 1)
