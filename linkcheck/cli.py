"""The command line: parse options, call the library, render, pick the exit code. Nothing else.

Exit codes (README's Results section) are decided in one place, `_exit_codes`.
"""

from __future__ import annotations

import functools
import importlib
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO, TypeVar

import click

from linkcheck._version import __version__
from linkcheck.check.loop import raise_gc_threshold
from linkcheck.config import (
    DEFAULT_HOST_CONCURRENCY,
    DEFAULT_MAX_CONCURRENCY,
    Settings,
    load_settings,
)
from linkcheck.errors import ArchiveBusy, Interrupted, LinkcheckError, NetworkUnavailable, UsageError
from linkcheck.models import Report, Result, Status
from linkcheck.inputs import resolve_inputs
from linkcheck.outfile import check_writable, is_stdout, write_safely
from linkcheck.pipeline import check_paths, extract_paths
from linkcheck.report import ReportOptions, known_formats, writer

EXIT_OK = 0
EXIT_BROKEN = 1
EXIT_USAGE = 2
EXIT_NETWORK = 3
EXIT_INTERNAL = 4
EXIT_BUSY = 5
EXIT_INTERRUPTED = 130

F = TypeVar("F", bound=Callable[..., Any])


def _exit_codes(command: F) -> F:
    """Map every outcome of a command to an exit code and one clear line on stderr."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        debug = bool(kwargs.get("debug"))
        try:
            code = command(*args, **kwargs)
        except ArchiveBusy as exc:  # before UsageError: a locked archive is a usage error too
            _error(str(exc))
            code = EXIT_BUSY
        except UsageError as exc:
            _error(str(exc))
            code = EXIT_USAGE
        except NetworkUnavailable as exc:
            _error(str(exc))
            code = EXIT_NETWORK
        except BrokenPipeError:
            # `linkcheck ... | head`: the reader left; say nothing more (Python's documented recipe).
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            code = EXIT_BROKEN
        except (Interrupted, KeyboardInterrupt):
            _error("interrupted")
            code = EXIT_INTERRUPTED
        except LinkcheckError as exc:  # pragma: no cover - every subclass is handled above
            _error(str(exc))
            code = EXIT_INTERNAL
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as exc:  # noqa: BLE001 - the one place a bug becomes exit 4
            if debug:
                traceback.print_exc()
            _error(f"internal error: {type(exc).__name__}: {exc} (this is a bug; --debug shows the traceback)")
            code = EXIT_INTERNAL
        sys.exit(code or EXIT_OK)

    return wrapper  # type: ignore[return-value]


def _error(message: str) -> None:
    click.echo(f"linkcheck: {message}", err=True)


def shared_options(command: F) -> F:
    """Options every command takes, spelled the same everywhere."""
    options = [
        click.option("--config", "config_file", type=click.Path(dir_okay=False), help="config.toml to read (default: ./config.toml if present)."),
        click.option("--quiet", "-q", is_flag=True, help="Print only the report: no progress, no notices."),
        click.option("--debug", is_flag=True, help="Show tracebacks of internal errors."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


class _LazyGroup(click.Group):
    """Commands that live in their own modules are imported only when asked for: every
    run of `check` from cron or CI pays for what it imports."""

    lazy = {
        "archive": "linkcheck.cli_archive",
        "baseline": "linkcheck.cli_baseline",
        "fix": "linkcheck.cli_fix",
        "history": "linkcheck.cli_history",
        "report": "linkcheck.cli_history",
        "runs": "linkcheck.cli_history",
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            module = importlib.import_module(self.lazy[cmd_name])  # the module registers its commands
            if cmd_name not in self.commands:
                self.add_command(getattr(module, cmd_name))
        return super().get_command(ctx, cmd_name)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", prog_name="linkcheck")
def cli() -> None:
    """Keep cited sources alive: find every cited URL in your documents and check it.

    \b
    Examples:
      linkcheck check docs/
      linkcheck check --format json:report.json --format terminal paper/ notes.md
      linkcheck extract README.md --format csv
    """


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
@click.option("--archive-dir", metavar="DIR", help="Archive folder: snapshots and the run history [default: archive].")
@click.option("--max-age", metavar="DURATION", help="Reuse live results from history younger than this, e.g. 12h.")
@click.option("--confirm", metavar="N/SPAN", help="Count a failure as broken only after N checks over SPAN, e.g. 3/72h.")
@click.option("--no-history", "no_history", is_flag=True, default=None, help="Do not read or write the run history.")
@click.option("--lock-timeout", metavar="DURATION", help="How long to wait for another run using the same archive folder.")
@click.option("--log-file", type=click.Path(dir_okay=False), help="Append a log of the run (notices, broken citations, summary) to this file.")
@click.option("--host-stats", is_flag=True, default=None, help="Print per-host requests, retries, 429s and mean latency on stderr.")
@click.option("--allow-private", is_flag=True, default=None, help="Also check loopback, private, link-local and reserved addresses (intranet documentation); refused by default.")
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


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@shared_options
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True, help="Output format.")
@click.option("--include-code", is_flag=True, default=None, help="Also list URLs in code spans and code blocks.")
@click.option("--exclude-path", multiple=True, metavar="GLOB", help="Skip files and folders matching this glob (repeatable), relative to a PATH (drafts/**) or as reports show them (docs/drafts/**).")
@_exit_codes
def extract(paths: tuple[str, ...], config_file: str | None, quiet: bool, debug: bool, fmt: str, **flags: Any) -> int:
    """List every link under PATHS with its locations, without any network access.

    \b
    Examples:
      linkcheck extract docs/
      linkcheck extract --format json paper.md > links.json
    """
    from linkcheck.report.extract_listing import write_listing

    settings = _settings(config_file, flags)
    extraction = extract_paths(paths, settings)
    if not quiet:
        for notice in extraction.notices:
            _error(str(notice))
    write_listing(extraction, fmt, sys.stdout)
    return EXIT_OK


_FLAG_KEYS = {
    "max_concurrency": "check.max_concurrency",
    "host_concurrency": "check.host_concurrency",
    "host_interval": "check.host_interval",
    "max_retries": "check.retries",
    "timeout": "check.read_timeout",
    "fail_on": "report.fail_on",
    "exclude": "urls.exclude",
    "include": "urls.include",
    "exclude_path": "files.exclude",
    "include_code": "files.include_code",
    "user_agent": "check.user_agent",
    "headers": "check.headers",
    "remap": "urls.remap",
    "base": "urls.base",
    "root_dir": "files.root_dir",
    "accept": "check.accept",
    "verbose": "report.verbose",
    "archive_dir": "archive.path",
    "archive_enabled": "archive.enabled",
    "requisites": "archive.requisites",
    "max_age": "history.max_age",
    "confirm": "history.confirm",
    "history_enabled": "history.enabled",
    "lock_timeout": "archive.lock_timeout",
    "offline_suggestions": "rot.offline_suggestions",
    "host_stats": "report.host_stats",
    "respect_robots": "check.respect_robots",
    "allow_private": "network.allow_private",
}


def _settings(config_file: str | None, flags: dict[str, Any]) -> Settings:
    overrides = {_FLAG_KEYS[name]: (list(value) if isinstance(value, tuple) else value) for name, value in flags.items()}
    overrides = {key: value for key, value in overrides.items() if value not in (None, [])}
    return load_settings(config_file, overrides=overrides)


def _report_targets(formats: tuple[str, ...] | list[str], output: str) -> list[tuple[str, str | None]]:
    targets: list[tuple[str, str | None]] = []
    for spec in formats:
        name, _, file = spec.partition(":")
        if name not in known_formats():
            raise UsageError(f"unknown report format {name!r} (known: {', '.join(known_formats())})")
        targets.append((name, file or None))
    if output:
        if len(targets) != 1:
            raise UsageError("--output goes with exactly one --format; use --format FMT:FILE for several")
        targets = [(targets[0][0], output)]
    targets = [(name, None if is_stdout(file) else file) for name, file in targets]
    if sum(1 for _, file in targets if file is None) > 1:
        raise UsageError("only one report format can go to stdout; give the others a file (--format FMT:FILE)")
    for _, file in targets:
        if file is not None:
            check_writable(file, "report")  # before the run, not after an hour of checking
    return targets


def _render(report: Report, settings: Settings, targets: list[tuple[str, str | None]], elapsed: float, quiet: bool) -> None:
    if not quiet:
        for notice in report.notices:
            _error(str(notice))
    if settings.report.host_stats and report.host_stats:
        _print_host_stats(report.host_stats)
    for name, file in targets:
        options = ReportOptions(
            fail_on=settings.fail_on,
            fail_on_drift=settings.fail_on_drift,
            verbose=settings.report.verbose,
            quiet=quiet,
            color=file is None and _wants_color(sys.stdout),
            elapsed=elapsed,
        )
        if file is None:
            writer(name)(report, sys.stdout, options)
            sys.stdout.flush()
        else:
            write_safely(file, lambda stream: writer(name)(report, stream, options), what="report")
    if not quiet and all(file is not None for _, file in targets):
        _print_summary(report, settings, [file for _, file in targets if file is not None])


def _print_summary(report: Report, settings: Settings, files: list[str]) -> None:
    """Every report went to a file: one line on stderr still says how the run went."""
    from linkcheck.report.terminal import summary_line

    summary = summary_line(report, ReportOptions(fail_on=settings.fail_on, fail_on_drift=settings.fail_on_drift)).plain.replace("\n", " ")
    _error(f"{summary} (report: {', '.join(files)})")


def _wants_color(stream: TextIO) -> bool:
    return stream.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


def _print_host_stats(stats: dict[str, dict[str, float]]) -> None:
    """`--host-stats`: politeness made visible, on stderr so stdout stays the report."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Requests per host", box=None, pad_edge=False, header_style="bold")
    for column in ("Host", "Requests", "Retries", "429s", "Soft-404 probes", "Mean latency"):
        table.add_column(column, justify="left" if column == "Host" else "right")
    for host, row in stats.items():
        table.add_row(
            host, str(int(row["requests"])), str(int(row["retries"])), str(int(row["throttled"])),
            str(int(row.get("probes", 0))), f"{row['mean_latency'] * 1000:.0f} ms",
        )  # fmt: skip
    Console(stderr=True, highlight=False, soft_wrap=True).print(table)


