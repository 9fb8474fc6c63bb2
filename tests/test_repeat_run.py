"""A repeat run with fresh history (issue 14): no request reaches any server, no HTTP
client or worker process is started, and no unchanged file is extracted again; the JSON
report says the same as the first run's, each verdict marked cached. Counted at the farm's
servers and at the extractor, never timed."""

import json

import pytest
from click.testing import CliRunner

import linkcheck.check
from linkcheck import collect
from linkcheck.pipeline import run as pipeline  # the check run: its knobs are read there
from linkcheck.check import spread
from linkcheck.cli import cli
from tests.farm import respond

FILES = 6
URLS_PER_FILE = 5


@pytest.fixture
def corpus(farm, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LINKCHECK_NETWORK_PROBE_URLS", "")
    hosts = [
        farm.host(ip=f"127.0.0.{i}").default(
            respond(200, "<title>page</title><p>text</p>")
        )
        for i in (2, 3, 4)
    ]
    docs = tmp_path / "docs"
    docs.mkdir()
    for n in range(FILES):
        lines = [f"# Document {n}", ""]
        for k in range(URLS_PER_FILE):
            host = hosts[(n + k) % len(hosts)]
            lines.append(f"- [page {k}]({host.url(f'/doc{n}/page{k}')})")
        lines.append(
            f"- [shared]({hosts[0].url('/shared')})"
        )  # one URL cited by every file
        (docs / f"doc{n}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    parsed = []
    real = collect._raw_links

    def counting(document, *args, **kwargs):
        parsed.append(document.path.name)
        return real(document, *args, **kwargs)

    monkeypatch.setattr(collect, "_raw_links", counting)

    def run(name):
        result = CliRunner().invoke(
            cli,
            [
                "check",
                "docs",
                "--max-age",
                "1h",
                "--archive-dir",
                str(tmp_path / "archive"),
                "--max-retries",
                "0",
                "--format",
                "json",
                "--output",
                name,
            ],
        )
        assert result.exit_code == 0, result.output
        return json.loads((tmp_path / name).read_text(encoding="utf-8"))

    return hosts, docs, parsed, run


def requests(hosts):
    return sum(host.count() for host in hosts)


def no_network_from_here(monkeypatch):
    """From now on, making an HTTP client or starting worker processes fails the run."""

    def refuse(*args, **kwargs):
        raise AssertionError("a repeat run with fresh history made an HTTP client")

    async def refuse_workers(self):
        raise AssertionError("a repeat run with fresh history started worker processes")

    monkeypatch.setattr(linkcheck.check, "make_client", refuse)
    monkeypatch.setattr(spread.SpreadSession, "__aenter__", refuse_workers)


def verdicts(report):
    """The report's results without what a reused verdict changes: `cached` itself."""
    return [
        {key: value for key, value in result.items() if key != "cached"}
        for result in report["results"]
    ]


@pytest.mark.parametrize(
    "streaming", [False, True], ids=["read-then-check", "check-while-reading"]
)
def test_a_repeat_run_makes_no_request_and_extracts_nothing_again(
    corpus, monkeypatch, streaming
):
    hosts, _docs, parsed, run = corpus
    if (
        streaming
    ):  # the path a large corpus takes: links go to workers while files are read
        monkeypatch.setattr(pipeline, "STREAM_MIN_BYTES", 0)
        monkeypatch.setattr(pipeline, "FEED_BATCH", 4)
        monkeypatch.setattr(spread, "usable_cores", lambda: 3)  # two workers and the parent
    started = []
    real_enter = spread.SpreadSession.__aenter__

    async def counting_enter(self):
        started.append(self)
        return await real_enter(self)

    monkeypatch.setattr(spread.SpreadSession, "__aenter__", counting_enter)
    first = run("first.json")
    assert len(started) == (
        1 if streaming and pipeline.can_fork() else 0
    )  # the first run did use workers
    unique = FILES * URLS_PER_FILE + 1
    assert first["summary"]["unique_urls"] == unique and first["summary"][
        "by_status"
    ] == {"ok": unique}
    assert requests(hosts) >= unique
    assert sorted(parsed) == sorted(f"doc{n}.md" for n in range(FILES))
    assert not any(
        result.get("cached") for result in first["results"]
    )  # the key appears when true

    for host in hosts:
        host.reset_stats()
    parsed.clear()
    no_network_from_here(monkeypatch)
    second = run("second.json")
    assert requests(hosts) == 0  # no request at all, robots.txt included
    assert (
        parsed == []
    )  # every file unchanged: its links come from the extraction cache
    assert all(result.get("cached") is True for result in second["results"])
    assert verdicts(second) == verdicts(
        first
    )  # same URLs, statuses, times and every location
    assert second["summary"] == first["summary"]
    assert second["notices"] == first["notices"]
    assert second["host_stats"] == {}
    assert second["diff"]["previous_run"] == first["run_id"]
    assert (
        second["diff"]["new_citations"] == []
        and second["diff"]["removed_citations"] == []
    )


def test_after_one_file_changes_only_it_is_extracted_and_only_its_new_url_requested(
    corpus, monkeypatch
):
    hosts, docs, parsed, run = corpus
    run("first.json")
    for host in hosts:
        host.reset_stats()
    parsed.clear()
    changed = docs / "doc2.md"
    new_url = hosts[1].url("/brand-new")
    changed.write_text(
        changed.read_text(encoding="utf-8") + f"- [new]({new_url})\n", encoding="utf-8"
    )
    second = run("second.json")
    assert parsed == ["doc2.md"]
    asked = [record.path for host in hosts for record in host.requests]
    assert asked.count("/brand-new") == 1
    # besides it, at most robots.txt and the soft-404 probe of its host: no cited URL again
    assert not {path for path in asked if path.startswith("/doc") or path == "/shared"}
    fresh = [result["url"] for result in second["results"] if not result.get("cached")]
    assert fresh == [new_url]
    assert second["diff"]["new_citations"] == [new_url]
