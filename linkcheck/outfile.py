"""Writing a file the user named (a report, a baseline, a WACZ) without harming what is there.

An atomic write is a temporary file renamed over the target. That is right for a regular
file (readers see the old one or the whole new one) and wrong for anything else: renamed
over `/dev/null` as root, it replaces the machine's null device with a regular file. So:

- a new path, or a regular file: temporary file in the same folder, then `os.replace`;
- a symbolic link: the same, onto the file it points at (the link stays a link);
- a character or block device, a FIFO, a socket: opened and written in place, never renamed;
- a folder: refused.

`check_writable` answers before a run starts, so a report path that cannot be written fails
in a second, not after an hour of checking.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import IO

from linkcheck.errors import UsageError

#: How `write_safely` opens the target: text reports or bytes (a WACZ, a zip).
Writer = Callable[[IO], None]


def check_writable(path: str | os.PathLike[str], what: str = "file") -> None:
    """Raise `UsageError` unless `path` can be written the way `write_safely` will write it."""
    target = _resolved(Path(path))
    mode = _mode(target)
    if mode is None:
        folder = target.parent
        if not folder.is_dir():
            raise UsageError(f"cannot write {what} {path}: folder {folder} does not exist")
        if not os.access(folder, os.W_OK | os.X_OK):
            raise UsageError(f"cannot write {what} {path}: folder {folder} is not writable")
        return
    if stat.S_ISDIR(mode):
        raise UsageError(f"cannot write {what} {path}: it is a folder")
    writable = os.access(target, os.W_OK)
    if stat.S_ISREG(mode):
        writable = writable and os.access(target.parent, os.W_OK | os.X_OK)
    if not writable:
        raise UsageError(f"cannot write {what} {path}: permission denied")


def write_safely(path: str | os.PathLike[str], write: Writer, *, binary: bool = False, what: str = "file") -> None:
    """Write `path` with `write(stream)`: atomically onto a regular file or a new path,
    in place onto a device or FIFO. Raise `UsageError` naming the path when it fails."""
    target = _resolved(Path(path))
    mode = _mode(target)
    try:
        if mode is not None and stat.S_ISDIR(mode):
            raise IsADirectoryError(21, "it is a folder")
        if mode is not None and not stat.S_ISREG(mode):
            with _open(target, "w", binary) as stream:  # a device or FIFO: never replace it
                write(stream)
            return
        _replace_atomically(target, write, binary, keep_mode=mode)
    except OSError as exc:
        raise UsageError(f"cannot write {what} {path}: {exc.strerror or exc}") from None


def is_stdout(spec: str | None) -> bool:
    """`-` (or no file at all) means standard output, as in most Unix tools."""
    return spec is None or spec == "-"


def _replace_atomically(target: Path, write: Writer, binary: bool, keep_mode: int | None) -> None:
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with _open(temporary, "x", binary) as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())  # the new name never points at bytes still in flight
        if keep_mode is not None:
            os.chmod(temporary, stat.S_IMODE(keep_mode))
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _open(path: Path, mode: str, binary: bool) -> IO:
    if binary:
        return open(path, mode + "b")
    return open(path, mode, encoding="utf-8", newline="\n")


def _resolved(path: Path) -> Path:
    """A symbolic link is followed, so the rename replaces its target and the link survives."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def _mode(path: Path) -> int | None:
    try:
        return path.stat().st_mode
    except FileNotFoundError:
        return None
    except NotADirectoryError:
        return None
