"""`linkcheck archive ...`: capture URLs into the archive, browse it, verify it, export it.

Thin commands: build the settings, call `linkcheck.archive`, print, return the exit
code (decided by `linkcheck.cli.common._exit_codes`). The group is registered by the
lazy `linkcheck` group in `linkcheck.cli.app` when `archive` is asked for.
"""

from __future__ import annotations

import json
from typing import Any

import click

from linkcheck.archive import (
    DEFAULT_CAPTURE_TIMEOUT,
    DEFAULT_CONTENT_TYPES,
    DEFAULT_MAX_RESOURCE_BYTES,
    DEFAULT_POLICY,
    Capture,
)
from linkcheck.archive.browse import list_captures, parse_when, show_capture
from linkcheck.archive.export import export_wacz
from linkcheck.archive.index import Entry
from linkcheck.archive.options import parse_size
from linkcheck.archive.verify import verify_archive
from linkcheck.cli.common import EXIT_BROKEN, EXIT_OK, _exit_codes, shared_options
from linkcheck.config import DEFAULT_ARCHIVE_DIR, DEFAULT_LOCK_TIMEOUT, Settings, load_settings
from linkcheck.durations import format_duration
from linkcheck.errors import UsageError
from linkcheck.pipeline.snapshots import capture_urls


