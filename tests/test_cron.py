"""A cron-style sequence of three runs against servers whose behaviour changes between
runs: the diff, the cache (counted at the servers) and confirmation over days, with a
controllable clock, in the terminal report and in `linkcheck report --since last`."""

import json
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

import linkcheck.pipeline.run
from linkcheck.cli import cli
from tests.farm import respond

T0 = datetime(2026, 11, 1, 3, 0, tzinfo=timezone.utc)


@pytest.fixture
def cron(farm, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LINKCHECK_NETWORK_PROBE_URLS", "")
    monkeypatch.setenv("COLUMNS", "250")  # one table row per line, whatever the URL length
    clock = {"now": T0}
    monkeypatch.setattr(linkcheck.pipeline.run, "_now", lambda: clock["now"])
    site = farm.host()
    (tmp_path / "docs").mkdir()

    def run(*extra):
        result = CliRunner().invoke(cli, ["check", "docs", "--confirm", "3/48h", "--max-age", "30h", "--max-retries", "0", *extra])
        return result.exit_code, result.stdout

    def cite(*paths):
        (tmp_path / "docs" / "notes.md").write_text("\n".join(f"- <{site.url(p)}>" for p in paths) + "\n", encoding="utf-8")

    return site, clock, run, cite


def test_three_runs(cron):
    site, clock, run, cite = cron
    u = site.url
    site.route("/a", respond(200)).route("/b", respond(200)).route("/c", respond(404)).route("/d", respond(500))
    cite("/a", "/b", "/c", "/d")

    # Run 1: two failures, neither confirmed yet.
    code, out = run("--format", "json")
    report = json.loads(out)
    statuses = {r["url"]: r["status"] for r in report["results"]}
    assert statuses == {u("/a"): "ok", u("/b"): "ok", u("/c"): "suspect", u("/d"): "suspect"}
    assert code == 0  # suspect is a warning, not a failure
    assert report["diff"]["previous_run"] is None

    # Between runs: /a dies, /c comes back, /d keeps failing; /b is no longer cited, /e is new.
    site.route("/a", respond(404)).route("/c", respond(200)).route("/e", respond(200))
    cite("/a", "/c", "/d", "/e")
    site.reset_stats()
    clock["now"] = T0 + timedelta(hours=25)

    # Run 2: /a is served from the cache (25 h < 30 h); suspects are always re-checked.
    code, out = run()
    assert site.count("/a") == 0 and site.count("/c") >= 1 and site.count("/d") >= 1 and site.count("/e") >= 1
    assert "Since run 1: 0 newly broken, 0 fixed, 0 still broken, 1 new URL, 1 removed URL." in out
    assert "(cached)" not in out  # cached results are ok, so not listed without -v
    assert "suspect" in out and "failing since 2026-11-01 03:00Z" in out
    assert code == 0

    site.reset_stats()
    clock["now"] = T0 + timedelta(hours=50)

    # Run 3: /d has failed 3 times over 50 h: confirmed. /a's cache expired: its failure starts.
    code, out = run("-v")
    assert code == 1
    assert site.count("/a") >= 1 and site.count("/c") == 0 and site.count("/e") == 0  # /c and /e from the cache
    assert "Since run 2: 1 newly broken, 0 fixed, 0 still broken, 0 new URLs, 0 removed URLs." in out
    assert "(cached)" in out
    lines = [line for line in out.splitlines() if u("/d") in line]
    assert lines and "error" in lines[0] and "500" in lines[0]

    # The same diff from history alone, without a request.
    site.reset_stats()
    result = CliRunner().invoke(cli, ["report", "--since", "last"])
    assert result.exit_code == 1
    assert "Run 3 compared with run 2" in result.stdout
    assert f"Newly broken: 1\n  {u('/d')}  error server error: internal server error (500)" in result.stdout
    assert site.count() == 0
    result = CliRunner().invoke(cli, ["report", "--since", "last", "--format", "json"])
    assert json.loads(result.stdout)["new_broken"] == [u("/d")]

    # Timelines and runs.
    result = CliRunner().invoke(cli, ["history", u("/d"), "--format", "json"])
    assert [c["status"] for c in json.loads(result.stdout)["checks"]] == ["suspect", "suspect", "error"]
    result = CliRunner().invoke(cli, ["runs", "--format", "json"])
    assert [(r["id"], r["state"]) for r in json.loads(result.stdout)] == [(3, "complete"), (2, "complete"), (1, "complete")]


def test_quiet_prints_nothing_when_nothing_is_broken(cron):
    site, clock, run, cite = cron
    site.route("/a", respond(200))
    cite("/a")
    code, out = run("--quiet")
    assert (code, out) == (0, "")


def test_no_history_writes_nothing(cron, tmp_path):
    site, clock, run, cite = cron
    site.route("/a", respond(200))
    cite("/a")
    code, _ = run("--no-history")
    assert code == 0 and not (tmp_path / "archive").exists()
