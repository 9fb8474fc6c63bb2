"""Links in HTML: URL attributes of the elements that cite or embed something.

Two tokenizers feed one collector of links (`_Links`: base, URL attributes, srcset, meta
refresh, the text of an `<a>`):

- the reference, the standard library's tolerant `HTMLParser` (guarded by
  `SafeHTMLParser`). It reports where each start tag begins; the value's own column comes
  from re-scanning the tag's source text with the parser's own attribute regex;
- a fast scanner, three to four times quicker: compiled regexes walk the markup in C, and
  Python sees only the tags that matter. It reads the plain subset of HTML that every
  `html.parser` since 3.11 tokenizes the same way, before and after the 2025 rewrite
  (CPython gh-135661: comments closed by `--!>`, script end tags, `<![CDATA[`, title and
  textarea as text, iframe, xmp, noembed and noframes as raw text): tags in simple
  attribute syntax, comments closed by a plain `-->`, doctype, CDATA and conditional
  sections with no `>` inside, script and style, and RCDATA/raw text elements with no
  markup inside. On anything else (`<a/b>`, an unclosed comment, `x<y` in text, `<title>`
  with a tag inside) it gives up and the reference reads the whole document. Nothing is
  checked at run time: differential tests (tests/test_extract_html_differential.py, tag
  soup and every fixture) prove it equal to the reference on the Python that runs them.

Either way the position is that of the value as written, while the target is the value
unescaped (`&amp;` -> `&`), as a browser sees it. Text is never scanned for bare URLs: in
HTML, a citation is an element.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from html import unescape
from html.parser import attrfind_tolerant, tagfind_tolerant  # type: ignore[attr-defined]

from linkcheck.extract import ExtractOptions
from linkcheck.extract.plaintext import line_columns
from linkcheck.models import RawLink
from linkcheck.safehtml import DECLARATION_NAME, SAFETY_NET, SafeHTMLParser

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
#: Every element whose start tag can change the links found; other tags are only skipped.
_LINK_ELEMENTS = frozenset(_URL_ATTRIBUTES) | _SRCSET_ELEMENTS | {"base", "meta"}
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
    found = find_links(text)
    for link, (line, column) in zip(found, line_columns(text, [link.offset for link in found])):
        yield RawLink(link.target, line, column, link.text, link.base)


def find_links(text: str) -> list[Found]:
    """Every link in `text`, sorted by offset; never raises on malformed markup."""
    found = scan_links(text)
    return reference_links(text) if found is None else found


def reference_links(text: str) -> list[Found]:
    """`find_links` through `HTMLParser`: the reference the fast scanner must equal."""
    parser = _LinkParser(text)
    parser.feed_document(text)  # the tail after the last tag arrives as text (an unclosed anchor's)
    return parser.links.finish()


@dataclass(slots=True)
class _Anchor:
    found: Found
    words: list[str] = field(default_factory=list)
    alts: list[str] = field(default_factory=list)


class _Links:
    """The links of one document, as its start tags, `</a>` and text arrive in order."""

    __slots__ = ("_base", "anchor", "found")

    def __init__(self) -> None:
        self.found: list[Found] = []
        self._base: str | None = None
        #: The open `<a>`: text arriving while it is open is its link text.
        self.anchor: _Anchor | None = None

    def start_tag(self, tag: str, values: dict[str, tuple[int, str]]) -> None:
        """A start tag (lowercase name) and its attributes, as `_attribute_values` gives them."""
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

    def plain_anchor(self, offset: int, raw: str, text: str) -> None:
        """`<a href=…>text</a>` with no other `<a>` open: `start_tag`, then the text, then
        `close_anchor`, in one step. `raw` is the href value as written, perhaps quoted."""
        if raw[0] in "\"'":
            raw, offset = raw[1:-1], offset + 1
        offset, target = _strip(offset, raw)
        if target:
            self.found.append(Found(offset, target, _collapse(unescape(text)), self._base))

    def close_anchor(self) -> None:
        """Finish the open `<a>`: its text is the collapsed text inside, else its images' alt."""
        anchor, self.anchor = self.anchor, None
        if anchor is not None:
            anchor.found.text = _collapse("".join(anchor.words)) or _collapse(" ".join(anchor.alts))

    def finish(self) -> list[Found]:
        """Close the anchor left open at the end; the links sorted by offset."""
        self.close_anchor()
        return sorted(self.found, key=lambda found: found.offset)

    def _add(self, tag: str, values: dict[str, tuple[int, str]], offset: int, raw: str) -> None:
        offset, target = _strip(offset, raw)
        if not target:
            return
        found = Found(offset, target, base=self._base)
        if tag == "img":
            found.text = _collapse(unescape(values.get("alt", (0, ""))[1]))
            if self.anchor is not None and found.text:
                self.anchor.alts.append(found.text)
        self.found.append(found)
        if tag == "a":
            self.anchor = _Anchor(found)

    def _add_refresh(self, offset: int, raw: str) -> None:
        """`content="5; url='https://…'"`: the URL part, with or without `url=` and quotes."""
        start = _REFRESH.match(raw).end()  # type: ignore[union-attr]  # matches the empty string
        rest = raw[start:]
        if rest[:1] in ("'", '"'):
            rest = rest[1:].split(rest[0], 1)[0]
            start += 1
        if rest.strip():
            self._add("meta", {}, offset + start, rest)