class _CaptureByDefault(click.Group):
    """`linkcheck archive URL...` means `linkcheck archive capture URL...`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = ["capture", *args]
        return super().parse_args(ctx, args)


def _archive_dir(command: Any) -> Any:
    return click.option(
        "--archive-dir", metavar="DIR", type=click.Path(file_okay=False),
        help=f"The archive folder: WARC files, catalog, index [default: archive.path, {DEFAULT_ARCHIVE_DIR}].",
    )(command)  # fmt: skip


def _lock_timeout(command: Any) -> Any:
    return click.option(
        "--lock-timeout", metavar="DURATION",
        help=f"How long to wait while another run holds the archive; 0 fails at once [default: {format_duration(DEFAULT_LOCK_TIMEOUT)}].",
    )(command)  # fmt: skip


def _settings(config_file: str | None, archive_dir: str | None, lock_timeout: str | None = None) -> Settings:
    """config.toml and environment, with `--archive-dir` / `--lock-timeout` on top."""
    return load_settings(config_file, overrides={"archive.path": archive_dir, "archive.lock_timeout": lock_timeout})


def _say(quiet: bool) -> Any:
    def say(message: str) -> None:
        if not quiet or "waiting" in message:
            click.echo(f"linkcheck: {message}", err=True)

    return say


@click.group(cls=_CaptureByDefault, context_settings={"help_option_names": ["-h", "--help"]})
def archive() -> None:
    """Keep a copy of cited pages: capture them as WARC, browse, verify and export the archive.

    The archive folder is a pywb collection (archive/*.warc.gz, indexes/index.cdxj)
    plus catalog.sqlite, which every subcommand reads.

    \b
    Examples:
      linkcheck archive https://example.org/paper https://example.org/data.pdf
      linkcheck archive list
      linkcheck archive show https://example.org/paper --at 2026-11-01
      linkcheck archive verify
      linkcheck archive export --wacz citations.wacz
    """


@archive.command("capture")
@click.argument("urls", nargs=-1, required=True)
@shared_options
@_archive_dir
@_lock_timeout
@click.option("--policy", metavar="POLICY", help=f"always | changed | older-than:DURATION (e.g. older-than:7d) [default: archive.policy, {DEFAULT_POLICY}].")
@click.option("--requisites", is_flag=True, default=None, help="Also capture the stylesheets, images and scripts of HTML pages.")
@click.option("--capture", "capture_mode", type=click.Choice(["http", "browser"]), default=None, help="http: one GET per hop; browser: headless Chromium, every response the page makes and a screenshot [default: archive.capture, http].")
@click.option("--max-size", metavar="SIZE", help=f"Cut bodies beyond this size, e.g. 20MiB (WARC-Truncated: length) [default: {DEFAULT_MAX_RESOURCE_BYTES // 2**20}MiB].")
@click.option("--content-type", "content_types", multiple=True, metavar="TYPE", help=f"Media type to capture, repeatable; text/* style families allowed [default: {', '.join(DEFAULT_CONTENT_TYPES)}].")
@click.option("--capture-timeout", metavar="DURATION", help=f"Time for one capture, every redirect hop included [default: {format_duration(DEFAULT_CAPTURE_TIMEOUT)}].")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Output format.")
@_exit_codes
def capture_command(
    urls: tuple[str, ...], config_file: str | None, quiet: bool, debug: bool, archive_dir: str | None, lock_timeout: str | None,
    policy: str | None, requisites: bool | None, capture_mode: str | None, max_size: str | None, content_types: tuple[str, ...], capture_timeout: str | None, fmt: str,
) -> int:  # fmt: skip
    """Capture URLS into the archive now (`linkcheck archive URL...` is the same).

    Each URL is fetched with GET; every redirect hop is its own WARC record. A page
    whose payload equals its last capture is written as a small revisit record.
    With --capture browser each page is opened in headless Chromium: every
    response it makes is recorded, plus a full-page screenshot; a bot wall is a
    failed capture. Exit 0 when every URL was captured, 1 when some could not be.

    \b
    Examples:
      linkcheck archive https://example.org/paper
      linkcheck archive --requisites --archive-dir cites/ https://example.org/a https://example.org/b
      linkcheck archive --policy older-than:30d --format json https://example.org/paper
      linkcheck archive --capture browser https://example.org/paper
    """
    try:
        size = parse_size(max_size) if max_size is not None else None
    except ValueError as exc:
        raise UsageError(f"--max-size: {exc}") from None
    settings = load_settings(
        config_file,
        overrides={
            "archive.path": archive_dir, "archive.lock_timeout": lock_timeout, "archive.policy": policy,
            "archive.requisites": requisites, "archive.capture": capture_mode, "archive.max_resource_bytes": size,
            "archive.content_types": list(content_types) or None, "archive.capture_timeout": capture_timeout,
        },
    )  # fmt: skip
    outcomes, failures = capture_urls(settings, urls, on_message=_say(quiet))
    if fmt == "json":
        rows = [{"url": url, "archive": c.to_dict() if c else None, "error": None if c else failures.get(url, "not captured")} for url, c in outcomes]
        click.echo(json.dumps(rows, indent=2))
    else:
        for url, captured in outcomes:
            click.echo(_capture_line(url, captured, failures.get(url, "not captured")))
    return EXIT_OK if all(captured for _, captured in outcomes) else EXIT_BROKEN


def _capture_line(url: str, captured: Capture | None, reason: str) -> str:
    if captured is None:
        return f"failed    {url}: {reason}"
    kind = "reused" if captured.reused else "captured"
    hops = "" if captured.final_url == url else f" -> {captured.final_url}"
    notes = []
    if captured.record_type == "revisit" and not captured.reused:
        notes.append("unchanged: revisit record")
    if captured.requisites:
        notes.append(f"{captured.requisites} requisites")
    if captured.truncated:
        notes.append(f"truncated: {captured.truncated}")
    extra = f" ({', '.join(notes)})" if notes else ""
    return f"{kind:<9} {captured.http_status or '-'} {url}{hops}  {captured.warc_file} {captured.record_id}{extra}"


@archive.command("list")
@click.argument("url", required=False)
@shared_options
@_archive_dir
@click.option("--all", "everything", is_flag=True, help="Also list redirect hops and page requisites.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True, help="Output format.")
@_exit_codes
def list_command(url: str | None, config_file: str | None, quiet: bool, debug: bool, archive_dir: str | None, everything: bool, fmt: str) -> int:
    """List captures, newest first: of URL, or of every cited page.

    \b
    Examples:
      linkcheck archive list
      linkcheck archive list https://example.org/paper
      linkcheck archive list --all --format json
    """
    entries = list_captures(_settings(config_file, archive_dir).archive.path, url, everything=everything)
    if fmt == "json":
        click.echo(json.dumps([_entry_dict(entry) for entry in entries], indent=2))
        return EXIT_OK
    if not entries:
        click.echo("no captures" + (f" of {url}" if url else ""))
        return EXIT_OK
    click.echo(f"{'captured (UTC)':<20} {'HTTP':>4} {'type':<9} {'content type':<24} URL / title")
    for entry in entries:
        mime = (entry.content_type or "-").split(";", 1)[0][:24]
        title = f"  {entry.title}" if entry.title else ""
        click.echo(f"{entry.captured_at[:19].replace('T', ' '):<20} {entry.http_status or '-':>4} {entry.record_type:<9} {mime:<24} {entry.url}{title}")
    return EXIT_OK


@archive.command("show")
@click.argument("url")
@shared_options
@_archive_dir
@click.option("--at", "at", metavar="DATE", help="Show the capture closest to this date (UTC), e.g. 2026-11-01 or 2026-11-01T14:00.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Output format.")
@_exit_codes
def show_command(url: str, config_file: str | None, quiet: bool, debug: bool, archive_dir: str | None, at: str | None, fmt: str) -> int:
    """Show the capture of URL closest to a date: its metadata, then the page's text.

    Redirects are followed through the archive, as replay would. Exit 1 when the
    archive has no capture of URL.

    \b
    Examples:
      linkcheck archive show https://example.org/paper
      linkcheck archive show https://example.org/paper --at 2026-11-01
    """
    try:
        when = parse_when(at) if at else None
    except ValueError as exc:
        raise UsageError(f"--at: {exc}") from None
    archive = _settings(config_file, archive_dir).archive
    folder = archive.path
    shown = show_capture(folder, url, when, storage_url=archive.url or None)
    if shown is None:
        click.echo(f"no capture of {url} in {folder}", err=True)
        return EXIT_BROKEN
    if fmt == "json":
        click.echo(json.dumps({"chain": [_entry_dict(e) for e in shown.chain], "payload_record": shown.payload_record.record_id, "text": shown.text}, indent=2))
        return EXIT_OK
    for hop in shown.chain[:-1]:
        click.echo(f"{hop.http_status} {hop.url} -> {hop.location}")
    final = shown.final
    for label, value in (
        ("URL", final.url), ("Captured", final.captured_at), ("HTTP status", final.http_status),
        ("Content type", final.content_type), ("Title", final.title), ("Record", f"{final.record_type} {final.record_id}"),
        ("WARC file", f"{final.warc_file} @ {final.offset}"), ("Payload digest", final.payload_digest),
        ("Same payload as", shown.payload_record.record_id if final.record_type == "revisit" else None),
        ("Truncated", final.truncated),
    ):  # fmt: skip
        if value not in (None, ""):
            click.echo(f"{label + ':':<16} {value}")
    click.echo("")
    click.echo(shown.text)
    return EXIT_OK


@archive.command("verify")
@shared_options
@_archive_dir
@_lock_timeout
@_exit_codes
def verify_command(config_file: str | None, quiet: bool, debug: bool, archive_dir: str | None, lock_timeout: str | None) -> int:
    """Check that the catalog and the WARC files agree, record for record.

    Every catalog entry must point at a complete record whose digests verify; every
    record in the WARC files must be in the catalog; the CDXJ index must match.
    What an interrupted run left is recovered first (and said). Exit 0 when the
    archive is whole, 1 with the list of problems otherwise.

    \b
    Examples:
      linkcheck archive verify
      linkcheck archive verify --archive-dir cites/
    """
    settings = _settings(config_file, archive_dir, lock_timeout)
    result = verify_archive(
        settings.archive.path, lock_timeout=settings.archive.lock_timeout, on_message=_say(quiet), storage_url=settings.archive.url or None
    )
    for note in result.notes:
        _say(quiet)(note)
    for problem in result.problems:
        click.echo(f"problem: {problem}")
    summary = f"{result.records} records in {result.files} WARC files"
    if result.ok:
        click.echo(f"ok: {summary}, all indexed, all digests verified")
        return EXIT_OK
    click.echo(f"{len(result.problems)} problems in {summary}")
    return EXIT_BROKEN


@archive.command("export")
@shared_options
@_archive_dir
@_lock_timeout
@click.option("--wacz", "wacz", required=True, type=click.Path(dir_okay=False), help="WACZ file to write (replaces it atomically).")
@click.option("--title", help="Title of the collection shown by replayweb.page.")
@_exit_codes
def export_command(config_file: str | None, quiet: bool, debug: bool, archive_dir: str | None, lock_timeout: str | None, wacz: str, title: str | None) -> int:
    """Pack the archive into one WACZ file that https://replayweb.page opens.

    \b
    Examples:
      linkcheck archive export --wacz citations.wacz
      linkcheck archive export --archive-dir cites/ --wacz cites.wacz --title "Thesis sources"
    """
    settings = _settings(config_file, archive_dir, lock_timeout)
    summary = export_wacz(
        settings.archive.path, wacz, title=title, lock_timeout=settings.archive.lock_timeout, on_message=_say(quiet),
        storage_url=settings.archive.url or None,
    )  # fmt: skip
    click.echo(f"wrote {summary.path}: {summary.pages} page captures, {summary.warc_files} WARC files, {summary.bytes} bytes")
    return EXIT_OK


def _entry_dict(entry: Entry) -> dict[str, Any]:
    return {
        "url": entry.url, "captured_at": entry.captured_at, "http_status": entry.http_status,
        "record_type": entry.record_type, "role": entry.role, "content_type": entry.content_type,
        "payload_digest": entry.payload_digest, "title": entry.title, "warc_file": entry.warc_file,
        "offset": entry.offset, "length": entry.length, "record_id": entry.record_id,
        "refers_to": entry.refers_to, "location": entry.location, "truncated": entry.truncated,
    }  # fmt: skip
