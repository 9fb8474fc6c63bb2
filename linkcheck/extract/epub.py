"""Links in EPUB books: the web links of the chapters, in reading order.

The container's `META-INF/container.xml` names the package document (OPF); its spine
lists the chapters in reading order, and each (X)HTML chapter goes through the HTML
extractor, with `part` = the chapter's path inside the container and line/column
inside that file.

What counts as a citation: an absolute link (`https:`, `http:`, `mailto:`, … anything
with a scheme), or a relative one under a `<base href>` that is itself absolute. Relative
links inside the book (other chapters, `#anchors`, images, style sheets) are not: they
are dropped. Files outside the spine (the navigation document, covers not read as
chapters) are not read; neither is DRM-encrypted content, which is read as the bytes it
is. Not a zip, no container or no package document raises `ExtractionError`, and so does
a member larger than `MAX_MEMBER_BYTES` or reading more than `MAX_TOTAL_BYTES` in all (a
zip bomb). The zip helpers here serve the DOCX extractor too.
"""

from __future__ import annotations

import codecs
import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from urllib.parse import unquote
from xml.etree import ElementTree

from linkcheck.extract import ExtractionError, ExtractOptions
from linkcheck.extract import html as html_extract
from linkcheck.models import RawLink

#: Largest uncompressed member read from a zip container (a chapter is rarely over 1 MB).
MAX_MEMBER_BYTES = 50 * 1024 * 1024
#: Most uncompressed bytes read from one container, all members together.
MAX_TOTAL_BYTES = 200 * 1024 * 1024

_CONTAINER = "META-INF/container.xml"
_CONTAINER_NS = "{urn:oasis:names:tc:opendocument:xmlns:container}"
_OPF_NS = "{http://www.idpf.org/2007/opf}"
_CHAPTER_TYPES = frozenset({"application/xhtml+xml", "text/html"})
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_XML_ENCODING = re.compile(rb"""^<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._\-]+)["']""")


def extract(data: bytes, options: ExtractOptions) -> Iterator[RawLink]:
    """Absolute links of the spine's chapters, chapter by chapter, in document order."""
    container = Container(data, "EPUB")
    for chapter in _spine(container):
        for link in html_extract.extract(decode_xml(container.read(chapter)), options):
            if _is_absolute(link.target) or (link.base is not None and _is_absolute(link.base)):
                yield link._replace(part=chapter)


class Container:
    """A zip container read with caps on what it may inflate to; `kind` names it in errors."""

    def __init__(self, data: bytes, kind: str) -> None:
        self.kind = kind
        self.total = 0  # uncompressed bytes read so far
        try:
            self.archive = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
            raise ExtractionError(f"not a valid {kind}: not a zip archive (or a damaged one)") from None

    def has(self, name: str) -> bool:
        try:
            self.archive.getinfo(name)
        except KeyError:
            return False
        return True

    def read(self, name: str) -> bytes:
        """A member's bytes; a member over the caps is refused before it is inflated."""
        try:
            info = self.archive.getinfo(name)
        except KeyError:
            raise ExtractionError(f"damaged {self.kind}: {name} is missing") from None
        if info.file_size > MAX_MEMBER_BYTES:
            raise ExtractionError(
                f"{self.kind} refused: {name} would inflate to {info.file_size} bytes (limit {MAX_MEMBER_BYTES})"
            )
        if self.total + info.file_size > MAX_TOTAL_BYTES:
            raise ExtractionError(f"{self.kind} refused: its members would inflate to more than {MAX_TOTAL_BYTES} bytes")
        try:
            with self.archive.open(info) as member:
                # zipfile stops at the declared size and checks the CRC, so a member that
                # lies about its size fails instead of inflating without end.
                content = member.read(MAX_MEMBER_BYTES + 1)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError, OSError) as exc:
            raise ExtractionError(f"damaged {self.kind}: cannot read {name} ({exc})") from None
        self.total += len(content)
        return content

    def xml(self, name: str) -> ElementTree.Element:
        """A member parsed as XML; entity declarations are refused (no entity expansion bombs)."""
        content = self.read(name)
        if b"<!ENTITY" in content:
            raise ExtractionError(f"{self.kind} refused: {name} declares XML entities")
        try:
            return ElementTree.fromstring(content)
        except ElementTree.ParseError as exc:
            line, column = exc.position
            raise ExtractionError(
                f"damaged {self.kind}: {name} is not well-formed XML (line {line}, column {column + 1})"
            ) from None


def decode_xml(content: bytes) -> str:
    """An XML file's text: BOM, else the XML declaration's encoding, else UTF-8."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if content.startswith(bom):
            return content.decode(encoding, "replace")
    declared = _XML_ENCODING.match(content)
    if declared:
        try:
            return content.decode(declared.group(1).decode("ascii"), "replace")
        except LookupError:
            pass
    return content.decode("utf-8", "replace")


def _spine(container: Container) -> list[str]:
    """Paths inside the container of the spine's (X)HTML chapters, in reading order, once each."""
    if not container.has(_CONTAINER):
        raise ExtractionError(f"not a valid EPUB: {_CONTAINER} is missing")
    rootfile = container.xml(_CONTAINER).find(f"{_CONTAINER_NS}rootfiles/{_CONTAINER_NS}rootfile")
    opf_path = rootfile.get("full-path") if rootfile is not None else None
    if not opf_path:
        raise ExtractionError(f"not a valid EPUB: {_CONTAINER} names no package document")
    package = container.xml(opf_path)
    folder = posixpath.dirname(opf_path)
    manifest: dict[str, tuple[str, str]] = {}
    for item in package.iterfind(f"{_OPF_NS}manifest/{_OPF_NS}item"):
        href = item.get("href")
        if item.get("id") and href:
            path = posixpath.normpath(posixpath.join(folder, unquote(href.split("#", 1)[0])))
            manifest[item.get("id", "")] = (path, item.get("media-type", ""))
    chapters: list[str] = []
    for itemref in package.iterfind(f"{_OPF_NS}spine/{_OPF_NS}itemref"):
        path, media_type = manifest.get(itemref.get("idref", ""), ("", ""))
        if media_type in _CHAPTER_TYPES and path not in chapters and container.has(path):
            chapters.append(path)
    return chapters


def _is_absolute(target: str) -> bool:
    return _SCHEME.match(target) is not None
