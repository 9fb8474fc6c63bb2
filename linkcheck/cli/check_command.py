"""`linkcheck check`: read the documents, check every cited URL, report, pick the exit code."""

from __future__ import annotations

import time
from typing import Any

import click

from linkcheck.cli.app import cli
from linkcheck.cli.common import EXIT_BROKEN, EXIT_OK, _error, _exit_codes, _settings, shared_options
from linkcheck.cli.outputs import _render, _report_targets
from linkcheck.cli.progress import _progress
from linkcheck.cli.runlog import _RunLog
from linkcheck.config import DEFAULT_HOST_CONCURRENCY, DEFAULT_MAX_CONCURRENCY
from linkcheck.errors import Interrupted, UsageError
from linkcheck.inputs import resolve_inputs
from linkcheck.pipeline import check_paths
from linkcheck.report import known_formats


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@shared_options
@click.option("--format", "formats", multiple=True, metavar="FMT[:FILE]", help=f"Report format, repeatable: {', '.join(known_formats())}. Add :FILE to write it to a file (- is stdout).")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the (single) report format to this file (- is stdout; a device or FIFO is written in place, never replaced).")
@click.option("--max-concurrency", type=click.IntRange(min=1), help=f"Requests in flight at once, all hosts [default: {DEFAULT_MAX_CONCURRENCY}].")
@click.option("--host-concurrency", type=click.IntRange(min=1), help=f"Requests in flight at once to one host [default: {DEFAULT_HOST_CONCURRENCY}].")
@click.option("--host-interval", metavar="DURATION", help="Minimum time between requests to one host, e.g. 100ms.")
@click.option("--max-retries", type=click.IntRange(min=0), help="Retries of a transient failure.")
@click.option("--timeout", metavar="DURATION", help="Time to wait for each read from a server.")
@click.option("--fail-on", metavar="STATUS,...", help="Statuses that fail the run (default: dead,error,soft404,parked,fragment_missing,invalid).")
@click.option("--exclude", multiple=True, metavar="REGEX", help="Skip URLs matching this regex (repeatable).")
@click.option("--include", multiple=True, metavar="REGEX", help="Only check URLs matching this regex (repeatable).")
@click.option("--exclude-path", multiple=True, metavar="GLOB", help="Skip files and folders matching this glob (repeatable), relative to a PATH (drafts/**) or as reports show them (docs/drafts/**).")
@click.option("--include-code", is_flag=True, default=None, help="Also check URLs in code spans and code blocks.")
@click.option("--user-agent", help="User-Agent header to send.")
@click.option("--header", "headers", multiple=True, metavar="'NAME: VALUE'", help="Header sent to every host (repeatable); a secret belongs in config.toml's [hosts.\"NAME\"].headers, sent to that host only.")
@click.option("--remap", multiple=True, metavar="'REGEX REPLACEMENT'", help="Rewrite cited URLs before checking (repeatable), e.g. 'https://old.example/(.*) https://new.example/\\1'.")
@click.option("--base", metavar="URL", help="Check root-relative links (/docs/x) as web links under this URL.")
@click.option("--root-dir", metavar="DIR", help="Resolve root-relative links (/docs/x) as files under this folder.")
@click.option("--accept", metavar="CODES", help="HTTP codes that count as alive, e.g. 200-299,429.")
@click.option("--verbose", "-v", is_flag=True, default=None, help="List every result, not only those that need attention.")
@click.option("--archive", "archive_enabled", is_flag=True, default=None, help="Capture every live citation into the archive (WARC).")
@click.option("--requisites", is_flag=True, default=None, help="With --archive: also capture the stylesheets, images and scripts of pages.")
@click.option("--capture", "capture_mode", type=click.Choice(["http", "browser"]), default=None, help="With --archive: http (one GET per hop) or browser (headless Chromium: every response the page makes and a screenshot) [default: archive.capture, http].")
@click.option("--archive-dir", metavar="DIR", help="Archive folder: snapshots and the run history [default: archive].")
@click.option("--max-age", metavar="DURATION", help="Reuse live results from history younger than this, e.g. 12h.")
@click.option("--confirm", metavar="N/SPAN", help="Count a failure as broken only after N checks over SPAN, e.g. 3/72h.")
@click.option("--no-history", "no_history", is_flag=True, default=None, help="Do not read or write the run history.")
@click.option("--lock-timeout", metavar="DURATION", help="How long to wait for another run using the same archive folder.")
@click.option("--log-file", type=click.Path(dir_okay=False), help="Append a log of the run (notices, broken citations, summary) to this file.")
@click.option("--host-stats", is_flag=True, default=None, help="Print per-host requests, retries, 429s and mean latency on stderr.")
@click.option("--allow-private", is_flag=True, default=None, help="Also check loopback, private, link-local and reserved addresses (intranet documentation); refused by default.")
@click.option("--ray", metavar="ADDRESS", help="Check on a Ray cluster (pip install 'linkcheck[distributed]'): local (a throwaway cluster on this machine), auto (the cluster this machine is in) or ray://HOST:PORT.")
@click.option("--allow-empty", is_flag=True, help="Exit 0 when PATHS hold no supported document (by default that is exit 2: a wrong path must not pass CI).")
@click.option("--respect-robots", is_flag=True, default=None, help="Skip URLs the site's robots.txt disallows (off by default: a citation is not a crawl).")
@click.option("--offline-suggestions", is_flag=True, default=None, help="Find archived copies for broken citations only in the local archive and the documents themselves.")
@click.option("--baseline", "baseline_file", metavar="FILE", type=click.Path(dir_okay=False), help="Known-broken citations (linkcheck baseline write): still reported, but only new breakage fails the run.")
@click.option("--changed-since", metavar="REF", help="Check only citations in files changed since git REF (its commits, uncommitted and untracked files).")
@_exit_codes
def check(
    paths: tuple[str, ...],
    config_file: str | None,
    quiet: bool,
    debug: bool,
    formats: tuple[str, ...],
    output: str | None,
    log_file: str | None,
    baseline_file: str | None,
    changed_since: str | None,
    allow_empty: bool,
    **flags: Any,
) -> int:
    """Find every cited URL under PATHS, check it, report, and exit 1 if any is broken.

    PATHS are files and folders, `-` (a document on standard input) or web pages
    (https://…: the links of the page, fetched through the same guard). Folders are walked (hidden folders and .gitignored
    files skipped). Read: Markdown, HTML, plain text, reStructuredText, AsciiDoc,
    LaTeX, BibTeX, RIS, CSL-JSON, wikitext, Jupyter notebooks, PDF, DOCX and EPUB.
    Every check is recorded in the archive folder's history; the report says what
    is new since the last run over the same PATHS.

    \b
    Exit codes: 0 nothing broken, 1 broken citations, 2 usage or config error,
    3 network unavailable, 4 internal error, 5 archive folder busy, 130 interrupted.

    \b
    Examples:
      linkcheck check docs/
      linkcheck check --archive docs/
      linkcheck check --format json -o report.json .
      linkcheck check --max-concurrency 16 --host-interval 200ms --exclude 'localhost' README.md
    """
    from linkcheck.baseline import apply_baseline, load_baseline
    from linkcheck.gitchanges import changed_files

    if flags.pop("no_history", None):
        flags["history_enabled"] = False
    if changed_since:
        flags["history_enabled"] = False  # a partial run must not read as removed URLs in the next diff
    settings = _settings(config_file, flags)
    targets = _report_targets(formats or tuple(settings.report.format), output or settings.report.output)
    known = load_baseline(baseline_file) if baseline_file else None
    only = changed_files(changed_since, paths) if changed_since else None
    started = time.monotonic()
    log = _RunLog(log_file)
    try:
        with resolve_inputs(paths, settings) as inputs, _progress(quiet, settings.fail_on) as progress:
            report = check_paths(
                inputs, settings, only=only, on_total=progress.total, on_result=progress.result, on_message=_error
            )
    except Interrupted as exc:
        if exc.report is not None:
            _render(exc.report, settings, targets, time.monotonic() - started, quiet)
            log.report(exc.report, settings)
        raise
    _render(report, settings, targets, time.monotonic() - started, quiet)
    log.report(report, settings)
    if report.documents == 0 and only is None and not allow_empty:
        raise UsageError(f"no supported document under {' '.join(paths)}; --allow-empty accepts that")
    if known is not None:
        outcome = apply_baseline(report, known, settings.fail_on)
        if not quiet:
            _error(outcome.summary())
        return EXIT_BROKEN if outcome.failed else EXIT_OK
    return EXIT_BROKEN if report.broken(settings.fail_on, drift=settings.fail_on_drift) else EXIT_OK
