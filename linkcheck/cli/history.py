"""Commands that read the run history, without any network: `report`, `history`, `runs`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from linkcheck.cli.app import cli
from linkcheck.cli.common import EXIT_BROKEN, EXIT_OK, _error, _exit_codes, _settings, shared_options
from linkcheck.cli.outputs import _wants_color
from linkcheck.errors import UsageError
from linkcheck.history import Check, History, has_history, open_history
from linkcheck.models import Result, iso_utc
from linkcheck.report.rot_notes import is_drifted, notes
from linkcheck.report.plain import safe
from linkcheck.report.terminal import status_style


def _rot(check: Check) -> Result:
    """A check's drift and suggestion (kept in its `extra`) as a result the reports can word."""
    drift, suggestion = check.extra.get("drift"), check.extra.get("suggestion")
    return Result(
        check.url, check.status,
        drift=drift if isinstance(drift, dict) else None,
        suggestion=suggestion if isinstance(suggestion, dict) else None,
    )  # fmt: skip


def _rot_notes(check: Check) -> str:
    """`; content drifted: …; archived copy: …` for a check that has either, else ''."""
    return "".join(f"; {note}" for note in notes(_rot(check)))


def _open_history(archive_dir: str | None, config_file: str | None) -> History:
    settings = _settings(config_file, {"archive_dir": archive_dir})
    folder = Path(settings.archive.path)
    if not has_history(settings):
        raise UsageError(f"no history in {folder} yet: run `linkcheck check` first (or give --archive-dir)")
    return open_history(settings)


def _console() -> Console:
    return Console(highlight=False, emoji=False, no_color=not _wants_color(sys.stdout), soft_wrap=False)


archive_dir_option = click.option("--archive-dir", metavar="DIR", help="Archive folder holding the history [default: archive].")
format_option = click.option("--format", "fmt", type=click.Choice(["terminal", "json"]), default="terminal", show_default=True)


