"""Extraction: one module per document format, one dispatch point (the registry below).

Every extractor module has `extract(data, options: ExtractOptions) -> Iterator[RawLink]`,
where `data` is `str` for text formats and `bytes` for the binary ones (`BINARY_FORMATS`).
Links are yielded as written, with 1-based line and column counted in characters (or the
page / paragraph / cell / part a format has instead). Adding a format is one new module
and its lines in `_FORMATS` and `_SUFFIXES`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from linkcheck.models import RawLink


@dataclass(frozen=True, slots=True)
class ExtractOptions:
    """What every extractor may be asked to do differently."""

    #: Also extract URLs inside code spans and code blocks (off: code is usually an example).
    include_code: bool = False


class ExtractionError(ValueError):
    """A document is malformed for its format (a damaged PDF, a DOCX that is not a zip, …).

    The message says what is wrong and, where known, where (`line 12: unclosed brace`);
    the run records it as a notice for that file and goes on with the others.
    """


Extractor = Callable[[Any, ExtractOptions], Iterator[RawLink]]

#: Format name -> module under `linkcheck.extract` (imported on first use).
_FORMATS: dict[str, str] = {
    "markdown": "markdown",
    "html": "html",
    "plaintext": "plaintext",
}

#: Formats whose extractor takes the file's bytes instead of decoded text.
BINARY_FORMATS: frozenset[str] = frozenset()

_SUFFIXES: dict[str, str] = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".mdown": "markdown",
    ".mkd": "markdown",
    ".mdx": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".txt": "plaintext",
    ".text": "plaintext",
}


def known_formats() -> list[str]:
    return sorted(_FORMATS)


def has_known_suffix(path: PurePath) -> bool:
    """Whether a folder walk picks this file up without an include glob."""
    return path.suffix.lower() in _SUFFIXES


def is_binary(format_name: str) -> bool:
    return format_name in BINARY_FORMATS


def format_for(path: PurePath, head: bytes = b"") -> str:
    """The format of a document: by suffix, else by sniffing its first bytes."""
    by_suffix = _SUFFIXES.get(path.suffix.lower())
    if by_suffix:
        return by_suffix
    return sniff(head)


def sniff(head: bytes) -> str:
    """Guess a format from the start of a document whose suffix says nothing."""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:512].lower()
    if start.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<html" in start:
        return "html"
    return "plaintext"


def extractor(format_name: str) -> Extractor:
    """The `extract` function of a format (raises KeyError for an unknown format)."""
    module = importlib.import_module(f"linkcheck.extract.{_FORMATS[format_name]}")
    return module.extract  # type: ignore[no-any-return]


def extract_text(text: str, format_name: str, options: ExtractOptions | None = None) -> Iterator[RawLink]:
    """Every raw link in `text`, read as `format_name`."""
    return extractor(format_name)(text, options or ExtractOptions())
