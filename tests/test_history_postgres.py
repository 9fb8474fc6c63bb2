"""The history on PostgreSQL: the same answers as the SQLite history, the same commands, and
several runs writing one history at once. Every test here starts a real server (tests/postgres.py).
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from linkcheck.cli import cli
from linkcheck.confirm import ConfirmRule, confirm
from linkcheck.errors import ConfigError
from linkcheck.history import History, inputs_key, open_history
from linkcheck.models import DEFAULT_FAIL_ON, Location, Redirect, Result, Status
from linkcheck.pipeline import check_paths
from tests import postgres
from tests.farm import respond
from tests.helpers import fast_settings

pytestmark = pytest.mark.skipif(postgres.unavailable() is not None, reason=postgres.unavailable() or "")

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=timezone.utc)
_NAMES = itertools.count()


@pytest.fixture(scope="module")
def pg_server():
    """One throwaway server for the module (started and stopped by its own pid)."""
    with postgres.running_postgres() as url:
        yield url


@pytest.fixture
def pg_url(pg_server):
    """A fresh database on that server for each test: the URL of a history of its own."""
    import psycopg

    name = f"t{os.getpid()}_{next(_NAMES)}"
    with psycopg.connect(pg_server, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    yield pg_server.replace("postgresql:///postgres?", f"postgresql:///{name}?")
    with psycopg.connect(pg_server, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE {name} WITH (FORCE)")


@pytest.fixture(params=["sqlite", "postgres"])
def open_store(request, tmp_path):
    """Opens the history under test: SQLite in tmp_path, or PostgreSQL (same folder for its cache)."""
    if request.param == "sqlite":
        return lambda: History(tmp_path / "archive")
    url = request.getfixturevalue("pg_url")
    settings = fast_settings(**{"history.url": url, "archive.path": str(tmp_path / "archive")})
    return lambda: open_history(settings)


def result(url, status, at, **extra):
    return Result(url=url, status=status, checked_at=at, locations=[Location("a.md", 1, 1)], **extra)


# -- the same answers as SQLite -------------------------------------------------------


def test_runs_and_checks_round_trip(open_store):
    with open_store() as history:
        run = history.start_run(inputs_key(["docs"]), T0)
        history.record(run, result("https://a.example/", Status.OK, T0, http_status=200))
        history.record(run, result("https://b.example/", Status.DEAD, T0, http_status=404, error="not found (404)"))
        history.record(run, result("https://c.example/", Status.OK, T0, redirects=[Redirect("https://c.example/x", 301)],
                                   final_url="https://c.example/x", drift={"similarity": 0.5}))  # fmt: skip
        history.finish_run(run, T0 + timedelta(seconds=5), 1, 3, interrupted=False)
    with open_store() as history:  # what was written is there after closing
        [listed] = history.runs()
        assert (listed.id, listed.state, listed.urls, listed.broken, listed.documents, listed.citations) == (run, "complete", 3, 1, 1, 3)
        assert (listed.started_at, listed.finished_at) == (T0, T0 + timedelta(seconds=5))
        [check] = history.timeline("https://b.example/")
        assert (check.status, check.http_status, check.error, check.checked_at) == (Status.DEAD, 404, "not found (404)", T0)
        assert check.checked_at.tzinfo is not None and check.checked_at.utcoffset() == timedelta(0)
        moved = history.check_in_run(run, "https://c.example/")
        assert moved is not None and moved.redirects == [Redirect("https://c.example/x", 301)] and moved.extra == {"drift": {"similarity": 0.5}}
        assert history.run_inputs(run) == inputs_key(["docs"])
        assert history.statuses(run) == {"https://a.example/": Status.OK, "https://b.example/": Status.DEAD, "https://c.example/": Status.OK}


def test_latest_many_is_latest_for_each_url(open_store):
    with open_store() as history:
        runs = [history.start_run(inputs_key(["docs"]), T0 + timedelta(hours=n)) for n in range(3)]
        history.record(runs[0], result("https://a.example/", Status.DEAD, T0, http_status=404))
        history.record(runs[1], result("https://a.example/", Status.OK, T0 + timedelta(hours=1), http_status=200))
        history.record(runs[0], result("https://b.example/", Status.OK, T0, redirects=[Redirect("https://b.example/x", 301)]))
        history.record(runs[1], result("https://b.example/", Status.OK, T0, cached=True))  # same time, later run
        history.record(runs[2], result("https://c.example/", Status.OK, T0 + timedelta(hours=2)))
        history.flush()
        urls = ["https://a.example/", "https://b.example/", "https://c.example/", "https://none.example/"]
        for before in runs[1:] + [runs[2] + 1]:
            many = history.latest_many(urls, before)
            one = {url: history.latest(url, before_run=before) for url in urls}
            assert many == {url: check for url, check in one.items() if check is not None}
            assert len(many) == (3 if before > runs[2] else 2)
            assert history.latest_all(before) == many  # every URL the history holds: these
        # b's verdict reused in run 1 is a copy: the newest check of b is still run 0's
        newest_b = history.latest_many(urls, runs[2] + 1)["https://b.example/"]
        assert (newest_b.run_id, newest_b.cached, newest_b.redirects) == (runs[0], False, [Redirect("https://b.example/x", 301)])
        assert history.latest("https://a.example/").status is Status.OK


def test_a_url_recorded_twice_in_one_run_keeps_the_last(open_store):
    with open_store() as history:
        run = history.start_run("[]", T0)
        history.record(run, result("https://a.example/", Status.ERROR, T0))
        history.flush()
        history.record(run, result("https://a.example/", Status.OK, T0 + timedelta(seconds=1)))
        history.finish_run(run, T0, 1, 1, interrupted=False)
        [check] = history.timeline("https://a.example/")
        assert check.status is Status.OK


def test_diff_compares_only_runs_over_the_same_inputs(open_store):
    with open_store() as history:
        ids = []
        for inputs, status in ((inputs_key(["a"]), Status.OK), (inputs_key(["b"]), Status.OK), (inputs_key(["a"]), Status.DEAD)):
            run = history.start_run(inputs, T0)
            history.record(run, result("https://x.example/", status, T0))
            history.record(run, result(f"https://only-{run}.example/", Status.OK, T0))
            history.finish_run(run, T0, 1, 2, interrupted=False)
            ids.append(run)
        diff = history.diff(ids[2], DEFAULT_FAIL_ON)
        assert diff.previous_run == ids[0] and diff.new_broken == ["https://x.example/"]
        assert diff.new_citations == [f"https://only-{ids[2]}.example/"] and diff.removed_citations == [f"https://only-{ids[0]}.example/"]
        assert history.previous_run(inputs_key(["a"]), ids[2]) == ids[0]
        assert history.last_run(inputs_key(["b"])) == ids[1] and history.last_run() == ids[2]


def test_discarded_run_leaves_nothing(open_store):
    with open_store() as history:
        kept = history.start_run("[]", T0)
        history.record(kept, result("https://a.example/", Status.OK, T0))
        history.finish_run(kept, T0, 1, 1, interrupted=False)
        gone = history.start_run("[]", T0)
        history.record(gone, result("https://a.example/", Status.DEAD, T0))
        history.flush()
        history.discard_run(gone)
        assert [run.id for run in history.runs()] == [kept]
        assert [check.run_id for check in history.timeline("https://a.example/")] == [kept]


def test_failure_streak_and_confirmation_over_runs(open_store):
    """`--confirm 3/48h` over four daily runs: suspect, suspect, then dead since the first failure."""
    rule = ConfirmRule.parse("3/48h")
    url = "https://flaky.example/"
    verdicts = []
    with open_store() as history:
        for day, status in enumerate([Status.OK, Status.DEAD, Status.DEAD, Status.DEAD]):
            at = T0 + timedelta(days=day)
            run = history.start_run(inputs_key(["docs"]), at)
            fresh = result(url, status, at)
            if status in DEFAULT_FAIL_ON:
                streak = history.failure_streak(url, DEFAULT_FAIL_ON, run)
                fresh = confirm(fresh, [check.checked_at for check in streak], rule, at)
            history.record(run, fresh)
            history.finish_run(run, at, 1, 1, interrupted=False)
            verdicts.append((fresh.status, fresh.failing_since))
        assert verdicts == [
            (Status.OK, None),
            (Status.SUSPECT, T0 + timedelta(days=1)),
            (Status.SUSPECT, T0 + timedelta(days=1)),
            (Status.DEAD, T0 + timedelta(days=1)),
        ]
        assert [c.status for c in history.failure_streak(url, DEFAULT_FAIL_ON, run + 1)] == [Status.SUSPECT, Status.SUSPECT, Status.DEAD]


def test_an_interrupted_run_is_the_predecessor_to_resume(open_store):
    with open_store() as history:
        first = history.start_run(inputs_key(["docs"]), T0)
        history.record(first, result("https://a.example/", Status.OK, T0))
        history.finish_run(first, T0, 1, 1, interrupted=True)
        second = history.start_run(inputs_key(["docs"]), T0)
        assert history.interrupted_predecessor(inputs_key(["docs"]), second) == first
        assert history.last_run(state="interrupted") == first


# -- PostgreSQL only ---------------------------------------------------------------------


def pg_history(url, folder):
    from linkcheck.history_pg import PostgresHistory

    return PostgresHistory(url, folder)


def test_a_run_whose_session_ended_reads_as_interrupted_and_a_live_one_does_not(pg_url, tmp_path):
    """The run lock is an advisory lock held by the run's session: no pid, any machine."""
    with pg_history(pg_url, tmp_path) as dead, pg_history(pg_url, tmp_path) as alive, pg_history(pg_url, tmp_path) as reader:
        dead_run = dead.start_run("[]", T0)
        alive_run = alive.start_run("[]", T0)
        assert {run.id: run.state for run in reader.runs()} == {dead_run: "running", alive_run: "running"}
        dead.pg.close()  # as a killed process's connection is closed by the kernel
        deadline = time.monotonic() + 10
        while reader.runs()[-1].state == "running" and time.monotonic() < deadline:  # the server notices the EOF at once, nearly
            time.sleep(0.02)
        assert {run.id: run.state for run in reader.runs()} == {dead_run: "interrupted", alive_run: "running"}


