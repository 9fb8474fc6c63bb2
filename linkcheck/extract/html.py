"""Links in HTML: URL attributes of the elements that cite or embed something.

The standard library's tolerant `HTMLParser` does the tokenizing. It reports where
each start tag begins; the value's own column comes from re-scanning the tag's source
text with the parser's own attribute regex, so the position is that of the value as
written, while the target is the value unescaped (`&amp;` -> `&`), as a browser sees it.
Text is never scanned for bare URLs: in HTML, a citation is an element.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import unescape
from html.parser import attrfind_tolerant, tagfind_tolerant  # type: ignore[attr-defined]

from linkcheck.extract import ExtractOptions
from linkcheck.extract.plaintext import LineIndex
from linkcheck.models import RawLink
from linkcheck.safehtml import SafeHTMLParser

#: Element -> attributes holding one URL each.
_URL_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "a": ("href",),
    "area": ("href",),
    "link": ("href",),
    "img": ("src",),
    "iframe": ("src",),
    "source": ("src",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "blockquote": ("cite",),
    "q": ("cite",),
    "del": ("cite",),
    "ins": ("cite",),
}
_SRCSET_ELEMENTS = frozenset({"img", "source"})
#: `<link rel=…>` values whose href is an origin to warm up, not a resource to fetch.
_HINT_RELS = frozenset({"preconnect", "dns-prefetch"})
_HTML_SPACE = " \t\n\r\f"
_SRCSET_GAP = re.compile(r"[\s,]*")
_SRCSET_URL = re.compile(r"\S+")
_REFRESH = re.compile(r"\s*[\d.]*\s*[;,]?\s*(?:url\s*=\s*)?", re.IGNORECASE)


@dataclass(slots=True)
class Found:
    """A link inside an HTML string: character offset of the value, target, text, base."""

    offset: int
    target: str
    text: str | None = None
    base: str | None = None


def extract(text: str, options: ExtractOptions) -> Iterator[RawLink]:
    """Links in an HTML document, in document order (`options` change nothing for HTML)."""
    index = LineIndex(text)
    for found in find_links(text):
        line, column = index.position(found.offset)
        yield RawLink(found.target, line, column, found.text, found.base)


def find_links(text: str) -> list[Found]:
    """Every link in `text`, sorted by offset; never raises on malformed markup."""
    parser = _LinkParser(text)
    parser.feed_document(text)  # the tail after the last tag arrives as text (an unclosed anchor's)
    parser.close_anchor()
    return sorted(parser.found, key=lambda found: found.offset)


@dataclass(slots=True)
class _Anchor:
    found: Found
    words: list[str] = field(default_factory=list)
    alts: list[str] = field(default_factory=list)


class _LinkParser(SafeHTMLParser):
    def __init__(self, text: str) -> None:
        super().__init__()
        # HTMLParser counts lines by LF only; map its (line, offset) back to an offset.
        self._line_starts = [0]
        self._line_starts.extend(match.end() for match in re.finditer("\n", text))
        self.found: list[Found] = []
        self._base: str | None = None
        self._anchor: _Anchor | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        source = self.get_starttag_text() or ""
        line, column = self.getpos()
        values = _attribute_values(source, self._line_starts[line - 1] + column)
        if tag == "a":
            self.close_anchor()
        if tag == "base" and self._base is None and "href" in values:
            self._base = _strip(*values["href"])[1] or None
            return
        for name in _URL_ATTRIBUTES.get(tag, ()):
            if name in values and not (tag == "link" and _is_hint(values)):
                self._add(tag, values, *values[name])
        if tag in _SRCSET_ELEMENTS and "srcset" in values:
            for offset, target in _srcset(*values["srcset"]):
                self._add(tag, values, offset, target)
        if tag == "meta" and unescape(values.get("http-equiv", (0, ""))[1]).strip().lower() == "refresh":
            self._add_refresh(*values.get("content", (0, "")))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)  # `<a href=x />` stays open, as in HTML5

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self.close_anchor()

    def handle_data(self, data: str) -> None:
        if self._anchor is not None:
            self._anchor.words.append(data)

    def close_anchor(self) -> None:
        """Finish the open `<a>`: its text is the collapsed text inside, else its images' alt."""
        anchor, self._anchor = self._anchor, None
        if anchor is not None:
            anchor.found.text = _collapse("".join(anchor.words)) or _collapse(" ".join(anchor.alts))

    def _add(self, tag: str, values: dict[str, tuple[int, str]], offset: int, raw: str) -> None:
        offset, target = _strip(offset, raw)
        if not target:
            return
        found = Found(offset, target, base=self._base)
        if tag == "img":
            found.text = _collapse(unescape(values.get("alt", (0, ""))[1]))
            if self._anchor is not None and found.text:
                self._anchor.alts.append(found.text)
        self.found.append(found)
        if tag == "a":
            self._anchor = _Anchor(found)

    def _add_refresh(self, offset: int, raw: str) -> None:
        """`content="5; url='https://…'"`: the URL part, with or without `url=` and quotes."""
        start = _REFRESH.match(raw).end()  # type: ignore[union-attr]  # matches the empty string
        rest = raw[start:]
        if rest[:1] in ("'", '"'):
            rest = rest[1:].split(rest[0], 1)[0]
            start += 1
        if rest.strip():
            self._add("meta", {}, offset + start, rest)


def _attribute_values(source: str, tag_offset: int) -> dict[str, tuple[int, str]]:
    """name -> (document offset of the raw value, raw value), first occurrence wins.

    Uses the same regexes `HTMLParser.parse_starttag` uses, so it sees the attributes
    exactly as the parser did.
    """
    values: dict[str, tuple[int, str]] = {}
    match = tagfind_tolerant.match(source, 1)
    position = match.end() if match else len(source)
    while position < len(source):
        match = attrfind_tolerant.match(source, position)
        if not match or match.end() == position:
            break
        name, rest, value = match.group(1, 2, 3)
        if rest and value is not None:
            start = match.start(3)
            if value[:1] in ("'", '"') and value[-1:] == value[:1] and len(value) > 1:
                value, start = value[1:-1], start + 1
            values.setdefault(name.lower(), (tag_offset + start, value))
        position = match.end()
    return values


def _strip(offset: int, raw: str) -> tuple[int, str]:
    """Unescape a raw value and strip the spaces browsers ignore, moving the offset along."""
    stripped = raw.lstrip(_HTML_SPACE)
    return offset + len(raw) - len(stripped), unescape(stripped).strip(_HTML_SPACE)


def _srcset(offset: int, raw: str) -> Iterator[tuple[int, str]]:
    """The URLs of `srcset="a.png 1x, b.png 2x"` with their offsets (descriptors dropped).

    The HTML standard's candidate loop, in one linear pass: skip spaces and commas, take
    the URL up to a space (a trailing comma ends the candidate), skip to the next comma.
    """
    position, end = 0, len(raw)
    while True:
        position = _SRCSET_GAP.match(raw, position).end()  # type: ignore[union-attr]
        if position >= end:
            return
        start = position
        position = _SRCSET_URL.match(raw, position).end()  # type: ignore[union-attr]
        url = raw[start:position]
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            comma = raw.find(",", position)
            position = end if comma < 0 else comma + 1
        yield offset + start, url


def _is_hint(values: dict[str, tuple[int, str]]) -> bool:
    rels = unescape(values.get("rel", (0, ""))[1]).lower().split()
    return bool(rels) and all(rel in _HINT_RELS for rel in rels)


def _collapse(text: str) -> str | None:
    return " ".join(text.split()) or None
