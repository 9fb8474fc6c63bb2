"""The library front door: extraction in worker processes gives exactly the one-process result."""

from pathlib import Path

import linkcheck.collect as collect
from linkcheck import extract_paths
from linkcheck.check import spread
from tests.helpers import fast_settings

FIXTURES = Path(__file__).parent / "fixtures"


def snapshot(extraction):
    return (
        extraction.documents,
        extraction.citations,
        [(link.url, link.verdict, link.reason, link.locations) for link in extraction.links],
        extraction.notices,
    )


def test_parallel_extraction_is_identical_to_one_process(monkeypatch):
    settings = fast_settings()
    monkeypatch.setattr(collect, "PARALLEL_THRESHOLD", 10**12)
    alone = extract_paths([FIXTURES], settings)
    monkeypatch.setattr(collect, "PARALLEL_THRESHOLD", 0)
    monkeypatch.setattr(collect.os, "cpu_count", lambda: 2)
    parallel = extract_paths([FIXTURES], settings)
    assert alone.citations > 300
    assert snapshot(parallel) == snapshot(alone)


def test_unchanged_files_are_not_parsed_again(tmp_path, monkeypatch):
    from linkcheck import check_paths

    monkeypatch.chdir(tmp_path)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.md").write_text("# A\n\n[b](b.md#b) [x](missing.md)\n", encoding="utf-8")
    (tmp_path / "docs" / "b.md").write_text("# B\n", encoding="utf-8")
    parsed = []
    real = collect._raw_links

    def counting(document, *args):
        parsed.append(document.path.name)
        return real(document, *args)

    monkeypatch.setattr(collect, "_raw_links", counting)
    first = check_paths(["docs"], fast_settings())
    assert sorted(parsed) == ["a.md", "b.md"]
    parsed.clear()
    second = check_paths(["docs"], fast_settings())
    assert parsed == []  # both files unchanged: links come from the cache
    assert [(r.url, r.status, r.locations) for r in second.results] == [(r.url, r.status, r.locations) for r in first.results]
    (tmp_path / "docs" / "b.md").write_text("# B changed\n", encoding="utf-8")
    check_paths(["docs"], fast_settings())
    assert parsed == ["b.md"]


def test_a_check_keeps_no_link_text_but_extract_does(tmp_path, monkeypatch):
    """A check's reports never show link text; not keeping it is what keeps a million
    citations in memory small (bench scenario c). `extract` lists it."""
    from linkcheck import check_paths

    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.md").write_text("[the text](b.md)\n", encoding="utf-8")
    (tmp_path / "b.md").write_text("# B\n", encoding="utf-8")
    listed = collect.extract_paths([tmp_path / "a.md"], fast_settings())
    assert [location.text for link in listed.links for location in link.locations] == ["the text"]
    checked = check_paths([tmp_path / "a.md"], fast_settings())
    assert [(location.line, location.column, location.text) for r in checked.results for location in r.locations] == [(1, 12, None)]


def _corpus_citing(folder: Path, hosts) -> list[str]:
    """Documents citing every farm host: some URLs in the first and the last document
    (their locations are complete only at the end), a local link, an invalid URL."""
    urls = [host.url(path) for host in hosts for path in ("/ok", "/gone", "/moved")]
    folder.mkdir()
    for n in range(6):
        cited = urls[n::3] + [urls[0]]
        body = "\n".join(f"- [{u}]({u})" for u in cited)
        (folder / f"d{n}.md").write_text(f"# D{n}\n\n{body}\n[local](d0.md) [bad](http://example.org:99999/)\n", encoding="utf-8")
    return urls


def _statuses(report):
    return [(r.url, r.status, r.http_status, r.final_url, r.locations) for r in report.results]


def test_checking_while_reading_gives_the_report_of_reading_first(farm, tmp_path, monkeypatch):
    import linkcheck.pipeline.run as pipeline  # the run module: its knobs are read there
    from linkcheck import check_paths
    from tests.farm import redirect, respond

    hosts = [farm.host(ip=f"127.0.0.{i}") for i in (2, 3, 4)]
    for host in hosts:
        host.route("/ok", respond(200)).route("/gone", respond(404)).route("/moved", redirect(301, "/ok"))
    urls = _corpus_citing(tmp_path / "docs", hosts)
    monkeypatch.chdir(tmp_path)
    settings = fast_settings(farm, **{"history.enabled": False})
    monkeypatch.setattr(pipeline, "STREAM_MIN_BYTES", 10**12)
    first = check_paths(["docs"], settings)
    sessions = []
    real_session = spread.SpreadSession.__aenter__

    async def counted(self):
        sessions.append(self)
        return await real_session(self)

    monkeypatch.setattr(spread.SpreadSession, "__aenter__", counted)
    monkeypatch.setattr(pipeline, "STREAM_MIN_BYTES", 0)
    monkeypatch.setattr(spread, "usable_cores", lambda: 3)  # two workers and the parent
    monkeypatch.setattr(pipeline, "FEED_BATCH", 2)  # many small batches: a URL seen again later
    streamed = check_paths(["docs"], settings)
    assert len(sessions) == 1  # the second run did check while reading
    assert _statuses(streamed) == _statuses(first)
    assert len(next(r for r in streamed.results if r.url == urls[0]).locations) == 7  # cited in every document, and first
    assert (streamed.documents, streamed.links) == (first.documents, first.links)
    assert sorted(streamed.notices, key=str) == sorted(first.notices, key=str)  # the workers' notices too, once each
    assert any(notice.path == "suggestions" for notice in first.notices)
    assert {r.status.value for r in streamed.results} >= {"ok", "dead", "redirect_permanent", "invalid"}