class _LinkParser(SafeHTMLParser):
    def __init__(self, text: str) -> None:
        super().__init__()
        # HTMLParser counts lines by LF only; map its (line, offset) back to an offset.
        self._line_starts = [0]
        self._line_starts.extend(match.end() for match in re.finditer("\n", text))
        self.links = _Links()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        source = self.get_starttag_text() or ""
        line, column = self.getpos()
        self.links.start_tag(tag, _attribute_values(source, self._line_starts[line - 1] + column))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)  # `<a href=x />` stays open, as in HTML5

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self.links.close_anchor()

    def handle_data(self, data: str) -> None:
        if self.links.anchor is not None:
            self.links.anchor.words.append(data)


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


# -- the fast scanner ---------------------------------------------------------------
#
# A tag in plain syntax: an ASCII name, then attributes each after ASCII blanks, each a
# name alone or `name = value` with the value in quotes or a bare non-empty run. On such a
# tag `HTMLParser`'s regexes (`locatestarttagend_tolerant`, `attrfind_tolerant`) find the
# same end and the same attributes. Every quantifier is possessive: nothing backtracks,
# and each regex below matches wherever a search for it starts, so the scan is linear.
_BLANKS = r"[ \t\n\r\f]"
_NAME = r"[a-zA-Z][a-zA-Z0-9:_.-]*+"
_END_NAME = r"[a-zA-Z][-.a-zA-Z0-9:_]*+"
_VALUE = r"""(?:"[^"]*+"|'[^']*+'|(?!['"=])[^\s>]++)"""


def _attribute_syntax(group: str) -> str:
    """One attribute: blanks, a name, maybe `= value`; `group` opens the name's and value's groups."""
    return rf"""{_BLANKS}++{group}[^\s"'<>/=]++)(?:{_BLANKS}*+={_BLANKS}*+{group}{_VALUE}))?"""


