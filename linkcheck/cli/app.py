"""The `linkcheck` group and the console-script entry point; commands that live in
their own modules are imported when asked for."""

from __future__ import annotations

import importlib

import click

from linkcheck._version import __version__
from linkcheck.check.loop import raise_gc_threshold


class _LazyGroup(click.Group):
    """Commands that live in their own modules are imported only when asked for: every
    run of `check` from cron or CI pays for what it imports."""

    lazy = {
        "archive": "linkcheck.cli.archive",
        "baseline": "linkcheck.cli.baseline",
        "fix": "linkcheck.cli.fix",
        "history": "linkcheck.cli.history",
        "report": "linkcheck.cli.history",
        "runs": "linkcheck.cli.history",
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


def main() -> None:
    """Console-script entry point."""
    raise_gc_threshold()
    cli(prog_name="linkcheck")
