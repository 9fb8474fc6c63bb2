"""Two overlapping cron runs on one archive folder: they never interleave, the second says
it waits, both complete, and both runs are whole in the history."""

import os
import sqlite3
import subprocess
import sys
import time

from tests.farm import respond


def test_two_check_runs_take_turns(farm, tmp_path):
    site = farm.host().default(lambda request: respond(200, f"<p>{request.path}</p>", delay=0.05))
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.md").write_text("\n".join(f"- <{site.url(f'/p/{n}')}>" for n in range(40)) + "\n")
    env = dict(os.environ, LINKCHECK_NETWORK_PROBE_URLS="", LINKCHECK_NETWORK_ALLOW_PRIVATE="true", LINKCHECK_ROT_SOFT404="false")
    args = [sys.executable, "-m", "linkcheck", "check", "docs", "--host-concurrency", "1", "--format", "json"]
    first = subprocess.Popen(args + ["-o", "first.json"], cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 20
    while site.count() == 0 and time.monotonic() < deadline:  # the first run holds the lock and is checking
        time.sleep(0.02)
    second = subprocess.Popen(args + ["-o", "second.json"], cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, first_err = first.communicate(timeout=60)
    _, second_err = second.communicate(timeout=60)
    assert (first.returncode, second.returncode) == (0, 0), (first_err, second_err)
    assert "is in use by another linkcheck run" in second_err and "waiting up to" in second_err

    db = sqlite3.connect(tmp_path / "archive" / "history.sqlite")
    runs = db.execute("SELECT id, state, started_at, finished_at FROM runs ORDER BY id").fetchall()
    assert [state for _, state, _, _ in runs] == ["complete", "complete"]
    per_run = dict(db.execute("SELECT run_id, COUNT(*) FROM checks GROUP BY run_id").fetchall())
    assert per_run == {runs[0][0]: 40, runs[1][0]: 40}
    # No interleaving: every check of the second run comes after every check of the first.
    last_first = db.execute("SELECT MAX(checked_at) FROM checks WHERE run_id = ?", (runs[0][0],)).fetchone()[0]
    first_second = db.execute("SELECT MIN(checked_at) FROM checks WHERE run_id = ?", (runs[1][0],)).fetchone()[0]
    assert last_first < first_second


def test_lock_timeout_zero_gives_up_with_exit_5(farm, tmp_path):
    site = farm.host().default(lambda request: respond(200, "<p>x</p>", delay=0.2))
    (tmp_path / "a.md").write_text("\n".join(f"- <{site.url(f'/p/{n}')}>" for n in range(20)) + "\n")
    env = dict(os.environ, LINKCHECK_NETWORK_PROBE_URLS="", LINKCHECK_NETWORK_ALLOW_PRIVATE="true", LINKCHECK_ROT_SOFT404="false")
    args = [sys.executable, "-m", "linkcheck", "check", "a.md", "--host-concurrency", "1"]
    first = subprocess.Popen(args, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while site.count() == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    second = subprocess.run(args + ["--lock-timeout", "0"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=30)
    first.wait(timeout=60)
    assert second.returncode == 5
    assert "in use by another linkcheck run" in second.stderr and "Traceback" not in second.stderr