def test_a_killed_process_leaves_its_run_interrupted(pg_url, tmp_path):
    script = (
        "import sys, time; from datetime import datetime, timezone; from pathlib import Path;"
        "from linkcheck.history_pg import PostgresHistory;"
        "h = PostgresHistory(sys.argv[1], Path(sys.argv[2])); print(h.start_run('[]', datetime.now(timezone.utc)), flush=True);"
        "time.sleep(60)"
    )
    child = subprocess.Popen([sys.executable, "-c", script, pg_url, str(tmp_path)], stdout=subprocess.PIPE, text=True, cwd=Path(__file__).parent.parent)
    try:
        run_id = int(child.stdout.readline())
        with pg_history(pg_url, tmp_path) as reader:
            assert reader.runs()[0].state == "running"
            child.kill()
            child.wait(timeout=10)
            deadline = time.monotonic() + 10
            while reader.runs()[0].state == "running" and time.monotonic() < deadline:
                time.sleep(0.02)
            assert (reader.runs()[0].id, reader.runs()[0].state) == (run_id, "interrupted")
    finally:
        if child.poll() is None:
            child.kill()
        child.wait(timeout=10)
        child.stdout.close()


def test_two_histories_in_one_database_keep_their_locks_apart(pg_url, tmp_path):
    """Run ids restart in each schema; their locks must not make another schema's dead run look alive."""
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute("CREATE SCHEMA one; CREATE SCHEMA two")
    sep = "&" if "?" in pg_url else "?"
    one, two = (f"{pg_url}{sep}options=-csearch_path%3D{name}" for name in ("one", "two"))
    with pg_history(one, tmp_path) as live_one, pg_history(two, tmp_path) as dead_two:
        assert live_one.start_run("[]", T0) == dead_two.start_run("[]", T0) == 1
        dead_two.pg.close()
        with pg_history(two, tmp_path) as reader:
            deadline = time.monotonic() + 10
            while reader.runs()[0].state == "running" and time.monotonic() < deadline:
                time.sleep(0.02)
            assert reader.runs()[0].state == "interrupted"
        assert live_one.runs()[0].state == "running"


