"""Extraction: one module per document format, one dispatch point (the registry below).

Every extractor module has a function `extract(text: str, options: ExtractOptions) ->
Iterator[RawLink]` that yields links as written, with 1-based line and column counted
in characters. Adding a format is one new module and one line in `_FORMATS`/`_SUFFIXES`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import PurePath

from linkcheck.models import RawLink


@dataclass(frozen=True, slots=True)
class ExtractOptions:
    """What every extractor may be asked to do differently."""

    #: Also extract URLs inside code spans and code blocks (off: code is usually an example).
    include_code: bool = False


Extractor = Callable[[str, ExtractOptions], Iterator[RawLink]]

#: Format name -> module under `linkcheck.extract` (imported on first use).
_FORMATS: dict[str, str] = {
    "markdown": "markdown",
    "html": "html",
    "plaintext": "plaintext",
}

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


def format_for(path: PurePath, head: str = "") -> str:
    """The format of a document: by suffix, else by sniffing its first characters."""
    by_suffix = _SUFFIXES.get(path.suffix.lower())
    if by_suffix:
        return by_suffix
    return sniff(head)


def sniff(head: str) -> str:
    """Guess a format from the start of a document whose suffix says nothing."""
    start = head.lstrip("\ufeff \t\r\n")[:512].lower()
    if start.startswith(("<!doctype html", "<html", "<?xml")) or "<html" in start:
        return "html"
    return "plaintext"


def extractor(format_name: str) -> Extractor:
    """The `extract` function of a format (raises KeyError for an unknown format)."""
    module = importlib.import_module(f"linkcheck.extract.{_FORMATS[format_name]}")
    return module.extract  # type: ignore[no-any-return]


def extract_text(text: str, format_name: str, options: ExtractOptions | None = None) -> Iterator[RawLink]:
    """Every raw link in `text`, read as `format_name`."""
    return extractor(format_name)(text, options or ExtractOptions())
