"""The five scenarios: their corpora, how each is run, and whether its goal is met.

Every scenario alternates the two tools run by run (linkcheck first on even runs, lychee
first on odd ones), so slow drift of a shared machine hits both alike, and reports
ratios from the same invocation only.
"""

from __future__ import annotations

import math
import shutil
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpus import Corpus, CorpusSpec, generate
from farm import FarmProcess
from runners import (
    Limits,
    Measurement,
    Tools,
    base_env,
    linkcheck_check,
    linkcheck_extract,
    linkcheck_help,
    lychee_check,
    lychee_dump,
    run_measured,
    verify_linkcheck_extract,
    verify_linkcheck_report,
    verify_lychee_dump,
    verify_lychee_report,
)

LINKCHECK = "linkcheck"
LYCHEE = "lychee"
HOSTS = 50


@dataclass
class ScenarioResult:
    key: str
    title: str
    goal: str
    measurements: list[Measurement] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    verdict: str = "n/a"  # "met", "not met", "not available yet", "n/a" (no comparison possible)

    def of(self, tool: str, phase: str | None = None) -> list[Measurement]:
        return [m for m in self.measurements if m.tool == tool and m.extra.get("phase") == phase]


@dataclass
class Context:
    tools: Tools
    farm: FarmProcess
    work: Path
    runs: int
    quick: bool
    log: Callable[[str], None]

    def corpus(self, spec: CorpusSpec) -> Corpus:
        self.log(f"  corpus {spec.name}: {spec.unique_urls} unique URLs, {spec.citations} citations, {spec.files} files")
        return generate(spec, self.work / "corpora" / spec.name)


# ----------------------------------------------------------------------------- shared helpers


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def paired_ratio(result: ScenarioResult, phase: str | None = None) -> float | None:
    """Median over runs of linkcheck wall / lychee wall of the same run (only runs where both passed)."""
    lc = {m.run: m for m in result.of(LINKCHECK, phase) if m.ok}
    ly = {m.run: m for m in result.of(LYCHEE, phase) if m.ok}
    ratios = [lc[run].wall / ly[run].wall for run in sorted(lc.keys() & ly.keys()) if ly[run].wall > 0]
    return median(ratios)


def _order(run: int, have_lychee: bool) -> list[str]:
    tools = [LINKCHECK, LYCHEE] if have_lychee else [LINKCHECK]
    return tools if run % 2 == 0 else tools[::-1]


def _check_run(
    ctx: Context, result: ScenarioResult, tool: str, run: int, corpus: Corpus, limits: Limits,
    *, phase: str | None = None, extra: Sequence[str] = (), cwd: Path | None = None,
) -> Measurement:
    """One measured `check` run of one tool, verified; the farm's counts are reset before it."""
    folder = ctx.work / "runs" / result.key
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{tool}-{run}" + (f"-{phase}" if phase else "")
    report = folder / f"{stem}.json"
    report.unlink(missing_ok=True)
    if tool == LINKCHECK:
        argv = linkcheck_check(ctx.tools, corpus.root, report, limits, list(extra))
    else:
        argv = lychee_check(ctx.tools, corpus.root, report, limits, list(extra))
    if cwd is None:  # a fresh working folder per run: linkcheck keeps its history in ./archive/ by default
        cwd = folder / f"cwd-{stem}"
        if cwd.exists():
            shutil.rmtree(cwd)
    ctx.farm.reset()
    child = run_measured(argv, launcher=ctx.tools.launcher, env=base_env(), cwd=cwd, stdout=folder / f"{stem}.out", stderr=folder / f"{stem}.err")
    stats = ctx.farm.stats()
    requests = int(stats["total"])
    verify = verify_linkcheck_report if tool == LINKCHECK else verify_lychee_report
    problems = verify(report, corpus.unique_urls, corpus.spec.citations)
    if child.timed_out:
        problems.insert(0, "killed: took too long")
    if child.exit_code != 0:
        problems.insert(0, f"exit code {child.exit_code} (stderr: {_tail(folder / f'{stem}.err')})")
    extra_info = {"phase": phase, "connections": stats.get("connections"), "peak_in_flight": stats.get("peak_in_flight"), "latency": ctx.farm.latency}
    measurement = Measurement(result.key, tool, run, child.wall, child.cpu, child.rss_mb, child.exit_code, problems, requests, extra_info)
    line = f"  {result.key} run {run} {tool}{' ' + phase if phase else ''}: wall {child.wall:.2f}s cpu {child.cpu:.2f}s"
    line += f" rss {child.rss_mb:.0f}MB requests {requests} connections {stats.get('connections')}"
    if ctx.farm.latency:
        line += f" peak in flight {stats.get('peak_in_flight')}"
    ctx.log(line + (f"  PROBLEMS: {'; '.join(problems)}" if problems else ""))
    return measurement


def _tail(path: Path, limit: int = 300) -> str:
    try:
        text = path.read_text(errors="replace").strip()
    except OSError:
        return ""
    return text[-limit:].replace("\n", " | ")