def test_open_history_picks_the_backend(pg_url, tmp_path):
    from linkcheck.history_pg import PostgresHistory

    folder = tmp_path / "archive"
    with open_history(fast_settings(**{"archive.path": str(folder)})) as store:
        assert isinstance(store, History)
    with open_history(fast_settings(**{"archive.path": str(folder / "pg"), "history.url": pg_url})) as store:
        assert isinstance(store, PostgresHistory)
        store.db.execute("SELECT 1")  # the local extraction cache
    assert not (folder / "pg" / "history.sqlite").exists() and (folder / "pg" / "extractions.sqlite").is_file()


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("postgresql:///nowhere?host=/nonexistent-socket-dir&user=postgres", "cannot connect to the PostgreSQL history"),
        ("postgresql://linkcheck:s3cret@127.0.0.1:1/db?connect_timeout=2", "cannot connect to the PostgreSQL history"),
        ("sqlite:///history.db", "must be a postgresql:// URL"),
    ],
)
def test_a_bad_url_is_a_config_error_naming_the_setting(tmp_path, url, words):
    with pytest.raises(ConfigError) as raised:
        open_history(fast_settings(**{"archive.path": str(tmp_path), "history.url": url}))
    assert "history.url" in str(raised.value) and words in str(raised.value)
    assert "s3cret" not in str(raised.value)


