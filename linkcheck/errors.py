"""Every error linkcheck raises on purpose, in one tree.

    LinkcheckError                 base of everything below
    ├── UsageError                 the user asked for something impossible  (exit 2)
    │   ├── ConfigError            bad config.toml, environment or flag; names key and file
    │   └── InputError             an input path that does not exist or cannot be read
    ├── NetworkUnavailable         nothing could be reached at all            (exit 3)
    ├── ArchiveBusy                another run holds the archive folder       (exit 5)
    └── Interrupted                Ctrl-C or SIGTERM; carries the partial report (exit 130)

The library raises; only the CLI turns these into exit codes (`linkcheck.cli`).
Anything else escaping is a bug (exit 4).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from linkcheck.models import Report


class LinkcheckError(Exception):
    """Base class: every error linkcheck raises on purpose."""


class UsageError(LinkcheckError):
    """The user asked for something that cannot be done as asked."""


class ConfigError(UsageError):
    """A setting is unknown or has the wrong type; the message names the key and its source."""


class InputError(UsageError):
    """An input path does not exist or cannot be read."""


class NetworkUnavailable(LinkcheckError):
    """No host could be reached and the probe failed: no verdict on the citations is possible."""

    def __init__(self, message: str, report: Report | None = None) -> None:
        super().__init__(message)
        self.report = report


class ArchiveBusy(LinkcheckError):
    """Another linkcheck run holds the archive folder and did not release it in time."""


class Interrupted(LinkcheckError):
    """The run was stopped (Ctrl-C, SIGTERM); `report` holds what was checked so far."""

    def __init__(self, report: Report | None = None) -> None:
        super().__init__("interrupted")
        self.report = report
