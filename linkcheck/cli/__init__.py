"""The command line: parse options, call the library, render, pick the exit code. Nothing else.

One module a job: `app` (the group and `main`), `common` (exit codes, shared options,
flags to settings), `check_command`, `extract_command`, `progress`, `runlog`,
`host_stats`, `outputs` (report targets and writing); `history`, `baseline`, `fix` and
`archive` hold their commands and are imported when one of them is asked for.
"""

from __future__ import annotations

from linkcheck.cli.app import _LazyGroup, cli, main
from linkcheck.cli.common import (
    EXIT_BROKEN,
    EXIT_BUSY,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_NETWORK,
    EXIT_OK,
    EXIT_USAGE,
    _error,
    _exit_codes,
    _settings,
    shared_options,
)
from linkcheck.cli.check_command import check
from linkcheck.cli.extract_command import extract
from linkcheck.cli.outputs import _wants_color
from linkcheck.cli.progress import _Progress

__all__ = [
    "EXIT_BROKEN",
    "EXIT_BUSY",
    "EXIT_INTERNAL",
    "EXIT_INTERRUPTED",
    "EXIT_NETWORK",
    "EXIT_OK",
    "EXIT_USAGE",
    "_LazyGroup",
    "_Progress",
    "_error",
    "_exit_codes",
    "_settings",
    "_wants_color",
    "check",
    "cli",
    "extract",
    "main",
    "shared_options",
]
