"""Captures into the archive, through the one `Archive` wiring (`Settings.archive_store`):
`--archive` in a check run (`Snapshots`) and `linkcheck archive URL...` (`capture_urls`)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

from linkcheck.check.loop import run as run_loop
from linkcheck.config import Settings
from linkcheck.models import Notice, Received

if TYPE_CHECKING:
    from linkcheck.archive import Capture
    from linkcheck.check.limits import Limiter
    from linkcheck.check.transport import Client

__all__ = ["CaptureOutcome", "Snapshots", "capture_urls"]

#: Each URL with its capture (None when it was not captured), and why each failed one was not.
CaptureOutcome = tuple[list[tuple[str, "Capture | None"]], dict[str, str]]


def capture_urls(settings: Settings, urls: Sequence[str], on_message: Callable[[str], None]) -> CaptureOutcome:
    """Capture `urls` now, all at once under the check's politeness limits (per host and
    global) and its transport; the same URL given twice is captured once."""
    from linkcheck.check.client import make_client
    from linkcheck.check.limits import Limiter

    wanted = list(dict.fromkeys(urls))
    limiter = Limiter(settings.check.max_concurrency, settings.host_limits)
    store = settings.archive_store(slot=limiter.slot, on_message=on_message)

    async def capture_all() -> list[Capture | None]:
        async with make_client(settings) as client, store:
            return list(await asyncio.gather(*(store.capture(client, url) for url in wanted)))

    captures = run_loop(capture_all())
    return list(zip(wanted, captures, strict=True)), dict(store.skipped)


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
