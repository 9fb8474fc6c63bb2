"""`linkcheck baseline write`: record the citations broken today, so CI fails only on new ones."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from linkcheck.baseline import (
    DEFAULT_BASELINE_FILE,
    Baseline,
    baseline_from_json_report,
    baseline_from_report,
    write_baseline,
)
from linkcheck.cli.app import cli
from linkcheck.cli.common import EXIT_OK, _error, _exit_codes, _settings, shared_options
from linkcheck.errors import InputError, UsageError
from linkcheck.outfile import check_writable
from linkcheck.pipeline import check_paths


@click.group()
def baseline() -> None:
    """Known-broken citations, so CI fails only on new breakage (`check --baseline FILE`).

    \b
    Examples:
      linkcheck baseline write docs/
      linkcheck baseline write --from linkcheck.json --output linkcheck-baseline.json
    """


@baseline.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--from", "from_report", metavar="REPORT.json", help="Take the broken citations from this JSON report (--format json) instead of checking; - reads stdin.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=DEFAULT_BASELINE_FILE, show_default=True, help="Baseline file to write.")
@click.option("--fail-on", metavar="STATUS,...", help="Statuses that count as broken (default: dead,error,soft404,parked,fragment_missing,invalid).")
@click.option("--exclude", multiple=True, metavar="REGEX", help="Skip URLs matching this regex (repeatable).")
@click.option("--include", multiple=True, metavar="REGEX", help="Only check URLs matching this regex (repeatable).")
@click.option("--exclude-path", multiple=True, metavar="GLOB", help="Skip files and folders matching this glob (repeatable), relative to a PATH (drafts/**) or as reports show them (docs/drafts/**).")
@click.option("--max-concurrency", type=click.IntRange(min=1), help="Requests in flight at once, all hosts.")
@click.option("--host-concurrency", type=click.IntRange(min=1), help="Requests in flight at once to one host.")
@click.option("--host-interval", metavar="DURATION", help="Minimum time between requests to one host, e.g. 100ms.")
@click.option("--max-retries", type=click.IntRange(min=0), help="Retries of a transient failure.")
@shared_options
@_exit_codes
def write(
    paths: tuple[str, ...],
    from_report: str | None,
    output: str,
    config_file: str | None,
    quiet: bool,
    debug: bool,
    **flags: Any,
) -> int:
    """Write the citations broken now under PATHS (or in a JSON report) to a baseline file.

    The baseline lists each broken citation as file + URL (+ status, for the reader),
    sorted, one per line, so it diffs well in review. With `check --baseline FILE`,
    citations in it are reported as known and do not fail the run; any other broken
    citation does. A citation matches by file and URL, not line, so moving it inside
    its file keeps it known. Checking PATHS here records nothing in the run history.
    Write and use the baseline from the same folder (paths in it are as typed there).

    \b
    Examples:
      linkcheck baseline write docs/ README.md
      linkcheck check --format json:linkcheck.json docs/; linkcheck baseline write --from linkcheck.json
      linkcheck baseline write -o .linkcheck/baseline.json --exclude-path 'drafts/**' docs/
    """
    if from_report is not None and paths:
        raise UsageError("give either --from REPORT.json or PATHs to check, not both")
    if from_report is None and not paths:
        raise UsageError("give PATHs to check, or --from REPORT.json (a report written with --format json)")
    flags["history_enabled"] = False
    settings = _settings(config_file, flags)
    check_writable(output, "the baseline")  # before checking, not after
    if from_report is not None:
        if any(value not in (None, ()) for name, value in flags.items() if name not in ("fail_on", "history_enabled")):
            raise UsageError("--from reads a finished report: the checking options do not apply")
        known = baseline_from_json_report(_read_json(from_report), settings.fail_on, source=from_report)
    else:
        known = baseline_from_report(check_paths(paths, settings, on_message=_error), settings.fail_on)
    write_baseline(known, output)
    if not quiet:
        _error(_summary(known, output))
    return EXIT_OK


def _read_json(source: str) -> Any:
    try:
        if source == "-":
            text = sys.stdin.read()
        else:
            with open(source, encoding="utf-8") as handle:
                text = handle.read()
    except FileNotFoundError:
        raise InputError(f"{source}: no such report file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{source}: cannot read the report: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{source}: not a JSON report (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None


def _summary(known: Baseline, output: str) -> str:
    urls = len({entry.url for entry in known.entries})
    noun = "citation" if len(known) == 1 else "citations"
    return f"wrote {len(known)} known broken {noun} ({urls} URL{'' if urls == 1 else 's'}) to {output}"


cli.add_command(baseline)
