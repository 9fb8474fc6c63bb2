"""Local links: relative paths and #anchors between the documents themselves, checked on disk.

`[install](docs/setup.md#requirements)` is a citation too: the file must exist and the
anchor must be one of its headings (GitHub-style slugs for Markdown) or `id`/`name`
attributes (HTML). No network is involved. A path starting with `/` is taken from the
input folder given on the command line (the repository or site root), or from the
current folder for a file named on the command line.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from linkcheck.anchors import fragment_present, html_anchors, is_checkable_fragment, markdown_anchors
from linkcheck.extract import format_for
from linkcheck.models import Status

_MARKDOWN_FORMATS = frozenset({"markdown"})
_HTML_FORMATS = frozenset({"html"})


@dataclass(frozen=True, slots=True)
class LocalVerdict:
    """How a local link is named in reports, and what was found on disk."""

    key: str
    status: Status
    reason: str | None


class LocalLinks:
    """Resolves and judges local links; caches the anchors of each target file."""

    def __init__(self) -> None:
        self._anchors: dict[Path, set[str] | None] = {}

    def judge(self, target: str, document: Path, root: Path) -> LocalVerdict:
        parts = urlsplit(target.strip())
        path_text = unquote(parts.path)
        if not path_text:
            resolved = document
        elif path_text.startswith("/"):
            resolved = root / path_text.lstrip("/")
        else:
            resolved = document.parent / path_text
        resolved = Path(os.path.normpath(resolved))
        key = _display(resolved) + (f"#{parts.fragment}" if parts.fragment else "")
        if not resolved.exists():
            return LocalVerdict(key, Status.DEAD, f"file not found: {_display(resolved)}")
        fragment = parts.fragment
        if not is_checkable_fragment(fragment) or resolved.is_dir():
            return LocalVerdict(key, Status.OK, None)
        anchors = self._anchors_of(resolved)
        if anchors is None or fragment_present(fragment, anchors):
            return LocalVerdict(key, Status.OK, None)
        return LocalVerdict(key, Status.FRAGMENT_MISSING, f"{_display(resolved)} has no anchor #{fragment}")

    def _anchors_of(self, path: Path) -> set[str] | None:
        """Anchors of a Markdown or HTML file; None for formats whose anchors we cannot know."""
        if path not in self._anchors:
            self._anchors[path] = _read_anchors(path)
        return self._anchors[path]


def _read_anchors(path: Path) -> set[str] | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    format_name = format_for(path, data[:2048])
    text = data.decode("utf-8", errors="replace")
    if format_name in _MARKDOWN_FORMATS:
        return markdown_anchors(text)
    if format_name in _HTML_FORMATS:
        return html_anchors(text)
    return None


def _display(path: Path) -> str:
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        relative = str(path)
    return Path(relative).as_posix()