def test_missing_psycopg_is_a_config_error(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "psycopg", None)  # import psycopg raises ImportError
    with pytest.raises(ConfigError, match=r"history\.url is set .* psycopg is not installed: pip install 'linkcheck\[postgres\]'"):
        open_history(fast_settings(**{"archive.path": str(tmp_path), "history.url": "postgresql:///x"}))


def test_check_with_an_unreachable_server_exits_2_without_a_traceback(tmp_path, monkeypatch):
    (tmp_path / "a.md").write_text("<https://example.org/>\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LINKCHECK_HISTORY_URL", "postgresql:///x?host=/nonexistent-socket-dir")
    outcome = CliRunner().invoke(cli, ["check", "a.md"])
    assert outcome.exit_code == 2, outcome.output
    assert "history.url" in outcome.stderr and "Traceback" not in outcome.stderr


# -- whole runs and the commands -----------------------------------------------------------


def test_check_runs_and_the_history_commands_on_postgres(farm, pg_url, tmp_path, monkeypatch):
    """check -> runs, history, report, all against the PostgreSQL history; no SQLite history appears."""
    gone = {"n": 0}

    def sometimes(request):
        gone["n"] += 1
        return respond(404 if gone["n"] > 1 else 200, "<p>x</p>")

    site = farm.host().route("/ok", respond(200, "<p>ok</p>")).route("/flip", lambda request: sometimes(request))
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.md").write_text(f"<{site.url('/ok')}>\n<{site.url('/flip')}>\n")
    monkeypatch.chdir(tmp_path)
    settings = fast_settings(farm, **{"history.url": pg_url, "check.retries": 0, "rot.soft404": False, "check.method": "get"})
    first = check_paths(["docs"], settings)
    second = check_paths(["docs"], settings)
    assert [r.status for r in sorted(first.results, key=lambda r: r.url)] == [Status.OK, Status.OK]
    assert {r.url: r.status for r in second.results}[site.url("/flip")] is Status.DEAD
    assert second.diff is not None and second.diff.new_broken == [site.url("/flip")]
    assert not (tmp_path / "archive" / "history.sqlite").exists()

    env = {"LINKCHECK_HISTORY_URL": pg_url}
    runner = CliRunner()
    listed = runner.invoke(cli, ["runs", "--format", "json"], env=env)
    assert listed.exit_code == 0, listed.output
    assert [(r["state"], r["urls"], r["broken"]) for r in json.loads(listed.stdout)] == [("complete", 2, 1), ("complete", 2, 0)]
    timeline = runner.invoke(cli, ["history", "--format", "json", site.url("/flip")], env=env)
    assert timeline.exit_code == 0, timeline.output
    assert [c["status"] for c in json.loads(timeline.stdout)["checks"]] == ["ok", "dead"]
    report = runner.invoke(cli, ["report", "--since", "last", "--format", "json"], env=env)
    assert report.exit_code == 1, report.output  # newly broken
    assert json.loads(report.stdout)["new_broken"] == [site.url("/flip")]


