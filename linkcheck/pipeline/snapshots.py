"""`--archive` in a check run: the capture hook, through the one `Archive` wiring
(`Settings.archive_store`) that `linkcheck archive URL...` uses too."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from linkcheck.config import Settings
from linkcheck.models import Notice, Received

if TYPE_CHECKING:
    from linkcheck.check.transport import Client

    from linkcheck.check.limits import Limiter

__all__ = ["Snapshots"]


class Snapshots:
    """`--archive`: every live page captured once per run into the archive folder.

    A failure of the archive itself (full disk, unwritable folder) stops the captures with
    one notice; checking goes on and the report is still written.
    """

    def __init__(self, settings: Settings, client: Client, notices: list[Notice], on_message: Callable[[str], None]) -> None:
        self.settings = settings
        self.on_message = on_message
        self.archive: Any = None
        self.client = client
        self.notices = notices
        self.broken = False

    def capture_for(self, limiter: Limiter) -> Callable[[str, Received | None], Awaitable[dict[str, Any] | None]]:
        """The capture hook, sharing `limiter`'s politeness limits (the engine's); the
        caller enters `archive` (an async context manager) before checking starts."""
        self.archive = self.settings.archive_store(slot=limiter.slot, on_message=self.on_message)
        return self.capture

    async def capture(self, url: str, received: Received | None = None) -> dict[str, Any] | None:
        """Capture `url`, from the check's own response when it is given (no second download)."""
        from linkcheck.archive import ArchiveError

        if self.broken:
            return None
        try:
            captured = await self.archive.capture(self.client, url, received=received)
        except ArchiveError as exc:
            self.broken = True
            self.notices.append(Notice(self.archive.layout.root.as_posix(), f"archiving stopped: {exc}"))
            return None
        return captured.to_dict() if captured is not None else None
