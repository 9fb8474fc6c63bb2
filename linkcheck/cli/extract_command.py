"""`linkcheck extract`: list every link with its locations, without any network access."""

from __future__ import annotations

import sys
from typing import Any

import click

from linkcheck.cli.app import cli
from linkcheck.cli.common import EXIT_OK, _error, _exit_codes, _settings, shared_options
from linkcheck.pipeline import extract_paths


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
