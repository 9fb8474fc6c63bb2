"""What reading documents can be told: the `[files]` and `[urls]` settings and their
defaults, owned by the read stage (discover, extract, collect) and composed by
`linkcheck.config`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from linkcheck.fields import setting
from linkcheck.identifiers import DEFAULT_DOI_RESOLVER

DEFAULT_MAX_URL_LENGTH = 8192
DEFAULT_MAX_FILE_SIZE = 64 * 1024 * 1024


@dataclass
class FilesSettings:
    include: list[str] = setting([], "list[str]", "only read files matching these globs (default: files with a known suffix, .md .html .txt …)")
    exclude: list[str] = setting([], "list[str]", "globs of files and folders to skip")
    hidden: bool = setting(False, "bool", "descend into hidden files and folders (.git is always skipped)")
    gitignore: bool = setting(True, "bool", "honour .gitignore inside a git work tree")
    include_code: bool = setting(False, "bool", "also check URLs inside code spans and code blocks")
    local_links: bool = setting(True, "bool", "check relative links to other files, and their #anchors, on disk")
    root_dir: str = setting("", "str", "folder that root-relative links (/docs/x) are resolved in (empty: the input folder, or . for a named file)")
    max_file_size: int = setting(DEFAULT_MAX_FILE_SIZE, "int+", "bytes; larger files are skipped with a notice (plain text is streamed whatever its size)")


@dataclass
class UrlSettings:
    include: list[str] = setting([], "list[regex]", "only check URLs matching one of these regexes")
    exclude: list[str] = setting([], "list[regex]", "skip URLs matching one of these regexes (status excluded)")
    max_length: int = setting(DEFAULT_MAX_URL_LENGTH, "int+", "longer URLs are reported invalid instead of requested")
    doi_resolver: str = setting(DEFAULT_DOI_RESOLVER, "str", "where doi:10.… identifiers are resolved")
    remap: list[str] = setting([], "list[remap]", "\"REGEX REPLACEMENT\": rewrite cited URLs before checking (a mirror, a moved domain); the report names the URL as cited")
    base: str = setting("", "str", "base URL that root-relative links (/docs/x) are checked against, as web links (empty: they are files under root_dir)")


class _RunLimits(Protocol):
    max_urls: int


class ReadConfig(Protocol):
    """What reading documents reads of the settings (`linkcheck.config.Settings` is one)."""

    files: FilesSettings
    urls: UrlSettings
    check: _RunLimits