@cli.command()
@click.option("--since", type=click.Choice(["last"]), default="last", show_default=True, help="Compare the last run with the one before it over the same inputs.")
@archive_dir_option
@format_option
@shared_options
@_exit_codes
def report(since: str, archive_dir: str | None, fmt: str, config_file: str | None, quiet: bool, debug: bool) -> int:
    """What changed in the last run: newly broken, fixed, still broken, new and removed URLs.

    Reads the history only; nothing is requested. Exit 1 when the last run has newly
    broken citations, so a scheduler can alert on what is new.

    \b
    Examples:
      linkcheck report --since last
      linkcheck report --since last --format json --archive-dir /var/lib/linkcheck
    """
    settings = _settings(config_file, {"archive_dir": archive_dir})
    with _open_history(archive_dir, config_file) as history:
        run_id = history.last_run()
        if run_id is None:
            raise UsageError("the history has no complete run yet")
        diff = history.diff(run_id, settings.fail_on)
        checks = {url: history.latest(url) for url in diff.new_broken + diff.still_broken + diff.fixed}
    if fmt == "json":
        json.dump({"run_id": run_id, **diff.to_dict()}, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return EXIT_BROKEN if diff.new_broken else EXIT_OK
    console = _console()
    if diff.previous_run is None:
        console.print(f"Run {run_id} is the first over its inputs: nothing to compare with yet.")
        return EXIT_OK
    console.print(Text(f"Run {run_id} compared with run {diff.previous_run}", style="bold"))
    sections = [
        ("Newly broken", diff.new_broken, "bold red"),
        ("Fixed", diff.fixed, "green"),
        ("Still broken", diff.still_broken, "red"),
        ("New URLs", diff.new_citations, ""),
        ("Removed URLs", diff.removed_citations, "dim"),
    ]
    for title, urls, style in sections:
        console.print(Text(f"{title}: {len(urls)}", style=style or "bold"))
        if quiet and title not in ("Newly broken",):
            continue
        for url in urls:
            check = checks.get(url)
            suffix = f"  {check.status.value} {check.error or ''}{_rot_notes(check)}" if check and title != "Fixed" else ""
            console.print(Text(f"  {safe(url)}{safe(suffix)}"))
    return EXIT_BROKEN if diff.new_broken else EXIT_OK


@cli.command()
@click.argument("url")
@archive_dir_option
@format_option
@shared_options
@_exit_codes
def history(url: str, archive_dir: str | None, fmt: str, config_file: str | None, quiet: bool, debug: bool) -> int:
    """One URL's timeline: every check of it across runs, oldest first.

    \b
    Examples:
      linkcheck history https://example.org/paper.pdf
      linkcheck history --format json https://example.org/ > timeline.json
    """
    from linkcheck.urls import InvalidURL, normalize

    try:
        key = normalize(url)
    except InvalidURL:
        key = url
    with _open_history(archive_dir, config_file) as store:
        timeline = store.timeline(key) or store.timeline(url)
    if fmt == "json":
        rows: list[dict[str, Any]] = [
            {"run_id": c.run_id, "checked_at": iso_utc(c.checked_at), "status": c.status.value, "http_status": c.http_status,
             "final_url": c.final_url, "error": c.error, "cached": c.cached, "duration_ms": c.duration_ms,
             **{name: c.extra[name] for name in ("drift", "suggestion") if c.extra.get(name) is not None}}
            for c in timeline
        ]
        json.dump({"url": key, "checks": rows}, sys.stdout, indent=2)
        sys.stdout.write("\n")
        if not timeline:
            _error(f"no check of {safe(key)} in the history")
        return EXIT_OK if timeline else EXIT_BROKEN  # nothing found is 1, as for `archive show`
    console = _console()
    if not timeline:
        _error(f"no check of {safe(key)} in the history")
        return EXIT_BROKEN
    page = key.partition("#")[0]  # a fragment is not sent: its removal is no redirect
    fail_on = _fail_on(config_file)
    table = Table(title=safe(key), box=None, pad_edge=False, header_style="bold")
    for column in ("Checked", "Run", "Status", "HTTP", "Detail"):
        table.add_column(column, overflow="fold")
    for check in timeline:
        moved = check.final_url and check.final_url not in (key, page)
        detail = (check.error or (f"-> {check.final_url}" if moved else "")) + (" (cached)" if check.cached else "")
        detail = (detail + _rot_notes(check)).removeprefix("; ")
        drifted = is_drifted(_rot(check))
        style = status_style(check.status, fail_on)
        table.add_row(
            f"{check.checked_at:%Y-%m-%d %H:%M:%S}Z", str(check.run_id),
            Text(check.status.value + (", drifted" if drifted else ""), style="yellow" if drifted and style != "bold red" else style),
            str(check.http_status or "-"), Text(safe(detail)),
        )
    console.print(table)
    return EXIT_OK


@cli.command()
@archive_dir_option
@format_option
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True, help="How many runs, newest first.")
@shared_options
@_exit_codes
def runs(archive_dir: str | None, fmt: str, limit: int, config_file: str | None, quiet: bool, debug: bool) -> int:
    """The list of runs recorded in the history, newest first.

    \b
    Examples:
      linkcheck runs
      linkcheck runs --limit 5 --format json
    """
    with _open_history(archive_dir, config_file) as store:
        listed = store.runs(limit)
    if fmt == "json":
        json.dump(
            [{"id": r.id, "inputs": json.loads(r.inputs), "started_at": iso_utc(r.started_at), "finished_at": iso_utc(r.finished_at),
              "state": r.state, "documents": r.documents, "citations": r.citations, "urls": r.urls, "broken": r.broken} for r in listed],
            sys.stdout, indent=2,
        )
        sys.stdout.write("\n")
        return EXIT_OK
    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in ("Run", "Started", "State", "Documents", "Citations", "URLs", "Broken", "Inputs"):
        table.add_column(column, overflow="fold")
    for r in listed:
        table.add_row(str(r.id), f"{r.started_at:%Y-%m-%d %H:%M:%S}Z", r.state, str(r.documents), str(r.citations),
                      str(r.urls), str(r.broken), Text(safe(", ".join(json.loads(r.inputs)))))
    _console().print(table)
    return EXIT_OK


def _fail_on(config_file: str | None) -> frozenset[Any]:
    return _settings(config_file, {}).fail_on
