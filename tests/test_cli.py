"""End to end: the CLI in-process (CliRunner) and as a real subprocess, against the loopback farm."""

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from linkcheck.cli import cli
from linkcheck.pipeline import STREAM_MIN_BYTES
from tests.farm import hang, redirect, respond, sequence

SCHEMA = json.loads((Path(__file__).resolve().parent.parent / "linkcheck/schema/report.schema.json").read_text())
FAST = ["--max-retries", "0", "--timeout", "2s"]


@pytest.fixture
def env(farm, tmp_path, monkeypatch):
    """Run in an empty folder (no config.toml), trusting the farm's CA, with no probe."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LINKCHECK_NETWORK_CA_BUNDLE", farm.ca_pem)
    monkeypatch.setenv("LINKCHECK_NETWORK_PROBE_URLS", "")
    monkeypatch.delenv("NO_COLOR", raising=False)
    return tmp_path


def run(*args):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def document(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_all_alive_exits_0(farm, env):
    site = farm.host().route("/a", respond(200)).route("/b", redirect(302, "/a"))
    document(env, "docs/index.md", f"# Docs\n\nSee [a]({site.url('/a')}) and <{site.url('/b')}>.\n")
    code, out, err = run("check", "docs", *FAST)
    assert code == 0, (out, err)
    assert "No broken citations." in out
    assert "2 unique URLs, 2 citations, 1 document" in out


def test_broken_link_exits_1_and_is_shown_with_its_location(farm, env):
    site = farm.host().route("/a", respond(200))
    document(env, "docs/index.md", f"# Docs\n\nFine: {site.url('/a')}\nGone: [old]({site.url('/old')})\n")
    code, out, err = run("check", "docs", *FAST)
    assert code == 1, (out, err)
    assert "docs/index.md" in out
    assert "4:13" in out and "dead" in out and "404" in out
    assert "1 broken citation (1 URL)." in out


def test_fail_on_changes_what_fails(farm, env):
    site = farm.host().route("/moved", redirect(301, "/new")).route("/new", respond(200))
    document(env, "a.md", f"<{site.url('/moved')}>\n")
    assert run("check", "a.md", *FAST)[0] == 0
    assert run("check", "a.md", *FAST, "--fail-on", "redirect_permanent")[0] == 1


def test_json_report_matches_the_schema_and_the_exact_locations(farm, env):
    site = farm.host().route("/ok", respond(200)).route("/moved", redirect(301, "/ok"))
    ok, moved, gone = site.url("/ok"), site.url("/moved"), site.url("/gone")
    document(env, "docs/a.md", f"# Ünïcödé title\n\nÜber — [moved]({moved}) and {gone}\n")
    document(env, "docs/b.html", f'<html><body>\n  <p>日本語 <a href="{ok}">ok</a></p>\n</body></html>\n')
    document(env, "docs/c.txt", f"Plain text cites ({gone}). And {ok}\n")
    code, out, err = run("check", "docs", *FAST, "--format", "json")
    assert code == 1, err
    report = json.loads(out)
    jsonschema.validate(report, SCHEMA)
    results = {result["url"]: result for result in report["results"]}
    assert report["summary"] == {"documents": 3, "links": 5, "unique_urls": 3,
                                 "by_status": {"dead": 1, "ok": 1, "redirect_permanent": 1}}
    locations = {url: sorted((loc["file"], loc["line"], loc["column"]) for loc in result["locations"]) for url, result in results.items()}
    md_line = f"Über — [moved]({moved}) and {gone}"
    txt_line = f"Plain text cites ({gone}). And {ok}"
    assert locations == {
        moved: [("docs/a.md", 3, 16)],
        gone: [("docs/a.md", 3, md_line.index(gone) + 1), ("docs/c.txt", 1, 19)],
        ok: [("docs/b.html", 2, len("  <p>日本語 <a href=\"") + 1), ("docs/c.txt", 1, txt_line.index(ok) + 1)],
    }
    assert results[moved]["redirects"] == [{"url": moved, "status": 301}]
    assert results[moved]["final_url"] == ok
    assert results[gone]["http_status"] == 404 and results[gone]["error"]


def test_locations_point_at_the_url_in_the_source(farm, env):
    """Every reported (line, column) names the first character of the URL as written."""
    site = farm.host().default(respond(200))
    texts = {
        "a.md": f"# Tïtle\n\n* 🙂 [x]({site.url('/md')})\n\n[ref]: {site.url('/ref')}\n",
        "b.html": f"<p>ĉu?\n<a class=x\n   href='{site.url('/html')}'>y</a></p>",
        "c.txt": f"«quoted» «{site.url('/txt')}»\r\nnext line {site.url('/txt2')}.",
    }
    for name, text in texts.items():
        document(env, name, text)
    code, out, _ = run("check", ".", *FAST, "--format", "json", "--verbose")
    assert code == 0
    for result in json.loads(out)["results"]:
        for location in result["locations"]:
            lines = texts[location["file"]].replace("\r\n", "\n").split("\n")
            line = lines[location["line"] - 1]
            assert line[location["column"] - 1:].startswith(result["url"]), (result["url"], location)


def test_json_report_to_a_file_and_terminal_to_stdout(farm, env):
    site = farm.host().route("/a", respond(200))
    document(env, "a.md", f"<{site.url('/a')}>\n")
    code, out, _ = run("check", "a.md", *FAST, "--format", "json:report.json", "--format", "terminal")
    assert code == 0
    jsonschema.validate(json.loads((env / "report.json").read_text()), SCHEMA)
    assert "No broken citations." in out


def test_missing_folder_is_exit_2_with_one_line(env):
    code, out, err = run("check", "no-such-folder")
    assert code == 2
    assert err.strip() == "linkcheck: no-such-folder: no such file or folder"
    assert "Traceback" not in out + err


def test_bad_config_is_exit_2_naming_key_and_file(env):
    document(env, "config.toml", "[check]\nmax_concurency = 3\n")
    document(env, "a.md", "nothing here\n")
    code, out, err = run("check", "a.md")
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert "check.max_concurency" in err and "config.toml" in err
    assert "Traceback" not in out + err


def test_bad_flag_is_exit_2(env):
    code, _, err = run("check", "--max-concurrency", "zero", ".")
    assert code == 2 and "max-concurrency" in err


def test_unknown_format_is_exit_2(env):
    document(env, "a.md", "x\n")
    code, _, err = run("check", "a.md", "--format", "pdf")
    assert code == 2 and "unknown report format 'pdf'" in err


def test_network_unavailable_is_exit_3(env, monkeypatch):
    monkeypatch.setenv("LINKCHECK_NETWORK_PROBE_URLS", "https://probe.invalid/")
    document(env, "a.md", "[a](https://one.invalid/) and <https://two.invalid/x>\n")
    code, out, err = run("check", "a.md")
    assert code == 3
    assert "network unavailable" in err
    assert "Traceback" not in out + err


def test_dead_domains_with_a_working_network_are_exit_1(farm, env, monkeypatch):
    probe = farm.host().route("/", respond(200))
    monkeypatch.setenv("LINKCHECK_NETWORK_PROBE_URLS", probe.url("/"))
    document(env, "a.md", "[a](https://one.invalid/)\n")
    code, out, _ = run("check", "a.md")
    assert code == 1
    assert "does not resolve" in out
    assert probe.count("/") == 1


def test_internal_error_is_exit_4_without_traceback(env, monkeypatch):
    import linkcheck.cli.check_command

    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(linkcheck.cli.check_command, "check_paths", explode)
    document(env, "a.md", "x\n")
    code, out, err = run("check", "a.md")
    assert code == 4
    assert "internal error: RuntimeError: boom" in err and "Traceback" not in err
    code, out, err = run("check", "a.md", "--debug")
    assert code == 4 and "Traceback" in err


def test_unsupported_and_invalid_links(env):
    document(env, "a.md", "[mail](mailto:someone@example.org) [bad](https://example.org:99999/)\n")
    code, out, _ = run("check", "a.md", "--format", "json")
    statuses = {result["url"]: result["status"] for result in json.loads(out)["results"]}
    assert statuses.get("mailto:someone@example.org") == "unsupported"
    assert "invalid" in statuses.values()
    assert code == 1  # invalid counts as broken by default


def test_extract_lists_links_without_network(env):
    document(env, "a.md", "See [x](https://example.org/a) and https://example.org/b\n")
    code, out, _ = run("extract", "a.md", "--format", "csv")
    assert code == 0
    assert out.splitlines() == [
        "file,line,column,url,text,verdict",
        "a.md,1,9,https://example.org/a,x,",
        "a.md,1,36,https://example.org/b,,",
    ]


def test_every_command_has_help_with_examples():
    for name, command in cli.commands.items():
        code, out, _ = run(name, "--help")
        assert code == 0 and "Examples:" in out, name


def test_version():
    from linkcheck import __version__

    code, out, _ = run("--version")
    assert code == 0 and __version__ in out


def _spawn(args, cwd, env_extra):
    environment = dict(os.environ, **env_extra)
    environment.pop("NO_COLOR", None)
    return subprocess.Popen(
        [sys.executable, "-m", "linkcheck", *args], cwd=cwd, env=environment,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def test_subprocess_exit_codes(farm, tmp_path):
    site = farm.host().route("/a", respond(200))
    document(tmp_path, "good.md", f"<{site.url('/a')}>\n")
    document(tmp_path, "bad.md", f"<{site.url('/missing')}>\n")
    document(tmp_path, "offline.md", "<https://nowhere.invalid/>\n")
    extra = {"LINKCHECK_NETWORK_CA_BUNDLE": farm.ca_pem, "LINKCHECK_NETWORK_PROBE_URLS": ""}
    offline = dict(extra, LINKCHECK_NETWORK_PROBE_URLS="https://probe.invalid/")
    for args, expected, environment in (
        (["check", "good.md"], 0, extra),
        (["check", "bad.md"], 1, extra),
        (["check", "missing.md"], 2, extra),
        (["check", "offline.md"], 3, offline),
    ):
        process = _spawn(args, tmp_path, environment)
        out, err = process.communicate(timeout=60)
        assert process.returncode == expected, (args, out, err)
        assert "Traceback" not in err


@pytest.mark.parametrize("streamed", [False, True], ids=["read-then-check", "check-while-reading"])
def test_ctrl_c_stops_within_two_seconds_with_a_partial_report(farm, tmp_path, streamed):
    site = farm.host().route("/fast", respond(200)).route("/slow", hang())
    lines = [f"- <{site.url('/fast')}>"] + [f"- <{site.url(f'/slow?{n}')}>" for n in range(5)]
    lines.append("- [a local link, judged without a request](missing.md)")
    if streamed:  # a corpus this big is checked by worker processes while it is read
        lines.append("filler text " * (STREAM_MIN_BYTES // 12 + 1))
    name = f"a-{uuid.uuid4().hex}.md"  # to find any process left behind
    document(tmp_path, name, "\n".join(lines) + "\n")
    extra = {"LINKCHECK_NETWORK_PROBE_URLS": "", "LINKCHECK_CHECK_READ_TIMEOUT": "60s", "LINKCHECK_CHECK_WORKERS": "2"}
    process = _spawn(["check", name, "--format", "json"], tmp_path, extra)
    deadline = time.monotonic() + 20
    while site.count("/slow") < 4 and time.monotonic() < deadline:  # wait until the slow requests hang
        time.sleep(0.05)
    assert site.count("/fast") == 1
    sent = time.monotonic()
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=10)
    assert time.monotonic() - sent < 2.0
    assert process.returncode == 130, err
    report = json.loads(out)
    jsonschema.validate(report, SCHEMA)
    assert report["interrupted"] is True
    assert sorted((result["url"], result["status"]) for result in report["results"]) == [(site.url("/fast"), "ok"), ("missing.md", "dead")]
    assert "interrupted" in err and "Traceback" not in err
    assert _processes_citing(name) == []  # no worker outlives the run


def _processes_citing(argument: str) -> list[int]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        with contextlib.suppress(OSError):
            if argument.encode() in cmdline.read_bytes():
                found.append(int(cmdline.parent.name))
    return found


def test_sigterm_also_stops_with_a_partial_report(farm, tmp_path):
    site = farm.host().route("/slow", hang())
    document(tmp_path, "a.md", f"<{site.url('/slow')}>\n")
    process = _spawn(["check", "a.md", "--format", "json"], tmp_path, {"LINKCHECK_NETWORK_PROBE_URLS": "", "LINKCHECK_CHECK_READ_TIMEOUT": "60s"})
    deadline = time.monotonic() + 20
    while site.count("/slow") < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=10)
    assert process.returncode == 130, err
    assert json.loads(out)["interrupted"] is True


def test_host_stats_are_printed_on_stderr(farm, env):
    site = farm.host().route("/a", respond(200)).route("/slow", sequence(respond(429, headers={"Retry-After": "0"}), respond(200)))
    document(env, "a.md", f"<{site.url('/a')}> <{site.url('/slow')}>\n")
    code, out, err = run("check", "a.md", "--host-stats", "--max-retries", "1")
    assert code == 0
    assert "Requests per host" in err and "127.0.0.1" in err
    row = next(line for line in err.splitlines() if line.startswith("127.0.0.1"))
    assert row.split()[1:4] == ["3", "1", "1"]  # 3 requests, 1 retry, one 429
    assert "Requests per host" not in out


def test_starting_the_cli_does_not_import_the_http_stack():
    """Start-up time is paid by every cron and CI run; a run answered from history, and
    the parent of a run spread over workers, never need httpx or aiohttp."""
    code = "import sys, linkcheck.cli; print(sorted(m for m in ('httpx', 'aiohttp', 'rich.progress', 'warcio') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True).stdout
    assert out.strip() == "[]"
