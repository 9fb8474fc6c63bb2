"""What every command shares: the exit codes (decided in one place, `_exit_codes`), the
one-line error on stderr, the options every command takes and flags turned into settings."""

from __future__ import annotations

import functools
import os
import sys
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

import click

from linkcheck.config import Settings, load_settings
from linkcheck.errors import ArchiveBusy, Interrupted, LinkcheckError, NetworkUnavailable, UsageError

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
    "capture_mode": "archive.capture",
    "max_age": "history.max_age",
    "confirm": "history.confirm",
    "history_enabled": "history.enabled",
    "lock_timeout": "archive.lock_timeout",
    "offline_suggestions": "rot.offline_suggestions",
    "host_stats": "report.host_stats",
    "respect_robots": "check.respect_robots",
    "allow_private": "network.allow_private",
    "ray": "check.ray",
}


def _settings(config_file: str | None, flags: dict[str, Any]) -> Settings:
    overrides = {_FLAG_KEYS[name]: (list(value) if isinstance(value, tuple) else value) for name, value in flags.items()}
    overrides = {key: value for key, value in overrides.items() if value not in (None, [])}
    return load_settings(config_file, overrides=overrides)
