"""One writer at a time: an advisory lock file (`fcntl.flock`) in the archive folder.

flock locks belong to the open file, so the kernel drops them when the process dies,
even by SIGKILL: a crashed run never leaves the archive locked. A second run waits up
to its timeout (saying so once, with the holder's pid) and then fails clearly.

Within one process the lock is re-entrant: a check run holds it for its history, and
the `Archive` it opens for `--archive` takes it again at once instead of waiting for
itself. The flock is released when the last holder in the process releases it.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from linkcheck.archive.errors import ArchiveError, ArchiveLocked
from linkcheck.durations import format_duration

LOCK_NAME = ".lock"
_POLL = 0.05
#: Locks this process holds: real path of the lock file -> [fd, holders].
_HELD: dict[str, list[int]] = {}
_HELD_GUARD = threading.Lock()


class ArchiveLock:
    """`await lock.acquire()` / `lock.acquire_blocking()`, then `lock.release()`."""

    def __init__(self, folder: Path, timeout: float, on_wait: Callable[[str], None] | None = None) -> None:
        self.path = Path(folder) / LOCK_NAME
        self.timeout = timeout
        self.on_wait = on_wait
        self._key = ""
        self._held = False

    def _try(self) -> bool:
        with _HELD_GUARD:
            if self._held:
                return True
            self._key = os.path.realpath(self.path)
            if self._key in _HELD:
                _HELD[self._key][1] += 1
                self._held = True
                return True
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as exc:
                raise ArchiveError(f"cannot create the lock file {self.path}: {exc.strerror or exc}") from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                return False
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
            _HELD[self._key] = [fd, 1]
            self._held = True
            return True

    def _holder(self) -> str:
        try:
            pid = self.path.read_text(encoding="ascii").strip()
        except OSError:
            pid = ""
        return f"pid {pid}" if pid else "another process"

    def _waiting(self) -> None:
        if self.on_wait is not None and self.timeout > 0:
            self.on_wait(
                f"the archive folder {self.path.parent} is in use by another linkcheck run ({self._holder()}); "
                f"waiting up to {format_duration(self.timeout)} for it"
            )

    def _give_up(self) -> ArchiveLocked:
        return ArchiveLocked(
            f"the archive folder {self.path.parent} is in use by another linkcheck run ({self._holder()}) "
            f"and was not released within {format_duration(self.timeout)}; wait for that run, raise --lock-timeout, "
            f"or use another --archive-dir"
        )

    async def acquire(self) -> None:
        if self._try():
            return
        self._waiting()
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            await asyncio.sleep(_POLL)
            if self._try():
                return
        raise self._give_up()

    def acquire_blocking(self) -> None:
        if self._try():
            return
        self._waiting()
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            time.sleep(_POLL)
            if self._try():
                return
        raise self._give_up()

    def release(self) -> None:
        with _HELD_GUARD:
            if not self._held:
                return
            self._held = False
            held = _HELD[self._key]
            held[1] -= 1
            if held[1]:
                return
            del _HELD[self._key]
            fd = held[0]
            try:
                os.ftruncate(fd, 0)
            except OSError:
                pass
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