class _RunLog:
    """`--log-file`: an appended, timestamped record of each run, for unattended use."""

    def __init__(self, path: str | None) -> None:
        self.path = path

    def report(self, report: Report, settings: Settings) -> None:
        if self.path is None:
            return
        from linkcheck.report.terminal import safe, summary_line

        stamp = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        lines = [f"{stamp} notice {safe(str(notice))}" for notice in report.notices]
        for result in report.broken(settings.fail_on):
            for location in result.locations:
                lines.append(f"{stamp} broken {safe(location.file)} {location.where()} {result.status.value} {safe(result.url)} {safe(result.error or '')}")
        summary = summary_line(report, ReportOptions(fail_on=settings.fail_on, fail_on_drift=settings.fail_on_drift)).plain.replace("\n", " ")
        lines.append(f"{stamp} summary {summary}")
        try:
            with open(self.path, "a", encoding="utf-8") as handle:
                handle.write("\n".join(lines) + "\n")
        except OSError as exc:
            _error(f"cannot write the log file {self.path}: {exc.strerror or exc}")


class _Progress:
    """Progress on stderr: indeterminate until the number of URLs is known, failures above the bar."""

    def __init__(self, enabled: bool, fail_on: frozenset[Status]) -> None:
        self.bar: Any = None
        self.task: Any = None
        self.fail_on = fail_on
        if enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            self.bar = Progress(
                SpinnerColumn(),
                TextColumn("[progress.description]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self.task = self.bar.add_task("Extracting links", total=None)

    def total(self, count: int) -> None:
        if self.bar is not None:
            self.bar.update(self.task, total=count, description="Checking")

    def result(self, result: Result) -> None:
        if self.bar is None:
            return
        from linkcheck.report.terminal import safe

        self.bar.advance(self.task)
        if result.status in self.fail_on:  # the run's --fail-on, as in the report
            from rich.text import Text

            where = result.locations[0] if result.locations else None
            place = f"{where.file}:{where.line}:{where.column} " if where else ""
            self.bar.console.print(Text(f"✗ {safe(place)}{result.status.value} {safe(result.url)}", style="red"))


@contextmanager
def _progress(quiet: bool, fail_on: frozenset[Status]) -> Iterator[_Progress]:
    enabled = not quiet and sys.stderr.isatty() and os.environ.get("TERM") != "dumb"
    progress = _Progress(enabled, fail_on)
    if progress.bar is None:
        yield progress
        return
    with progress.bar:
        yield progress


def main() -> None:
    """Console-script entry point."""
    raise_gc_threshold()
    cli(prog_name="linkcheck")


if __name__ == "__main__":  # pragma: no cover
    main()
