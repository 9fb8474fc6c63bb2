"""SIGKILL at random points of a run with archive and history: after every kill the archive
verifies and the history is consistent; the next run resumes; a final run completes."""

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time

from tests.farm import respond

KILLS = 20
URLS = 120


def run_linkcheck(args, cwd, env, timeout=60):
    return subprocess.run([sys.executable, "-m", "linkcheck", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def history_is_consistent(path):
    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not {"runs", "checks"} <= tables:
            return 0  # killed while the schema was being created: nothing recorded yet; the next run creates it
        states = {state for (state,) in db.execute("SELECT state FROM runs")}
        assert states <= {"running", "complete", "interrupted"}
        orphans = db.execute("SELECT COUNT(*) FROM checks WHERE run_id NOT IN (SELECT id FROM runs)").fetchone()[0]
        assert orphans == 0
        return db.execute("SELECT COUNT(*) FROM checks").fetchone()[0]
    finally:
        db.close()


def test_sigkill_at_random_points(farm, tmp_path):
    site = farm.host().default(respond(200, "<html><title>page</title><p>" + "text " * 200 + "</p></html>", delay=0.03))
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "cites.md").write_text("\n".join(f"- <{site.url(f'/p/{n}')}>" for n in range(URLS)) + "\n")
    # Every path of this farm host serves the same page, which is exactly what a soft-404
    # host looks like; this test is about crash safety, so page judgement is off.
    env = dict(os.environ, LINKCHECK_NETWORK_PROBE_URLS="", LINKCHECK_NETWORK_ALLOW_PRIVATE="true", LINKCHECK_ROT_SOFT404="false")
    rng = random.Random(20261129)
    args = ["check", "docs", "--archive", "--max-retries", "0", "--format", "json", "--output", "report.json"]
    landed_mid_run = 0
    for kill in range(KILLS):
        process = subprocess.Popen([sys.executable, "-m", "linkcheck", *args], cwd=tmp_path, env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, 1.6))
        landed_mid_run += process.poll() is None
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        if not (tmp_path / "archive").exists():
            continue  # killed during start-up, before the archive folder existed: nothing to check
        verify = run_linkcheck(["archive", "verify"], tmp_path, env)
        assert verify.returncode == 0, (kill, verify.stdout, verify.stderr)
        if (tmp_path / "archive" / "history.sqlite").exists():
            history_is_consistent(tmp_path / "archive" / "history.sqlite")
    assert landed_mid_run >= KILLS // 2, "most kills should land while the run is working"

    db = sqlite3.connect(tmp_path / "archive" / "history.sqlite")
    last_run, state = db.execute("SELECT id, state FROM runs ORDER BY id DESC LIMIT 1").fetchone()
    # A run killed after it finished is complete: nothing to resume (only --max-age reuses).
    resumable = 0 if state == "complete" else db.execute("SELECT COUNT(*) FROM checks WHERE run_id = ?", (last_run,)).fetchone()[0]
    db.close()
    site.reset_stats()
    final = run_linkcheck(args, tmp_path, env, timeout=120)
    assert final.returncode == 0, final.stderr
    assert run_linkcheck(["archive", "verify"], tmp_path, env).returncode == 0
    checks = history_is_consistent(tmp_path / "archive" / "history.sqlite")
    assert checks >= URLS
    report = json.loads((tmp_path / "report.json").read_text())
    assert [result["status"] for result in report["results"]] == ["ok"] * URLS
    # The final run resumed the last killed one: what it had already checked was not asked
    # again (each URL still to check costs one GET: the capture writes the check's own response).
    assert site.count() == URLS - resumable
