"""The archive's errors, in the tree of `linkcheck.errors`.

    UsageError                     (linkcheck.errors; exit 2)
    └── ArchiveError               the archive folder cannot be used as asked: it is not
        │                          writable, the disk is full, a file in it is unreadable
        └── ArchiveLocked          another run holds the archive's lock past the wait;
                                   also an ArchiveBusy (linkcheck.errors; exit 5)

They are usage errors because the cure is the user's (free space, fix permissions,
wait for the other run, pick another `--archive-dir`), like an unreadable input folder.
Whatever the message, nothing already archived was damaged: a record is indexed only
after it is on disk, and a half-written record is cut off before the error is raised.
"""

from __future__ import annotations

from linkcheck.errors import ArchiveBusy, UsageError


class ArchiveError(UsageError):
    """The archive folder cannot be read or written as needed; the message says why."""


class ArchiveLocked(ArchiveError, ArchiveBusy):
    """Another linkcheck run holds the archive's lock and did not release it in time."""
