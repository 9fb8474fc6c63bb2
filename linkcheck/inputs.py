"""Inputs that are not files on disk: documents on standard input (`-`) and web pages
(`https://…`), as lychee reads them.

Each becomes a `NamedInput`: a temporary file the read stage reads like any other, named
in every report as the user gave it (`-` or the URL), with the page's URL as the base of
its relative links. A web page is fetched through the checker itself, so the SSRF guard,
the politeness limits and the size caps apply to it as to any citation. The temporary
folder is removed when the run ends.
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

from linkcheck.config import Settings
from linkcheck.discover import NamedInput
from linkcheck.errors import InputError
from linkcheck.urls import is_http

STDIN = "-"
#: Bytes of a web page read as an input (a page of links is rarely larger).
PAGE_BODY_LIMIT = 16 * 1024 * 1024


@contextlib.contextmanager
def resolve_inputs(paths: Sequence[str], settings: Settings, stdin: BinaryIO | None = None) -> Iterator[list[str | NamedInput]]:
    """`paths` with `-` and web pages replaced by named temporary files (removed on exit)."""
    if not any(path == STDIN or is_http(path) for path in paths):
        yield list(paths)
        return
    with tempfile.TemporaryDirectory(prefix="linkcheck-input-") as folder:
        resolved: list[str | NamedInput] = []
        for index, path in enumerate(paths):
            if path == STDIN:
                data = (stdin or sys.stdin.buffer).read()
                resolved.append(NamedInput(_save(Path(folder), index, data, _suffix_of(data)), display="<stdin>", key=STDIN))
            elif is_http(path):
                data, content_type, final_url = _fetch(path, settings)
                resolved.append(NamedInput(_save(Path(folder), index, data, _suffix_for(content_type, data)), display=path, base_url=final_url, key=path))
            else:
                resolved.append(path)
        yield resolved


def _save(folder: Path, index: int, data: bytes, suffix: str) -> Path:
    path = folder / f"input-{index}{suffix}"
    path.write_bytes(data)
    return path


def _suffix_of(data: bytes) -> str:
    """Standard input has no name: HTML if it looks like HTML, else Markdown (which reads
    bare URLs, autolinks and links alike)."""
    head = data[:512].lstrip().lower()
    return ".html" if head.startswith((b"<!doctype html", b"<html", b"<head", b"<body")) else ".md"


def _suffix_for(content_type: str | None, data: bytes) -> str:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return {"text/html": ".html", "application/xhtml+xml": ".html", "text/markdown": ".md", "text/plain": ".txt",
            "application/pdf": ".pdf"}.get(media, _suffix_of(data))  # fmt: skip


def _fetch(url: str, settings: Settings) -> tuple[bytes, str | None, str]:
    """The page at `url`, fetched by the checker (guard, limits, caps); InputError when it
    cannot be read."""
    from linkcheck.check import Engine, make_client
    from linkcheck.check.classify import classify
    from linkcheck.check.loop import run
    from linkcheck.models import Status

    async def fetch() -> tuple[bytes, str | None, str]:
        async with make_client(settings) as client:
            engine = Engine(settings, client)
            outcome = await engine.fetch(url, PAGE_BODY_LIMIT)
        status, reason = classify(outcome, engine.accept)
        last = outcome.last
        if status not in (Status.OK, Status.REDIRECT_PERMANENT, Status.REDIRECT_TEMPORARY) or last is None or last.body is None:
            raise InputError(f"{url}: the page cannot be read as an input ({status.value}: {reason or 'no body'})")
        return last.body, last.headers.get("content-type") if last.headers else None, outcome.final_url

    return run(fetch())