def _compare_checks(ctx: Context, result: ScenarioResult, corpus: Corpus, limits: Limits) -> None:
    for run in range(ctx.runs):
        for tool in _order(run, ctx.tools.lychee is not None):
            result.measurements.append(_check_run(ctx, result, tool, run, corpus, limits))


def _walls(result: ScenarioResult, tool: str, phase: str | None = None) -> list[float]:
    return [m.wall for m in result.of(tool, phase) if m.ok]


# ----------------------------------------------------------------------------- scenarios


def _links_spec(ctx: Context, name: str, unique: int) -> CorpusSpec:
    return CorpusSpec(name, unique_urls=unique, citations=unique, files=max(10, unique // 100), hosts=HOSTS, port=ctx.farm.port)


def scenario_a(ctx: Context) -> ScenarioResult:
    result = ScenarioResult("a", "10k URLs, 50 hosts, 0 ms", "wall ratio <= 2.0")
    unique = 1_000 if ctx.quick else 10_000
    if ctx.quick:
        result.title = "1k URLs, 50 hosts, 0 ms (quick)"
    corpus = ctx.corpus(_links_spec(ctx, "links-a", unique))
    ctx.farm.set_latency(0.0)
    _compare_checks(ctx, result, corpus, Limits(128, 10))
    ratio = paired_ratio(result)
    result.metrics["wall_ratio"] = ratio
    if ratio is not None:
        result.verdict = "met" if ratio <= 2.0 else "not met"
    return result


def scheduling_bound(per_host: dict[str, int], limits: Limits, latency: float) -> float:
    """max(max_h ceil(n_h / C), ceil(N / G)) x latency: no scheduler can finish sooner."""
    total = sum(per_host.values())
    rounds = max(max(math.ceil(n / limits.host_concurrency) for n in per_host.values()), math.ceil(total / limits.max_concurrency))
    return rounds * latency


def scenario_b(ctx: Context) -> ScenarioResult:
    result = ScenarioResult("b", "10k URLs, 50 hosts, 100 ms", "linkcheck wall <= 1.05 x bound and paired ratio <= 1.03")
    unique = 1_000 if ctx.quick else 10_000
    if ctx.quick:
        result.title = "1k URLs, 50 hosts, 100 ms (quick)"
    latency = 0.1
    corpus = ctx.corpus(_links_spec(ctx, "links-a", unique))  # the corpus of (a)
    limits = Limits(128, 10)
    ctx.farm.set_latency(latency)
    try:
        _compare_checks(ctx, result, corpus, limits)
    finally:
        ctx.farm.set_latency(0.0)
    bound = scheduling_bound(corpus.per_host, limits, latency)
    lc_wall = median(_walls(result, LINKCHECK))
    ratio = paired_ratio(result)
    result.metrics.update(bound_s=bound, linkcheck_over_bound=lc_wall / bound if lc_wall else None, wall_ratio=ratio)
    ly_wall = median(_walls(result, LYCHEE))
    if ly_wall:
        result.metrics["lychee_over_bound"] = ly_wall / bound
    if lc_wall is not None:
        within = lc_wall <= 1.05 * bound
        if ratio is None:
            result.verdict = ("met" if within else "not met") + " (bound part only)"
        else:
            result.verdict = "met" if within and ratio <= 1.03 else "not met"
    return result


def scenario_c(ctx: Context) -> ScenarioResult:
    result = ScenarioResult("c", "100k URLs cited 1M times, 2,000 files", "linkcheck peak RSS <= 500 MB")
    if ctx.quick:
        spec = CorpusSpec("memory-quick", 10_000, 100_000, 200, HOSTS, ctx.farm.port)
        result.title = "10k URLs cited 100k times, 200 files (quick, 10x smaller)"
    else:
        spec = CorpusSpec("memory", 100_000, 1_000_000, 2_000, HOSTS, ctx.farm.port)
    corpus = ctx.corpus(spec)
    result.metrics["corpus_mb"] = round(corpus.bytes / 1e6, 1)
    ctx.farm.set_latency(0.0)
    _compare_checks(ctx, result, corpus, Limits(128, 10))
    result.metrics["wall_ratio"] = paired_ratio(result)
    rss = [m.rss_mb for m in result.of(LINKCHECK) if m.exit_code == 0]
    if rss:
        result.verdict = "met" if max(rss) <= 500 else "not met"
    return result


def scenario_d(ctx: Context) -> ScenarioResult:
    result = ScenarioResult("d", "extraction only, ~50 MB Markdown+HTML", "linkcheck MB/s >= 0.2 x lychee's")
    if ctx.quick:
        spec = CorpusSpec("extract-quick", 5_000, 15_000, 50, HOSTS, ctx.farm.port, filler_words=40)
        result.title = "extraction only, ~5 MB Markdown+HTML (quick)"
    else:
        spec = CorpusSpec("extract", 50_000, 150_000, 500, HOSTS, ctx.farm.port, filler_words=40)
    corpus = ctx.corpus(spec)
    megabytes = corpus.bytes / 1e6
    result.metrics["corpus_mb"] = round(megabytes, 1)
    folder = ctx.work / "runs" / "d"
    folder.mkdir(parents=True, exist_ok=True)
    for run in range(ctx.runs):
        for tool in _order(run, ctx.tools.lychee is not None):
            out, err = folder / f"{tool}-{run}.out", folder / f"{tool}-{run}.err"
            argv = linkcheck_extract(ctx.tools, corpus.root) if tool == LINKCHECK else lychee_dump(ctx.tools, corpus.root)
            cwd = folder / f"cwd-{tool}-{run}"
            if cwd.exists():
                shutil.rmtree(cwd)
            child = run_measured(argv, launcher=ctx.tools.launcher, env=base_env(), cwd=cwd, stdout=out, stderr=err)
            verify = verify_linkcheck_extract if tool == LINKCHECK else verify_lychee_dump
            problems = verify(out, corpus.unique_urls, spec.citations)
            if child.exit_code != 0:
                problems.insert(0, f"exit code {child.exit_code} (stderr: {_tail(err)})")
            m = Measurement("d", tool, run, child.wall, child.cpu, child.rss_mb, child.exit_code, problems, None, {"phase": None, "mb_s": megabytes / child.wall})
            result.measurements.append(m)
            line = f"  d run {run} {tool}: wall {child.wall:.2f}s ({megabytes / child.wall:.1f} MB/s) cpu {child.cpu:.2f}s rss {child.rss_mb:.0f}MB"
            ctx.log(line + (f"  PROBLEMS: {'; '.join(problems)}" if problems else ""))
    lc, ly = median(_walls(result, LINKCHECK)), median(_walls(result, LYCHEE))
    result.metrics["linkcheck_mb_s"] = megabytes / lc if lc else None
    result.metrics["lychee_mb_s"] = megabytes / ly if ly else None
    result.metrics["wall_ratio"] = paired_ratio(result)
    if lc and ly:
        result.verdict = "met" if megabytes / lc >= 0.2 * megabytes / ly else "not met"
    return result


def scenario_e(ctx: Context) -> ScenarioResult:
    result = ScenarioResult("e", "(a) again from history/cache", "zero requests and wall <= 10% of the first run")
    help_text = linkcheck_help(ctx.tools)
    available = "--max-age" in help_text and "--archive-dir" in help_text
    unique = 1_000 if ctx.quick else 10_000
    corpus = ctx.corpus(_links_spec(ctx, "links-a", unique))
    limits = Limits(128, 10)
    ctx.farm.set_latency(0.0)
    if not available:
        result.verdict = "not available yet"
        result.notes.append("linkcheck check has no --max-age/--archive-dir yet: (e) not available yet for linkcheck; lychee --cache shown for reference")
    tools = ([LINKCHECK] if available else []) + ([LYCHEE] if ctx.tools.lychee else [])
    folder = ctx.work / "runs" / "e"
    for run in range(ctx.runs):
        order = tools if run % 2 == 0 else tools[::-1]
        for tool in order:
            state = folder / f"state-{tool}-{run}"
            if state.exists():
                shutil.rmtree(state)
            state.mkdir(parents=True)
            if tool == LINKCHECK:
                archive = str(state / "archive")
                first, second = ["--archive-dir", archive], ["--max-age", "1h", "--archive-dir", archive]
            else:  # lychee keeps .lycheecache in its working folder
                first, second = ["--cache"], ["--cache", "--max-cache-age", "1h"]
            result.measurements.append(_check_run(ctx, result, tool, run, corpus, limits, phase="first", extra=first, cwd=state))
            second_run = _check_run(ctx, result, tool, run, corpus, limits, phase="cached", extra=second, cwd=state)
            if second_run.requests:
                second_run.problems.append(f"{second_run.requests} requests reached the farm (expected 0)")
            result.measurements.append(second_run)
    for tool in tools:
        first_wall, cached_wall = median(_walls(result, tool, "first")), median(_walls(result, tool, "cached"))
        if first_wall and cached_wall:
            result.metrics[f"{tool}_cached_over_first"] = cached_wall / first_wall
        result.metrics[f"{tool}_cached_requests"] = max((m.requests or 0 for m in result.of(tool, "cached")), default=None)
    if available:
        cached_runs = result.of(LINKCHECK, "cached")
        fraction = result.metrics.get(f"{LINKCHECK}_cached_over_first")
        zero = bool(cached_runs) and all(m.requests == 0 for m in cached_runs)
        result.verdict = "met" if zero and fraction is not None and fraction <= 0.10 else "not met"
    return result


SCENARIOS: dict[str, Callable[[Context], ScenarioResult]] = {
    "a": scenario_a,
    "b": scenario_b,
    "c": scenario_c,
    "d": scenario_d,
    "e": scenario_e,
}
