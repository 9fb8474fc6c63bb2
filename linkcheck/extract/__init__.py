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
    "rst": "rst",
    "asciidoc": "asciidoc",
    "latex": "latex",
    "bibtex": "bibtex",
    "ris": "ris",
    "csljson": "csljson",
    "wikitext": "wikitext",
    "notebook": "notebook",
    "pdf": "pdf",
    "docx": "docx",
    "epub": "epub",
}

#: Formats whose extractor takes the file's bytes instead of decoded text.
BINARY_FORMATS: frozenset[str] = frozenset({"pdf", "docx", "epub"})

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
    ".rst": "rst",
    ".rest": "rst",
    ".adoc": "asciidoc",
    ".asciidoc": "asciidoc",
    ".asc": "asciidoc",
    ".tex": "latex",
    ".ltx": "latex",
    ".bib": "bibtex",
    ".ris": "ris",
    ".wiki": "wikitext",
    ".wikitext": "wikitext",
    ".mediawiki": "wikitext",
    ".ipynb": "notebook",
    ".pdf": "pdf",
    ".docx": "docx",
    ".epub": "epub",
}

#: Multi-part suffixes checked before the last suffix (`refs.csl.json`).
_COMPOUND_SUFFIXES: dict[str, str] = {".csl.json": "csljson"}


def known_formats() -> list[str]:
    return sorted(_FORMATS)


def _by_suffix(path: PurePath) -> str | None:
    name = path.name.lower()
    for suffix, format_name in _COMPOUND_SUFFIXES.items():
        if name.endswith(suffix):
            return format_name
    return _SUFFIXES.get(path.suffix.lower())


def has_known_suffix(path: PurePath) -> bool:
    """Whether a folder walk picks this file up without an include glob."""
    return _by_suffix(path) is not None


def is_binary(format_name: str) -> bool:
    return format_name in BINARY_FORMATS


def format_for(path: PurePath, head: bytes = b"") -> str:
    """The format of a document: by suffix, else by sniffing its first bytes."""
    return _by_suffix(path) or sniff(head)


def sniff(head: bytes) -> str:
    """Guess a format from the first bytes of a document whose suffix says nothing."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "epub" if b"application/epub+zip" in head[:100] else "docx"
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:2048]
    lowered = start.lower()
    if lowered.startswith((b"<!doctype html", b"<html")) or b"<html" in lowered[:512]:
        return "html"
    if start.startswith(b"{") and b'"nbformat"' in head:
        return "notebook"
    if start.startswith(b"[") and b'"type"' in start and (b'"URL"' in start or b'"DOI"' in start or b'"id"' in start):
        return "csljson"
    if start.startswith(b"TY  - "):
        return "ris"
    if b"\\documentclass" in start or b"\\begin{document}" in start:
        return "latex"
    if start.startswith(b"@") and b"{" in start[:40]:
        return "bibtex"
    return "plaintext"


def extractor(format_name: str) -> Extractor:
    """The `extract` function of a format (raises KeyError for an unknown format)."""
    module = importlib.import_module(f"linkcheck.extract.{_FORMATS[format_name]}")
    return module.extract  # type: ignore[no-any-return]


def extract_text(text: str, format_name: str, options: ExtractOptions | None = None) -> Iterator[RawLink]:
    """Every raw link in `text`, read as `format_name`."""
    return extractor(format_name)(text, options or ExtractOptions())