_ATTRIBUTE = re.compile(_attribute_syntax("("))
_ATTRIBUTES = f"(?:{_attribute_syntax('(?:')})*+"
_HREF = "[hH][rR][eE][fF]"
#: What starts a comment, declaration, processing instruction or a tag the plain syntax
#: misses: `_markup_end` reads it, or gives up.
_OTHER_MARKUP = r"<[a-zA-Z!?/]"
#: Raw text in every `html.parser`: the content up to the end tag is not markup.
_RAW_TEXT_ELEMENTS = frozenset({"script", "style"})
#: Elements whose content one `html.parser` reads as markup and another as text: RCDATA
#: (`title`, `textarea`) and raw text (`iframe`, `xmp`, `noembed`, `noframes`) since
#: gh-135661. The scanner reads them only where both readings agree (no `<` inside).
_RCDATA_ELEMENTS = frozenset({"title", "textarea"})  # text, unescaped
_MAYBE_TEXT_ELEMENTS = _RCDATA_ELEMENTS | {"iframe", "xmp", "noembed", "noframes"}
#: Start tags the scanner never reads: `<plaintext>` (text to the end, in some versions).
_GIVE_UP_ELEMENTS = frozenset({"plaintext"})
_LINK_OR_RAW_TEXT = "|".join(sorted(_LINK_ELEMENTS | _RAW_TEXT_ELEMENTS | _MAYBE_TEXT_ELEMENTS | _GIVE_UP_ELEMENTS))
#: Outside an `<a>`, text, end tags and the start tags of other elements change nothing:
#: skipped in C, up to a start tag that matters, other markup, or the end. The commonest
#: link, `<a … href=…>text</a>`, is matched whole: its first href (the one that counts)
#: follows attributes of other names.
_OUTSIDE_ANCHOR = re.compile(
    rf"""(?:
        [^<]++
      | <(?![a-zA-Z!?/])
      | <(?!(?i:{_LINK_OR_RAW_TEXT})[ \t\n\r\f/>]){_NAME}{_ATTRIBUTES}{_BLANKS}*+/?>
      | </{_END_NAME}{_BLANKS}*+>
    )*+
    (?:
        <[aA](?:{_BLANKS}++(?!{_HREF}[\s/=>])[^\s"'<>/=]++(?:{_BLANKS}*+={_BLANKS}*+{_VALUE})?)*+
        {_BLANKS}++{_HREF}{_BLANKS}*+={_BLANKS}*+(?P<href>{_VALUE})
        {_ATTRIBUTES}{_BLANKS}*+/?>(?P<text>[^<]*+)</[aA]{_BLANKS}*+>
      | <(?P<tag>{_NAME}){_ATTRIBUTES}{_BLANKS}*+(?P<close>/?>)
      | (?P<other>{_OTHER_MARKUP})
      | \Z
    )""",
    re.VERBOSE,
)
#: Inside an `<a>`, every piece of markup, for the text between.
_INSIDE_ANCHOR = re.compile(
    rf"""<(?P<tag>{_NAME}){_ATTRIBUTES}{_BLANKS}*+(?P<close>/?>)
      | </(?P<end>{_END_NAME}){_BLANKS}*+>
      | (?P<other>{_OTHER_MARKUP})""",
    re.VERBOSE,
)
#: What closes a comment in one `html.parser` or another: `--\s*>` before gh-135661,
#: `--!?>` since. The scanner reads a comment only where the first of them is `-->`.
_COMMENT_CLOSE = re.compile(r"--(?:\s*|!)>")
_CONDITIONAL_SECTIONS = frozenset({"if", "else", "endif"})  # `<![if IE]>`, `<![endif]>`


