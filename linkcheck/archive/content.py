"""What is inside a captured body: its decoded text, title and page requisites.

Bodies are archived exactly as received (content-encoded, in the server's charset);
these helpers undo that only to read them: a title for the catalog, the text for
`archive show`, the stylesheets, images and scripts a page needs.
"""

from __future__ import annotations

import codecs
import io
import re
import zlib
from urllib.parse import urljoin, urlsplit

from linkcheck.archive.options import media_type
from linkcheck.safehtml import SafeHTMLParser

_MAX_DECODED = 64 * 1024 * 1024
_TITLE_MAX = 300


def decode_content(body: bytes, content_encoding: str | None) -> bytes:
    """Undo Content-Encoding (gzip, deflate; br where brotli is installed); a body that
    does not decode (e.g. truncated) yields what could be decoded."""
    for coding in reversed([c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]):
        if coding in ("gzip", "x-gzip"):
            body = _inflate(body, zlib.MAX_WBITS | 16)
        elif coding == "deflate":
            try:
                body = _inflate(body, zlib.MAX_WBITS)
            except zlib.error:
                body = _inflate(body, -zlib.MAX_WBITS)
        elif coding == "br":
            try:
                import brotli  # type: ignore[import-not-found, unused-ignore]
            except ImportError:
                return body
            body = brotli.decompress(body)
        elif coding != "identity":
            return body
    return body


def _inflate(body: bytes, wbits: int) -> bytes:
    inflater = zlib.decompressobj(wbits)
    try:
        return inflater.decompress(body, _MAX_DECODED)
    except zlib.error:
        if wbits == zlib.MAX_WBITS:
            raise
        return b""


def charset_of(content_type: str | None, body: bytes) -> str:
    """The charset from Content-Type, else a BOM or `<meta charset>`, else UTF-8."""
    match = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", content_type or "", re.I)
    candidates = [match.group(1)] if match else []
    if body.startswith(codecs.BOM_UTF8):
        candidates.append("utf-8")
    meta = re.search(rb"<meta[^>]+charset\s*=\s*[\"']?([\w.:-]+)", body[:4096], re.I)
    if meta:
        candidates.append(meta.group(1).decode("ascii", "replace"))
    for name in candidates:
        try:
            return codecs.lookup(name).name
        except LookupError:
            continue
    return "utf-8"


def body_text(body: bytes, content_type: str | None) -> str:
    """Readable text of an HTML, plain-text or PDF body (already content-decoded)."""
    media = media_type(content_type)
    if media == "application/pdf" or body.startswith(b"%PDF-"):
        return _pdf_text(body)
    text = body.decode(charset_of(content_type, body), errors="replace")
    if media in ("text/html", "application/xhtml+xml") or re.match(r"\s*<(!doctype|html)", text[:200], re.I):
        parser = _Page()
        parser.feed_document(text)
        return parser.text()
    return text


def _pdf_text(body: bytes) -> str:
    try:
        from pypdf import PdfReader
    except ImportError:
        return f"(a PDF of {len(body)} bytes; install pypdf to see its text)"
    try:
        reader = PdfReader(io.BytesIO(body))
        return "\n\n".join((page.extract_text() or "").strip() for page in reader.pages).strip()
    except Exception as exc:  # noqa: BLE001 - pypdf raises many types on damaged files
        return f"(a PDF of {len(body)} bytes whose text could not be read: {exc})"


def html_title(body: bytes, content_type: str | None) -> str | None:
    """The `<title>` of an HTML body, whitespace collapsed, or None."""
    text = body[: 256 * 1024].decode(charset_of(content_type, body), errors="replace")
    parser = _Page(stop_after_head=True)
    parser.feed_document(text)
    title = " ".join(parser.title.split())[:_TITLE_MAX]
    return title or None


def requisite_urls(body: bytes, content_type: str | None, page_url: str) -> list[str]:
    """Absolute http(s) URLs of stylesheets, images and scripts, in page order, unique."""
    parser = _Page(collect=True)
    parser.feed_document(body.decode(charset_of(content_type, body), errors="replace"))
    base = urljoin(page_url, parser.base) if parser.base else page_url
    found: list[str] = []
    for reference in parser.requisites:
        try:
            absolute = urljoin(base, reference.strip()).split("#", 1)[0]
            scheme = urlsplit(absolute).scheme
        except ValueError:
            continue
        if scheme in ("http", "https") and absolute not in found:
            found.append(absolute)
    return found


class _Page(SafeHTMLParser):
    """One pass over a page: title, text, `<base href>`, requisites."""

    _SKIP = frozenset({"script", "style", "noscript", "template"})
    _BLOCK = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "pre", "blockquote", "title"})

    def __init__(self, *, stop_after_head: bool = False, collect: bool = False) -> None:
        super().__init__()
        self.title = ""
        self.base: str | None = None
        self.requisites: list[str] = []
        self._parts: list[str] = []
        self._in_title = False
        self._skipping = 0
        self._stop_after_head = stop_after_head
        self._collect = collect
        self._done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "title":
            self._in_title = True
        elif tag in self._SKIP:
            self._skipping += 1
        elif tag == "base" and self.base is None and values.get("href"):
            self.base = values["href"]
        elif tag == "body" and self._stop_after_head:
            self._done = True
        if tag in self._BLOCK:
            self._parts.append("\n")
        if self._collect:
            rels = values.get("rel", "").lower().split()
            if tag == "link" and "stylesheet" in rels and values.get("href"):
                self.requisites.append(values["href"])
            elif tag in ("img", "script") and values.get("src"):
                self.requisites.append(values["src"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag in self._SKIP and self._skipping:
            self._skipping -= 1
        if tag in self._BLOCK:
            self._parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._done:
            return
        if self._in_title:
            self.title += data
        elif not self._skipping:
            self._parts.append(data)

    def text(self) -> str:
        lines = (" ".join(line.split()) for line in "".join(self._parts).splitlines())
        return "\n".join(line for line in lines if line)