def test_checking_while_reading_reuses_fresh_verdicts_from_history(farm, tmp_path, monkeypatch):
    import linkcheck.pipeline.run as pipeline  # the run module: its knobs are read there
    from linkcheck import check_paths
    from tests.farm import respond

    hosts = [farm.host(ip=f"127.0.0.{i}").default(respond(200)) for i in (2, 3)]
    _corpus_citing(tmp_path / "docs", hosts)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(pipeline, "STREAM_MIN_BYTES", 0)
    monkeypatch.setattr(spread, "usable_cores", lambda: 3)  # two workers and the parent
    monkeypatch.setattr(pipeline, "FEED_BATCH", 2)
    settings = fast_settings(farm, **{"history.max_age": "1h"})
    first = check_paths(["docs"], settings)
    requests = sum(host.count() for host in hosts)
    started = []
    monkeypatch.setattr(spread.SpreadSession, "__aenter__", lambda self: started.append(self))
    second = check_paths(["docs"], settings)
    assert sum(host.count() for host in hosts) == requests  # nothing requested again
    assert started == []  # and no worker started for nothing
    assert [r.url for r in second.results if r.cached] == [r.url for r in first.results if r.http_status is not None]
    assert _statuses(second) == _statuses(first)
    assert second.diff is not None and second.diff.previous_run == first.run_id


def test_checking_while_reading_still_tells_offline_from_dead(tmp_path, monkeypatch):
    """Every URL unreachable and the probe too: no verdict at all (exit 3), not a page of
    dead links, whether the workers got the links while reading or after."""
    import socket

    import pytest

    import linkcheck.pipeline.run as pipeline  # the run module: its knobs are read there
    from linkcheck import NetworkUnavailable, check_paths

    with socket.socket() as spare:  # a port nothing listens on
        spare.bind(("127.0.0.1", 0))
        port = spare.getsockname()[1]
    (tmp_path / "docs").mkdir()
    for n in range(4):
        links = "\n".join(f"<http://127.0.0.{2 + i % 3}:{port}/{n}/{i}>" for i in range(5))
        (tmp_path / "docs" / f"d{n}.md").write_text(links + "\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(pipeline, "STREAM_MIN_BYTES", 0)
    monkeypatch.setattr(spread, "usable_cores", lambda: 3)  # two workers and the parent
    monkeypatch.setattr(pipeline, "FEED_BATCH", 3)
    settings = fast_settings(**{"network.probe_urls": [f"http://127.0.0.1:{port}/probe"], "check.retries": 0})
    with pytest.raises(NetworkUnavailable) as raised:
        check_paths(["docs"], settings)
    assert len(raised.value.report.results) == 20


def test_an_archived_copy_cited_after_the_url_went_to_a_worker_is_still_the_suggestion(farm, tmp_path, monkeypatch):
    """A dead URL is cited in a.md, and again in b.wiki with the archived copy the editors
    chose; when checking while reading, a.md's citation has gone to a worker before b.wiki
    is read. The document's own copy must still be the suggestion, as when reading first."""
    import linkcheck.pipeline.run as pipeline  # the run module: its knobs are read there
    from linkcheck import check_paths
    from tests.farm import respond

    site = farm.host(ip="127.0.0.2").route("/gone", respond(404)).route("/ok", respond(200))
    archive = farm.host(ip="127.0.0.3").route("/web/20200101000000/gone", respond(200, "the copy"))
    copy = archive.url("/web/20200101000000/gone")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.md").write_text(f"<{site.url('/gone')}> <{site.url('/ok')}>\n", encoding="utf-8")
    (tmp_path / "docs" / "b.wiki").write_text(f"{{{{cite web |url={site.url('/gone')} |archive-url={copy} |title=G}}}}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    settings = fast_settings(farm, **{"history.enabled": False, "rot.offline_suggestions": True})
    monkeypatch.setattr(pipeline, "STREAM_MIN_BYTES", 10**12)
    first = {r.url: r for r in check_paths(["docs"], settings).results}
    monkeypatch.setattr(pipeline, "STREAM_MIN_BYTES", 0)
    monkeypatch.setattr(spread, "usable_cores", lambda: 3)  # two workers and the parent
    monkeypatch.setattr(pipeline, "FEED_BATCH", 1)
    streamed = {r.url: r for r in check_paths(["docs"], settings).results}
    gone = site.url("/gone")
    assert first[gone].suggestion is not None and first[gone].suggestion["archive_url"] == copy
    assert first[gone].suggestion["source"] == "citation"
    assert streamed[gone].suggestion == first[gone].suggestion
    assert [(r.url, r.status, r.locations) for r in streamed.values()] == [(r.url, r.status, r.locations) for r in first.values()]


def test_reading_leaves_what_the_caller_froze_frozen():
    """Reading freezes what each document added (the cyclic GC need not rescan it), and
    thaws it at the end; objects an application froze itself stay frozen."""
    import gc

    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        assert frozen > 0
        collect.extract_paths([FIXTURES / "formats"], fast_settings())
        assert gc.get_freeze_count() > frozen // 2  # not thawed (a few frozen objects may have been freed)
    finally:
        gc.unfreeze()
    collect.extract_paths([FIXTURES / "formats"], fast_settings())
    assert gc.get_freeze_count() == 0
