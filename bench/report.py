"""The benchmark's one table (printed) and the same numbers as JSON (bench/.work/results.json)."""

from __future__ import annotations

import json
import platform
import statistics
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from scenarios import LINKCHECK, LYCHEE, ScenarioResult, median, paired_ratio

COLUMNS = ["scenario", "tool", "ok runs", "wall s", "CPU s", "peak RSS MB", "requests", "note"]


def _phases(result: ScenarioResult) -> list[Any]:
    seen: list[Any] = []
    for m in result.measurements:
        if m.extra.get("phase") not in seen:
            seen.append(m.extra.get("phase"))
    return seen or [None]


def tool_row(result: ScenarioResult, tool: str, phase: str | None) -> dict[str, Any] | None:
    runs = result.of(tool, phase)
    if not runs:
        return None
    good = [m for m in runs if m.ok]
    counted = good or runs  # when every run failed, still show what happened (flagged)
    row: dict[str, Any] = {
        "scenario": result.key,
        "tool": tool + (f" ({phase})" if phase else ""),
        "ok_runs": f"{len(good)}/{len(runs)}",
        "wall_s": median([m.wall for m in counted]),
        "cpu_s": median([m.cpu for m in counted]),
        "peak_rss_mb": max(m.rss_mb for m in counted),
        "requests": median([m.requests for m in counted if m.requests is not None]),
        "note": "",
        "problems": sorted({p for m in runs for p in m.problems}),
    }
    mb_s = [m.extra["mb_s"] for m in counted if "mb_s" in m.extra]
    if mb_s:
        row["note"] = f"{statistics.median(mb_s):.1f} MB/s"
    connections = [m.extra["connections"] for m in counted if m.extra.get("connections") is not None]
    in_flight = [m.extra["peak_in_flight"] for m in counted if m.extra.get("peak_in_flight") is not None]
    if connections and in_flight:
        row["connections"] = median(connections)
        row["peak_in_flight"] = max(in_flight)
        row["note"] = f"{median(connections):.0f} conns"
        if any(m.extra.get("latency") for m in counted):  # at 0 ms every answer is immediate: 1 in flight
            row["note"] += f", <= {max(in_flight)} in flight"
    if not good:
        row["note"] = (row["note"] + " FAILED").strip()
    return row


def ratio_row(result: ScenarioResult, phase: str | None) -> dict[str, Any] | None:
    lc = [m for m in result.of(LINKCHECK, phase) if m.ok]
    ly = [m for m in result.of(LYCHEE, phase) if m.ok]
    if not lc or not ly:
        return None
    cpu_lc, cpu_ly = median([m.cpu for m in lc]) or 0.0, median([m.cpu for m in ly]) or 0.0
    return {
        "scenario": result.key,
        "tool": "linkcheck/lychee" + (f" ({phase})" if phase else ""),
        "wall_ratio": paired_ratio(result, phase),
        "cpu_ratio": cpu_lc / cpu_ly if cpu_ly else None,
        "rss_ratio": max(m.rss_mb for m in lc) / max(m.rss_mb for m in ly),
    }


def _fmt(value: object, digits: int = 2) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _metrics_text(result: ScenarioResult) -> str:
    parts = []
    for key, value in result.metrics.items():
        if key == "wall_ratio":
            continue
        parts.append(f"{key}={_fmt(value)}")
    return ", ".join(parts)


def render(results: list[ScenarioResult], header: list[str]) -> str:
    """The table: one row per tool (and phase), a ratio row, then the goal and its verdict."""
    body: list[list[str] | str] = []  # a list is a table row, a str spans the table
    flagged: list[str] = []
    for result in results:
        body.append(f"({result.key}) {result.title}")
        phases = _phases(result)
        if result.verdict == "not available yet":
            body.append([result.key, LINKCHECK, "-", "-", "-", "-", "-", "not available yet"])
        for phase in phases:
            for tool in (LINKCHECK, LYCHEE):
                row = tool_row(result, tool, phase)
                if row is None:
                    continue
                body.append([result.key, str(row["tool"]), str(row["ok_runs"]), _fmt(row["wall_s"]), _fmt(row["cpu_s"]), _fmt(row["peak_rss_mb"], 0), _fmt(row["requests"], 0), str(row["note"])])
                flagged.extend(f"({result.key}) {row['tool']}: {problem}" for problem in row["problems"])
            ratio = ratio_row(result, phase)
            if ratio is not None:
                body.append([result.key, str(ratio["tool"]), "", "x" + _fmt(ratio["wall_ratio"]), "x" + _fmt(ratio["cpu_ratio"]), "x" + _fmt(ratio["rss_ratio"]), "", "wall: median of per-run ratios"])
        body.append(f"    goal: {result.goal}  ->  {result.verdict.upper()}")
        metrics = _metrics_text(result)
        if metrics:
            body.append(f"    {metrics}")
        flagged.extend(f"({result.key}) {note}" for note in result.notes)
        body.append("")
    rows = [line for line in body if isinstance(line, list)]
    widths = [max([len(COLUMNS[i])] + [len(row[i]) for row in rows]) for i in range(len(COLUMNS))]

    def line_of(cells: list[str]) -> str:
        text = [cell.ljust(widths[i]) if i in (0, 1, len(cells) - 1) else cell.rjust(widths[i]) for i, cell in enumerate(cells)]
        return "  ".join(text).rstrip()

    out = [*header, line_of(COLUMNS), "-" * (sum(widths) + 2 * (len(widths) - 1))]
    out.extend(line_of(line) if isinstance(line, list) else line for line in body)
    if flagged:
        out.append("Notes and flagged runs (a flagged run is left out of the medians):")
        out.extend(f"  {note}" for note in flagged)
    return "\n".join(out)


def to_json(results: list[ScenarioResult], meta: dict[str, object]) -> dict[str, object]:
    scenarios = []
    for result in results:
        rows = []
        for phase in _phases(result):
            for tool in (LINKCHECK, LYCHEE):
                row = tool_row(result, tool, phase)
                if row is not None:
                    rows.append(row)
            ratio = ratio_row(result, phase)
            if ratio is not None:
                rows.append(ratio)
        scenarios.append(
            {
                "key": result.key,
                "title": result.title,
                "goal": result.goal,
                "verdict": result.verdict,
                "metrics": result.metrics,
                "notes": result.notes,
                "rows": rows,
                "runs": [asdict(m) for m in result.measurements],
            }
        )
    return {"meta": meta, "scenarios": scenarios}


def write_json(path: Path, results: list[ScenarioResult], meta: dict[str, object]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(to_json(results, meta), indent=1, default=str) + "\n", encoding="utf-8")


def meta(tools_note: str, args: dict[str, object]) -> dict[str, object]:
    return {
        "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": __import__("os").cpu_count(),
        "lychee": tools_note or "lychee 0.24.2",
        "args": args,
    }