@cache
def _end_tags(tag: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    r"""How the raw text of `tag` ends: before gh-135661 (`</\s*tag\s*>`, Unicode case
    folding) and since (`</tag` then a blank, `/` or `>`, ASCII)."""
    return (
        re.compile(rf"</\s*{tag}\s*>", re.IGNORECASE),
        re.compile(rf"</{tag}(?=[\t\n\r\f />])", re.IGNORECASE | re.ASCII),
    )


_PLAIN_END_TAG_REST = re.compile(r"[ \t\n\r\f]*>")


def scan_links(text: str) -> list[Found] | None:
    """`find_links` by the fast scanner; None where it is not sure to equal the reference.

    It walks the document as `SafeHTMLParser.feed_document` does: markup up to the last
    `>`, text in between unescaped (each run on its own), script and style content raw,
    and whatever follows the last `>` raw.
    """
    scanner = _FastScanner(text)
    position = 0
    try:
        while 0 <= position < scanner.end:
            position = scanner.inside(position) if scanner.links.anchor else scanner.outside(position)
    except SAFETY_NET:  # the reference stops where this is raised, and keeps what it read
        return None
    if position < 0:
        return None
    if scanner.links.anchor is not None:
        scanner.links.anchor.words.append(text[scanner.end :])
    return scanner.links.finish()


class _FastScanner:
    """One document: each step reads from an offset and returns where to go on (-1: give up)."""

    __slots__ = ("end", "links", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.end = text.rfind(">") + 1
        self.links = _Links()

    def outside(self, position: int) -> int:
        """Outside an `<a>`: on to the next start tag that matters, or other markup."""
        match = _OUTSIDE_ANCHOR.match(self.text, position, self.end)
        if match is None:  # never: at worst it matches the end
            return -1
        if match["href"] is not None:
            self.links.plain_anchor(match.start("href"), match["href"], match["text"])
            return match.end()
        if match["tag"] is not None:
            return self._start_tag(match)
        if match["other"] is not None:
            return _markup_end(self.text, match.start("other"), self.end)
        return self.end

    def inside(self, position: int) -> int:
        """Inside an `<a>`: on to the next markup, the text before it being the link's."""
        text, links = self.text, self.links
        match = _INSIDE_ANCHOR.search(text, position, self.end)
        start = self.end if match is None else match.start()
        if start > position:
            links.anchor.words.append(unescape(text[position:start]))  # type: ignore[union-attr]
        if match is None:
            return self.end
        if match["tag"] is not None:
            return self._start_tag(match)
        if match["end"] is not None:
            if match["end"].lower() == "a":
                links.close_anchor()
            return match.end()
        return _markup_end(text, start, self.end)

    def _start_tag(self, match: re.Match[str]) -> int:
        tag = match["tag"].lower()
        if tag in _GIVE_UP_ELEMENTS:
            return -1
        if tag in _LINK_ELEMENTS:
            self.links.start_tag(tag, _plain_attribute_values(self.text, match.end("tag"), match.start("close")))
        if match["close"] == ">":
            if tag in _RAW_TEXT_ELEMENTS:
                return self._raw_text_end(tag, match.end("close"))
            if tag in _MAYBE_TEXT_ELEMENTS:
                return self._maybe_text_end(tag, match.end("close"))
        return match.end("close")

    def _raw_text_end(self, tag: str, start: int) -> int:
        """Where the content of `<script>` or `<style>` (from `start`) ends with its end tag;
        -1 if unsure: where the parsers before and since gh-135661 would end it in different
        places. Unclosed, it runs to the end (reported as text by the newer parsers only)."""
        before, since = _end_tags(tag)
        old = before.search(self.text, start, self.end)
        new = since.search(self.text, start, self.end)
        if old is None and new is None:
            return -1 if self.links.anchor is not None else self.end
        if old is None or new is None or old.start() != new.start():
            return -1  # `</ script>`, `</script/>`, `</ſcript>`, `</script\v>`
        rest = _PLAIN_END_TAG_REST.match(self.text, new.end(), self.end)
        if rest is None or rest.end() != old.end():
            return -1
        if self.links.anchor is not None and old.start() > start:
            self.links.anchor.words.append(self.text[start : old.start()])
        return old.end()

    def _maybe_text_end(self, tag: str, start: int) -> int:
        """Where the scanner goes on after `<title>` and its kin (from `start`): at the end
        tag, read as markup, where the content holds no `<` (so it is text to every parser,
        unescaped: in an anchor, raw text such as `<iframe>`'s must hold no `&` either, as
        the newer parsers keep it as written); else -1."""
        found = _end_tags(tag)[1].search(self.text, start, self.end)
        if found is None:
            return -1
        content = self.text[start : found.start()]
        if "<" in content:
            return -1
        if self.links.anchor is not None and tag not in _RCDATA_ELEMENTS and "&" in content:
            return -1
        return start


def _plain_attribute_values(text: str, start: int, stop: int) -> dict[str, tuple[int, str]]:
    """`_attribute_values` for a tag in plain syntax, its attributes in `text[start:stop]`."""
    values: dict[str, tuple[int, str]] = {}
    for match in _ATTRIBUTE.finditer(text, start, stop):
        value = match[2]
        if value is not None:
            at = match.start(2)
            if value[0] in "\"'":
                value, at = value[1:-1], at + 1
            values.setdefault(match[1].lower(), (at, value))
    return values


def _markup_end(text: str, start: int, end: int) -> int:
    """Where the comment, declaration or processing instruction at `start` ends, as
    `HTMLParser` reads it; -1 for an unclosed one and for a tag not in plain syntax."""
    if text.startswith("<!--", start):
        close = _COMMENT_CLOSE.search(text, start + 4, end)
        return close.end() if close and close.group() == "-->" else -1
    if text.startswith("<?", start):
        return _after(">", text, start + 2, end)
    if text.startswith("<![", start):
        # A CDATA or conditional section, read the same by `_markupbase` (`]]>`, `]>`) and,
        # since gh-135661, as CDATA (`]]>`) or a bogus comment (the first `>`): where the
        # first `>` is the one that closes it.
        close = _after(">", text, start + 3, end)
        if text.startswith("<![CDATA[", start):
            return close if close - 3 >= start + 9 and text.startswith("]]", close - 3) else -1
        name = DECLARATION_NAME.match(text, start + 3, end)
        if name and name.group().lower() in _CONDITIONAL_SECTIONS and close > 0 and text[close - 2] == "]":
            return close
        return -1
    if text.startswith("<!", start):
        after = start + 9 if text[start : start + 9].lower() == "<!doctype" else start + 2
        return _after(">", text, after, end)
    return -1


def _after(needle: str, text: str, start: int, end: int) -> int:
    """The offset just after the first `needle` in `text[start:end]`, -1 if there is none."""
    found = text.find(needle, start, end)
    return found + len(needle) if found >= 0 else -1


# -- values -------------------------------------------------------------------------


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
