"""`linkcheck fix`: rewrite citations from what the last check learned (history only, no network)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from linkcheck.cli.app import cli
from linkcheck.cli.common import EXIT_BROKEN, EXIT_OK, _error, _exit_codes, _settings, shared_options
from linkcheck.errors import UsageError
from linkcheck.fix import FixOptions, apply_fixes, plan_fixes, render_diff
from linkcheck.history import has_history, open_history


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@shared_options
@click.option("--write", is_flag=True, help="Apply the changes to the files (default: print them as a diff, change nothing).")
@click.option("--cross-site", is_flag=True, help="Also follow permanent redirects that lead to another site.")
@click.option("--archive-dir", metavar="DIR", help="Archive folder holding the history [default: archive].")
@click.option("--include-code", is_flag=True, default=None, help="Also rewrite URLs in code spans and code blocks.")
@click.option("--exclude-path", multiple=True, metavar="GLOB", help="Skip files and folders matching this glob (repeatable), relative to a PATH (drafts/**) or as reports show them (docs/drafts/**).")
@_exit_codes
def fix(paths: tuple[str, ...], config_file: str | None, quiet: bool, debug: bool, write: bool, cross_site: bool, **flags: Any) -> int:
    """Rewrite citations under PATHS from what the last `check` learned; no network.

    \b
    A permanent redirect on the same site: the cited URL becomes the final URL (the
    cited #fragment is kept). A dead, failing, soft-404 or drifted citation with an
    archived copy: annotated in the document's own idiom —
      Markdown   [text](url) ([archived](archive))
      HTML       <a href=url data-versionurl=archive data-versiondate=YYYY-MM-DD>
      wikitext   {{cite …|archive-url=…|archive-date=…|url-status=dead}}
      BibTeX     urldate = {YYYY-MM-DD}, note = {…; Archived at \\url{archive}}
      rST        `text <url>`_ (`archived <archive>`__), bare: url (archived: archive)
      plain text (url [archived: archive])
    Identifiers (doi:, arXiv:, doi.org URLs) are never rewritten. A copy in the
    local archive is linked as archive.replay_url/TIMESTAMP/URL, and left out
    (with the reason) while archive.replay_url is unset: a relative replay path
    would not open from the document.

    \b
    A dry run by default: the unified diff goes to stdout, the list of changes and
    skipped citations to stderr; exit 0 if nothing would change, 1 if something would.
    With --write, files are replaced atomically in their own encoding and line endings,
    the list of changes goes to stdout, and a file that changed since it was read is
    left alone (exit 1). Running it again changes nothing.

    \b
    Examples:
      linkcheck fix docs/
      linkcheck fix docs/ > citations.patch
      linkcheck fix --write --archive-dir /var/lib/linkcheck docs/ refs.bib
    """
    settings = _settings(config_file, flags)
    folder = Path(settings.archive.path)
    if not has_history(settings):
        raise UsageError(f"no history in {folder} yet: run `linkcheck check` first (or give --archive-dir)")
    with open_history(settings) as history:
        plan = plan_fixes(paths, history, settings, FixOptions(cross_site=cross_site, replay_url=settings.archive.replay_url))
    if not quiet:
        for notice in plan.notices:
            _error(str(notice))
        for skipped in plan.skipped:
            click.echo(str(skipped), err=True)
    if not write:
        for file in plan.changed:
            sys.stdout.write(render_diff(file))
        if not quiet:
            for change in plan.changes:
                click.echo(str(change), err=True)
        return EXIT_BROKEN if plan.changed else EXIT_OK
    applied = apply_fixes(plan)
    if not quiet:
        for change in applied.written:
            click.echo(str(change))
    for failed in applied.failed:
        _error(str(failed))
    return EXIT_BROKEN if applied.failed else EXIT_OK


cli.add_command(fix)
