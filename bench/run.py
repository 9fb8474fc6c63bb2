"""linkcheck beside lychee: one command runs the scenarios and prints one table.

    python bench/run.py                       # every scenario, 3 runs each
    python bench/run.py --scenarios a,b --runs 5
    python bench/run.py --quick               # small smoke version, under a minute

Everything is written under bench/.work/ (git-ignored): the lychee venv, the corpora,
each run's reports and logs, and results.json. See bench/README.md.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from farm import FarmError, FarmProcess  # noqa: E402
from report import meta, render, write_json  # noqa: E402
from runners import prepare_tools  # noqa: E402
from scenarios import HOSTS, SCENARIOS, Context  # noqa: E402

WORK = HERE / ".work"
FARM_LIFETIME = 4 * 3600.0  # the farm exits by itself after this, whatever happens here


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Benchmark linkcheck beside lychee on a loopback web farm.")
    parser.add_argument("--scenarios", default="a,b,c,d,e", help="comma-separated subset of a,b,c,d,e (default: all)")
    parser.add_argument("--runs", type=int, default=None, help="runs per tool and scenario (default 3; 1 with --quick)")
    parser.add_argument("--quick", action="store_true", help="small smoke version (10x smaller corpora, 1 run)")
    args = parser.parse_args(argv)
    keys = [key.strip() for key in args.scenarios.split(",") if key.strip()]
    unknown = [key for key in keys if key not in SCENARIOS]
    if unknown or not keys:
        parser.error(f"unknown scenario(s) {', '.join(unknown) or '(none)'}; choose from {', '.join(SCENARIOS)}")
    args.keys = keys
    if args.runs is None:
        args.runs = 1 if args.quick else 3
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    WORK.mkdir(parents=True, exist_ok=True)
    tools = prepare_tools(WORK, log)
    if tools.lychee_note:
        log(tools.lychee_note)
    results = []
    try:
        with FarmProcess(HOSTS, lifetime=FARM_LIFETIME, python=tools.farm_python) as farm:
            log(f"farm: {HOSTS} hosts 127.0.1.1-127.0.1.{HOSTS} port {farm.port} (pid {farm.pid}, {'uvloop' if tools.farm_python != sys.executable else 'asyncio'})")
            ctx = Context(tools, farm, WORK, args.runs, args.quick, log)
            for key in args.keys:
                log(f"scenario ({key}) ...")
                results.append(SCENARIOS[key](ctx))
    except FarmError as exc:
        log(f"bench: {exc}")
        return 2
    except KeyboardInterrupt:
        log("bench: interrupted; reporting the scenarios that finished")
    header = [
        f"linkcheck vs {'lychee 0.24.2' if tools.lychee else 'nothing (' + tools.lychee_note + ')'}"
        f"; {args.runs} run(s) per tool, alternating; medians; {'quick' if args.quick else 'full'} sizes; {time.monotonic() - started:.0f}s in all",
    ]
    print(render(results, header))
    write_json(WORK / "results.json", results, meta(tools.lychee_note, {"scenarios": args.keys, "runs": args.runs, "quick": args.quick}))
    log(f"written {WORK / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
