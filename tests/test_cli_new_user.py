"""What a new user meets (issue 17): output paths, flags the docs name, runs that cannot start,
exit codes that agree. End to end, the CLI against the loopback farm."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
import time

from tests.farm import respond
from tests.test_cli import FAST, document, run
from tests.test_cli import env as env  # noqa: F401 - the fixture, shared
from tests.test_outfile import null_device


def test_output_onto_a_device_writes_into_it_and_leaves_it_a_device(farm, env):
    site = farm.host().route("/a", respond(200))
    document(env, "a.md", f"<{site.url('/a')}>\n")
    device = null_device(env)
    code, out, err = run("check", "a.md", *FAST, "--format", "json", "--output", str(device))
    assert code == 0, err
    assert stat.S_ISCHR(device.stat().st_mode), "the device node was replaced by a regular file"
    assert not [p for p in env.iterdir() if p.name.startswith(".null")], "a temporary was left behind"


def test_format_file_onto_a_device_and_baseline_onto_a_device(farm, env):
    site = farm.host().route("/a", respond(200))
    document(env, "a.md", f"<{site.url('/a')}>\n")
    device = null_device(env)
    assert run("check", "a.md", *FAST, "--format", f"sarif:{device}")[0] == 0
    code, _, err = run("baseline", "write", "-o", str(device), "a.md", "--max-retries", "0")
    assert code == 0, err
    assert stat.S_ISCHR(device.stat().st_mode)


def test_dash_is_stdout(farm, env):
    site = farm.host().route("/a", respond(200))
    document(env, "a.md", f"<{site.url('/a')}>\n")
    code, out, _ = run("check", "a.md", *FAST, "--format", "json:-")
    assert code == 0
    assert json.loads(out)["results"][0]["status"] == "ok"
    assert not (env / "-").exists()
    code, out, _ = run("check", "a.md", *FAST, "--format", "json", "-o", "-")
    assert code == 0 and json.loads(out)["summary"]
    assert not (env / "-").exists()


def test_an_unwritable_report_path_fails_before_any_request(farm, env):
    site = farm.host().route("/a", respond(200))
    document(env, "a.md", f"<{site.url('/a')}>\n")
    code, out, err = run("check", "a.md", *FAST, "--format", "json:/nonexistent/dir/x.json")
    assert code == 2
    assert "cannot write report /nonexistent/dir/x.json" in err and "does not exist" in err
    assert site.count("/a") == 0, "the run started although its report could not be written"
    assert not (env / "archive").exists(), "a run that could not start touched the history"


def test_only_file_reports_still_leave_a_summary_line_on_stderr(farm, env):
    site = farm.host().route("/a", respond(200))
    document(env, "a.md", f"<{site.url('/a')}>\n")
    code, out, err = run("check", "a.md", *FAST, "--format", "json:r.json")
    assert code == 0
    assert out == ""
    assert "1 unique URL, 1 citation, 1 document" in err and "(report: r.json)" in err


def test_a_run_that_cannot_start_leaves_no_history(env):
    assert run("check", "no-such-folder")[0] == 2
    assert not (env / "archive").exists()
    document(env, "a.md", "[local](a.md)\n")
    assert run("check", "a.md")[0] == 0
    assert run("check", "no-such-folder")[0] == 2
    assert run("check", "a.md", "no-such-folder")[0] == 2
    code, out, _ = run("runs", "--format", "json")
    assert code == 0
    assert [(r["inputs"], r["state"]) for r in json.loads(out)] == [([str(env / "a.md")], "complete")]


def test_a_folder_with_no_document_is_exit_2_unless_allowed(env):
    (env / "empty").mkdir()
    (env / "empty" / "picture.png").write_bytes(b"\x89PNG")
    code, _, err = run("check", "empty")
    assert code == 2
    assert "no supported document under empty" in err and "--allow-empty" in err
    assert run("check", "empty", "--allow-empty")[0] == 0


def test_allow_private_is_a_flag_and_refusals_say_how_to_lift_them(farm, env, monkeypatch):
    monkeypatch.delenv("LINKCHECK_NETWORK_ALLOW_PRIVATE")  # the suite's own allowance off
    site = farm.host().route("/a", respond(200))
    document(env, "a.md", f"<{site.url('/a')}>\n")
    code, out, _ = run("check", "a.md", *FAST, "--format", "json")
    result = json.loads(out)["results"][0]
    assert result["status"] == "excluded" and "--allow-private" in result["error"]
    assert site.count("/a") == 0
    code, out, _ = run("check", "a.md", *FAST, "--format", "json", "--allow-private")
    assert code == 0 and json.loads(out)["results"][0]["status"] == "ok"
    assert site.count("/a") == 1


def test_verify_honours_a_lock_held_by_another_process_even_on_an_empty_archive(env):
    """`archive verify --lock-timeout 0` while a `check` holds the folder: exit 5, like check."""
    (env / "archive").mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import fcntl,os,sys,time; fd=os.open('archive/.lock', os.O_RDWR|os.O_CREAT); "
         "fcntl.flock(fd, fcntl.LOCK_EX); os.write(fd, b'%d' % os.getpid()); print('held', flush=True); time.sleep(60)"],
        cwd=env, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        code, _, err = run("archive", "verify", "--lock-timeout", "0")
        assert code == 5, err
        assert time.monotonic() - started < 5
        assert "waiting up to 0s" not in err and f"pid {holder.pid}" in err
    finally:
        holder.kill()
        holder.wait(timeout=10)


def test_confirm_applies_to_web_requests_not_to_missing_local_files(farm, env):
    """A missing file is not a transient failure: `--confirm` does not make it `suspect`."""
    site = farm.host()
    document(env, "a.md", f"[gone](missing.md) and <{site.url('/gone')}>\n")
    for _ in range(2):
        code, out, _ = run("check", "a.md", *FAST, "--confirm", "3/3d", "--format", "json")
    statuses = {r["url"]: r["status"] for r in json.loads(out)["results"]}
    assert statuses == {"missing.md": "dead", site.url("/gone"): "suspect"}
    assert code == 1


def test_the_progress_bar_marks_what_the_runs_fail_on_selects():
    """Failures above the bar follow `--fail-on`, not the default set (issue 15)."""
    import io

    from linkcheck.cli import _Progress
    from linkcheck.models import Location, Result, Status

    progress = _Progress(True, frozenset({Status.BLOCKED}))
    progress.bar.console.file = printed = io.StringIO()
    progress.total(2)
    progress.result(Result(url="https://a.example/", status=Status.DEAD, locations=[Location("a.md", 1, 1)]))
    progress.result(Result(url="https://b.example/", status=Status.BLOCKED, locations=[Location("a.md", 2, 1)]))
    assert "b.example" in printed.getvalue() and "a.example" not in printed.getvalue()


def test_history_of_a_fragment_shows_no_redirect_and_an_unknown_url_exits_1(farm, env):
    site = farm.host().route("/a", respond(200, '<h2 id="sec">Section</h2>'))
    cited = site.url("/a#sec")
    document(env, "a.md", f"<{cited}>\n")
    assert run("check", "a.md", *FAST)[0] == 0
    code, out, err = run("history", cited)
    assert code == 0, err
    assert "ok" in out and "->" not in out
    code, out, err = run("history", site.url("/never-cited"))
    assert code == 1
    assert "no check of" in err
    code, out, _ = run("history", "--format", "json", site.url("/never-cited"))
    assert code == 1 and json.loads(out)["checks"] == []
