"""The rules of following a redirect, written once for every path that follows one: the
checker's fetcher (`check.fetch`) and the archive's capture (`archive.capture`).

Each path sends its own hops (the checker HEAD-first under retries and limits, the archive
a full GET keeping the bytes as received); what a hop's `Location` means, when a chain is
a loop and how long it may grow is decided here, so the two never disagree on where a
citation leads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


class RedirectRefused(Exception):
    """A hop that cannot be followed; the message says why, in a user's words."""

    def __init__(self, message: str, *, loop: bool = False, too_long: bool = False) -> None:
        super().__init__(message)
        self.loop = loop
        self.too_long = too_long


def redirect_target(current: str, status: int, location: str | None) -> str:
    """The absolute URL a redirect from `current` leads to (fragment dropped); raises
    RedirectRefused for a missing, unparseable, non-HTTP or host-less Location."""
    if location and not location.isascii():
        location = _undecodable_as_latin1(location)
    if not location or not location.strip():
        raise RedirectRefused(f"redirect ({status}) without a Location header")
    try:
        target = urljoin(current, location.strip())
        parts = urlsplit(target)
    except ValueError:
        raise RedirectRefused(f"redirect to an unparseable URL: {location[:200]!r}") from None
    if parts.scheme not in ("http", "https"):
        raise RedirectRefused(f"redirect to a non-HTTP URL refused: {parts.scheme}:")
    if not parts.hostname:
        raise RedirectRefused(f"redirect to a URL without a host: {location[:200]!r}")
    return target.split("#", 1)[0]


@dataclass
class RedirectTrail:
    """Where a chain has been. A URL seen again is a loop, unless something changed since
    it was asked (`state`: the run's cookie jar version; a site that sets a cookie and sends
    the client back lets it in the second time)."""

    start: str
    max_redirects: int
    state: int = 0
    hops: int = 0
    _visited: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._visited[self.start] = self.state

    def follow(self, target: str, state: int = 0) -> None:
        """Record one more hop to `target`; raises RedirectRefused for a loop or a chain too long."""
        self.hops += 1
        if self._visited.get(target, -1) == state:
            raise RedirectRefused(f"redirect loop: {target} was already visited", loop=True)
        if self.hops > self.max_redirects:
            raise RedirectRefused(f"more than {self.max_redirects} redirects", too_long=True)
        self._visited[target] = state


def _undecodable_as_latin1(value: str) -> str:
    """A header that is not UTF-8 read as Latin-1, as httpx reads it (aiohttp keeps such
    bytes as lone surrogates, which no URL can carry)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogateescape").decode("latin-1")
    return value
