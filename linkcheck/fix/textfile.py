"""A document read for rewriting: its exact bytes, how to decode them and encode them back,
and an atomic write that refuses to clobber a file someone changed in the meantime.

The encoding is found the way `linkcheck.discover.read_text` finds it (byte-order mark,
a declared charset, UTF-8, windows-1252), so the text and its line/column positions are
those the extractors saw. Unlike reading for a check, nothing is ever replaced: a file
whose bytes do not decode and encode back exactly is not rewritten at all.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from linkcheck.discover import _SNIFF_BYTES, _declared_charset

#: How much of a file's head is sniffed for its format and declared charset (as discovery does).
SNIFF_BYTES = _SNIFF_BYTES

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


class Unfixable(Exception):
    """This file cannot be rewritten safely; the message says why."""


class FileChanged(Unfixable):
    """The file changed on disk after it was read: it is left alone."""


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What `--write` compares right before replacing a file: size, mtime and content hash."""

    size: int
    mtime_ns: int
    sha256: str

    @classmethod
    def of(cls, path: Path) -> Fingerprint:
        with path.open("rb") as handle:
            info = os.fstat(handle.fileno())
            digest = hashlib.sha256(handle.read()).hexdigest()
        return cls(info.st_size, info.st_mtime_ns, digest)


@dataclass(frozen=True, slots=True)
class TextFile:
    path: Path
    data: bytes
    text: str
    bom: bytes
    encoding: str
    fingerprint: Fingerprint

    def encode(self, text: str) -> bytes:
        """`text` in this file's encoding, with its byte-order mark; Unfixable if it cannot be."""
        try:
            return self.bom + text.encode(self.encoding)
        except UnicodeEncodeError as exc:
            raise Unfixable(f"{exc.object[exc.start:exc.end]!r} cannot be written in {self.encoding}") from None


def read(path: Path) -> TextFile:
    """Read `path` for rewriting; Unfixable when its bytes would not survive a rewrite."""
    try:
        with path.open("rb") as handle:
            info = os.fstat(handle.fileno())
            data = handle.read()
    except OSError as exc:
        raise Unfixable(f"cannot read ({exc.strerror or exc})") from None
    fingerprint = Fingerprint(info.st_size, info.st_mtime_ns, hashlib.sha256(data).hexdigest())
    bom, encoding = _encoding(data)
    try:
        text = data[len(bom) :].decode(encoding)
    except (UnicodeDecodeError, LookupError):
        raise Unfixable(f"not valid {encoding}: it is not rewritten, so no byte of it is lost") from None
    try:
        same = bom + text.encode(encoding) == data
    except UnicodeEncodeError:
        same = False
    if not same:
        raise Unfixable(f"its {encoding} bytes would not be written back identically: not rewritten")
    return TextFile(path, data, text, bom, encoding, fingerprint)


def write_atomically(source: TextFile, data: bytes) -> None:
    """Replace the file by `data` (temp file in the same folder + os.replace, mode kept),
    unless it changed since `source` was read: then FileChanged, and the file is untouched."""
    target = source.path.resolve()  # through a symlink: the link stays a link
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".fix")
    except OSError as exc:
        raise Unfixable(f"cannot write ({exc.strerror or exc})") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        if Fingerprint.of(target) != source.fingerprint:
            raise FileChanged("changed on disk since it was read: not rewritten (run fix again)")
        os.replace(temporary, target)
    except OSError as exc:
        raise Unfixable(f"cannot write ({exc.strerror or exc})") from None
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def _encoding(data: bytes) -> tuple[bytes, str]:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return bom, encoding
    declared = _declared_charset(data[:SNIFF_BYTES])
    if declared and declared not in ("utf-8", "utf8"):
        try:
            return b"", codecs.lookup(declared).name
        except LookupError:
            pass
    try:
        data.decode("utf-8")
        return b"", "utf-8"
    except UnicodeDecodeError:
        return b"", "cp1252"