def test_two_check_runs_at_once_on_one_postgres_history(farm, pg_url, tmp_path):
    """Issue 16's acceptance: two `linkcheck check` runs (two archive folders, as on two
    machines) write one PostgreSQL history at the same time; both complete, nothing is
    lost, and `--confirm 4` counts the checks of both: a run after them confirms."""
    site = farm.host().default(
        lambda request: respond(404 if request.path.startswith("/gone/") else 200, f"<p>{request.path}</p>", delay=0.05)
    )
    urls = [site.url(f"/gone/{n}") for n in range(20)] + [site.url(f"/ok/{n}") for n in range(20)]
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.md").write_text("".join(f"- <{url}>\n" for url in urls))
    env = dict(
        os.environ, LINKCHECK_HISTORY_URL=pg_url, LINKCHECK_HISTORY_CONFIRM="4", LINKCHECK_NETWORK_PROBE_URLS="",
        LINKCHECK_NETWORK_ALLOW_PRIVATE="true", LINKCHECK_ROT_SOFT404="false", LINKCHECK_CHECK_RETRIES="0",
        PYTHONPATH=str(Path(__file__).parent.parent),
    )  # fmt: skip
    args = [sys.executable, "-m", "linkcheck", "check", "docs", "--host-concurrency", "1", "--format", "json"]

    def start(name):
        return subprocess.Popen(args + ["-o", f"{name}.json", "--archive-dir", f"archive-{name}"], cwd=tmp_path, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip

    def finish(process):
        try:
            _, err = process.communicate(timeout=120)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)
        return process.returncode, err

    def statuses(name):
        return {r["url"]: r["status"] for r in json.loads((tmp_path / f"{name}.json").read_text())["results"]}

    assert finish(start("before"))[0] == 0  # suspect: 1 of 4
    a, b = start("a"), start("b")
    (code_a, err_a), (code_b, err_b) = finish(a), finish(b)
    assert (code_a, code_b) == (0, 0), (err_a, err_b)
    assert "in use by another linkcheck run" not in err_a + err_b
    code_after, err_after = finish(start("after"))
    assert code_after == 1, err_after  # the fourth failing check confirms

    for name in ("before", "a", "b"):
        assert statuses(name) == {url: "suspect" if "/gone/" in url else "ok" for url in urls}, name
    assert statuses("after") == {url: "dead" if "/gone/" in url else "ok" for url in urls}

    import psycopg

    with psycopg.connect(pg_url) as db:
        runs = db.execute("SELECT id, state, started_at, finished_at FROM runs ORDER BY id").fetchall()
        assert [state for _, state, _, _ in runs] == ["complete"] * 4
        per_run = dict(db.execute("SELECT run_id, COUNT(*) FROM checks GROUP BY run_id").fetchall())
        assert per_run == {run[0]: 40 for run in runs}  # nothing lost
        # The two middle runs overlapped: each started before the other finished.
        (_, _, start_a, end_a), (_, _, start_b, end_b) = runs[1], runs[2]
        assert start_a < end_b and start_b < end_a
        # Each failing URL: four failing checks in four runs, and the last confirms since the first.
        rows = db.execute("SELECT url, COUNT(DISTINCT run_id) FROM checks WHERE status IN ('suspect', 'dead') GROUP BY url").fetchall()
        assert dict(rows) == {url: 4 for url in urls if "/gone/" in url}
    after = json.loads((tmp_path / "after.json").read_text())["results"]
    first_failure = {r["url"]: r.get("failing_since") for r in json.loads((tmp_path / "before.json").read_text())["results"]}
    for entry in after:
        if "/gone/" in entry["url"]:
            assert entry["failing_since"] == first_failure[entry["url"]]


def test_a_streaming_run_with_forked_workers_keeps_its_postgres_session(farm, pg_url, tmp_path, monkeypatch):
    """A corpus past STREAM_MIN_BYTES is checked by forked workers while the history's
    connection is open: the children must not touch (or close) the parent's session."""
    from linkcheck.pipeline import STREAM_MIN_BYTES

    site = farm.host().default(lambda request: respond(200, "<p>x</p>"))
    (tmp_path / "docs").mkdir()
    pad = "lorem ipsum " * 50
    (tmp_path / "docs" / "a.md").write_text("".join(f"{pad}\n- <{site.url(f'/p/{n}')}>\n" for n in range(1200)))
    assert (tmp_path / "docs" / "a.md").stat().st_size > STREAM_MIN_BYTES
    monkeypatch.chdir(tmp_path)
    settings = fast_settings(farm, **{"history.url": pg_url, "rot.soft404": False})
    reports = [check_paths(["docs"], settings) for _ in range(2)]
    assert [len(report.results) for report in reports] == [1200, 1200]
    assert reports[1].diff is not None and reports[1].diff.previous_run is not None
    with open_history(settings) as history:
        assert [(run.state, run.urls) for run in history.runs()] == [("complete", 1200), ("complete", 1200)]
