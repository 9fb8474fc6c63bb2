"""What to capture and when: the capture policy and the limits, each default named once.

The archive stage owns these defaults; `linkcheck.config` composes them into the
`[archive]` settings, and the CLI flags quote them; nothing else writes the numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from linkcheck.check.options import DEFAULT_MAX_REDIRECTS
from linkcheck.durations import format_duration, parse_duration

#: The archive folder, and how long a run waits for another run that holds it.
DEFAULT_ARCHIVE_DIR = "archive"
DEFAULT_LOCK_TIMEOUT = 60.0
#: Archive captures: bodies past this are cut and the record marked `WARC-Truncated: length`.
DEFAULT_MAX_RESOURCE_BYTES = 20 * 1024 * 1024
#: Media types captured as pages (a `type/*` entry matches a whole family).
DEFAULT_CONTENT_TYPE_LIST = ["text/html", "application/xhtml+xml", "application/pdf", "text/plain"]
#: Time for one capture: every hop of the page, headers and body.
DEFAULT_CAPTURE_TIMEOUT = 60.0
#: Page requisites (stylesheets, images, scripts) fetched per page, when asked for.
DEFAULT_MAX_REQUISITES = 30
DEFAULT_MAX_REQUISITE_BYTES = 10 * 1024 * 1024
DEFAULT_CAPTURE_POLICY = "always"
#: How a page is captured: `http` (one GET per hop, bytes as received) or `browser`
#: (headless Chromium: every response the page makes, and a screenshot; archive/browser.py).
CAPTURE_MODES = ("http", "browser")
DEFAULT_CAPTURE_MODE = "http"

DEFAULT_POLICY = DEFAULT_CAPTURE_POLICY
#: Media types captured as pages (a `type/*` entry matches a whole family).
DEFAULT_CONTENT_TYPES = tuple(DEFAULT_CONTENT_TYPE_LIST)
#: A WARC file is closed and a new one started once it has grown past this size (checked
#: between write batches, so a file may pass it by one batch).
DEFAULT_MAX_WARC_FILE_BYTES = 1024 * 1024 * 1024

PolicyKind = Literal["always", "changed", "older-than"]


@dataclass(frozen=True, slots=True)
class CapturePolicy:
    """When a URL that was captured before is captured again.

    - `always`: every capture is recorded. An unchanged payload (same digest as the
      URL's last capture) is written as a small `revisit` record, so the archive still
      shows the page was seen, unchanged, on that date.
    - `changed`: the page is fetched, but nothing is written when its payload equals the
      last capture; the result then names that earlier capture (`reused`).
    - `older-than:DURATION`: no request at all while the last capture is younger than
      DURATION (the result names it, `reused`); otherwise as `always`.
    """

    kind: PolicyKind = "always"
    max_age: float = 0.0

    @classmethod
    def parse(cls, text: str) -> CapturePolicy:
        """`always`, `changed` or `older-than:7d`; raises ValueError saying what is wrong."""
        value = text.strip().lower()
        if value in ("always", "changed"):
            return cls(value)  # type: ignore[arg-type]
        name, sep, duration = value.partition(":")
        if name == "older-than" and sep:
            return cls("older-than", parse_duration(duration))
        raise ValueError(f"{text!r} is not a capture policy (always, changed, older-than:DURATION such as older-than:7d)")

    def __str__(self) -> str:
        return f"older-than:{format_duration(self.max_age)}" if self.kind == "older-than" else self.kind


@dataclass(frozen=True, slots=True)
class CaptureOptions:
    """Limits of one capture. Every field has the default named above."""

    max_resource_bytes: int = DEFAULT_MAX_RESOURCE_BYTES
    content_types: tuple[str, ...] = DEFAULT_CONTENT_TYPES
    timeout: float = DEFAULT_CAPTURE_TIMEOUT
    requisites: bool = False
    max_requisites: int = DEFAULT_MAX_REQUISITES
    max_requisite_bytes: int = DEFAULT_MAX_REQUISITE_BYTES
    max_redirects: int = DEFAULT_MAX_REDIRECTS
    #: `http` or `browser` (CAPTURE_MODES).
    capture: str = DEFAULT_CAPTURE_MODE

    def __post_init__(self) -> None:
        if self.capture not in CAPTURE_MODES:
            raise ValueError(f"{self.capture!r} is not a capture mode ({' or '.join(CAPTURE_MODES)})")

    def captures_type(self, content_type: str | None) -> bool:
        """Whether a page of this Content-Type is archived (`*/*` or `*` takes anything)."""
        wanted = {item.strip().lower() for item in self.content_types}
        if wanted & {"*", "*/*"}:
            return True
        media = media_type(content_type)
        if not media:
            return False
        return media in wanted or f"{media.split('/', 1)[0]}/*" in wanted


def media_type(content_type: str | None) -> str:
    """`text/html; charset=utf-8` -> `text/html`."""
    return (content_type or "").split(";", 1)[0].strip().lower()


_SIZE_UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1000, "kib": 1024, "m": 1000**2, "mb": 1000**2, "mib": 1024**2, "g": 1000**3, "gb": 1000**3, "gib": 1024**3}


def parse_size(text: str | int) -> int:
    """Bytes in `20MiB`, `500kB`, `1g` or a bare number; raises ValueError saying why."""
    if isinstance(text, int) and not isinstance(text, bool):
        if text < 0:
            raise ValueError("a size cannot be negative")
        return text
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", str(text))
    unit = match.group(2).lower() if match else ""
    if not match or unit not in _SIZE_UNITS:
        raise ValueError(f"{text!r} is not a size (examples: 20MiB, 500kB, 1048576)")
    return int(float(match.group(1)) * _SIZE_UNITS[unit])
