"""Links in AsciiDoc, found by a line scanner for blocks and a linear pass for inline macros.

What counts as a citation, each yielded at the position of its target:

- `link:url[text]` and `url[text]` (the text, minus Asciidoctor's `^` and named
  attributes, into `RawLink.text`);
- `image::url[alt]` and `image:url[alt]` (paths included, as for HTML `<img src>`);
- bare URLs, through the plain-text finder, ended (as Asciidoctor ends them) at `[`,
  `]` and a table's `|`; a URL escaped with a backslash is not a link;
- `{name}` attribute references in a macro target, or `{name}[text]`, resolved from the
  `:name: value` entries above them (the entry's own URL is a bare URL where it is written).

Listing and literal blocks (`----`, `....`, fenced ```` ``` ````, a `[source]`, `[listing]` or
`[literal]` block or paragraph, an indented literal paragraph) and backtick code are skipped
unless `options.include_code` (then only bare URLs are taken from them). `//` comment lines,
`////` comment blocks and `[comment]` blocks are always skipped.

Lines end at `\\n`, `\\r\\n` or `\\r` (as in `LineIndex`); each line is classified once and
each paragraph scanned once, so the work is linear in the input.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import accumulate
from operator import add

from linkcheck.extract import ExtractOptions
from linkcheck.extract.plaintext import find_urls, links_at
from linkcheck.models import RawLink

_EOL = re.compile(r"\r\n?|\n")
_DELIMITER = re.compile(r"(-{4,}|\.{4,}|/{4,}|\+{4,}|={4,}|\*{4,}|_{4,}|--|```.*|[|,:!]={3,})$")
_ATTRIBUTE_LINE = re.compile(r"\[([^\]]*)\]$")
_ATTRIBUTE_ENTRY = re.compile(r":([A-Za-z0-9_][\w-]*):(?:[ \t]+(.*))?$")
#: `link:`/`image:` macros (groups 1-3) and `{name}rest` attribute references (groups 4-5).
_MACRO = re.compile(r"(?<![\w\\])(link|image):(:?)([^\s\[\]]+)|(?<!\\)\{([A-Za-z0-9_][\w-]*)\}([^\s\[\]]*)")
_LINK_MACRO = re.compile(r"(?<![\w\\])(link|image):(:?)([^\s\[\]]+)")  # the same, no references
_REFERENCE_NAME = re.compile(r"\{([A-Za-z0-9_][\w-]*)\}")
_BLOCK_TITLE = re.compile(r"\.[^\s.]")
_LIST_ITEM = re.compile(r"[ \t]+(?:[-*.]+|\d+\.|[A-Za-z]\.|[ivxIVX]+\))[ \t]+\S")
_URL_END = re.compile(r"[\[\]|]")
_CODE_STYLES = frozenset({"source", "listing", "literal"})
_VERBATIM = ("-", ".", "`")  # delimiters whose blocks are always code (but `--`, an open block)


def extract(text: str, options: ExtractOptions) -> Iterator[RawLink]:
    """Links in an AsciiDoc document, in document order."""
    return links_at(text, _AsciidocScanner(text, options).run())


class _NextIndex:
    """Index of the next `char` at or after a position, for positions that only grow.

    Each search starts where the previous one stopped being useful, so a document full of
    unclosed `[` costs one pass, not one pass per bracket.
    """

    __slots__ = ("_at", "_char", "_text")

    def __init__(self, text: str, char: str) -> None:
        self._text, self._char, self._at = text, char, -2

    def find(self, pos: int, end: int) -> int:
        if self._at != -1 and self._at < pos:
            self._at = self._text.find(self._char, pos)
        return self._at if pos <= self._at < end else -1


class _AsciidocScanner:
    def __init__(self, text: str, options: ExtractOptions) -> None:
        self.text = text
        self.options = options
        self.found: list[tuple[int, str, str | None]] = []
        self.attributes: dict[str, str] = {}
        self._close_bracket = _NextIndex(text, "]")
        self._tick = _NextIndex(text, "`")
        contents = _EOL.split(text)
        lengths = [len(line) for line in contents]
        starts = [0, *accumulate(map(add, lengths, [*map(len, _EOL.findall(text)), 0]))]
        self.lines = list(zip(starts, map(add, starts, lengths)))

    def line(self, i: int) -> str:
        start, end = self.lines[i]
        return self.text[start:end]

    def run(self) -> list[tuple[int, str, str | None]]:
        i, count, style = 0, len(self.lines), ""
        while i < count:
            stripped = self.line(i).strip()
            if not stripped:
                i += 1
                continue
            delimiter = _DELIMITER.match(stripped)
            attribute = _ATTRIBUTE_ENTRY.match(stripped)
            if stripped.startswith("//") and not delimiter:
                i += 1  # a comment line
            elif delimiter:
                i, style = self.delimited(i, stripped, style), ""
            elif attribute:
                value = (attribute.group(2) or "").strip()
                self.attributes[attribute.group(1)] = self.resolve(value) or value
                self.inline(*self.lines[i])
                i += 1
            elif _ATTRIBUTE_LINE.match(stripped) and not stripped.startswith("[["):
                style = _style(stripped[1:-1]) or style
                self.inline(*self.lines[i])  # `[quote, Author, https://source]` cites too
                i += 1
            elif _BLOCK_TITLE.match(stripped):
                self.inline(*self.lines[i])
                i += 1
            else:
                i, style = self.paragraph(i, style), ""
        return self.found

    def delimited(self, i: int, delimiter: str, style: str) -> int:
        """A delimited block: skipped (comment), read as code, or its contents read on."""
        fence = delimiter[:3] if delimiter.startswith("```") else delimiter
        skipped = fence[0] == "/" or style == "comment"
        code = (fence[0] in _VERBATIM and fence != "--") or style in _CODE_STYLES
        if not (skipped or code or fence[0] == "+"):
            return i + 1  # example, sidebar, quote, open block, table: contents are AsciiDoc
        end = i + 1
        while end < len(self.lines) and self.line(end).strip() != fence:
            end += 1
        if end > i + 1 and not skipped and (self.options.include_code or not code):
            self.bare(self.lines[i + 1][0], self.lines[end - 1][1])  # code, or raw passthrough
        return end + 1

    def paragraph(self, first: int, style: str) -> int:
        """Lines up to a blank line, comment or block delimiter; code if styled or indented."""
        last = first
        while last + 1 < len(self.lines):
            following = self.line(last + 1).strip()
            if not following or following.startswith("//") or _DELIMITER.match(following):
                break
            if _ATTRIBUTE_ENTRY.match(following):  # the document header: title, then entries
                break
            last += 1
        start, end = self.lines[first][0], self.lines[last][1]
        head = self.line(first)
        literal = head[:1] in (" ", "\t") and not _LIST_ITEM.match(head)
        if style == "comment" or style in _CODE_STYLES or literal:
            if style != "comment" and self.options.include_code:
                self.bare(start, end)
        else:
            self.inline(start, end)
        return last + 1

    # -- inline ------------------------------------------------------------------------

    def inline(self, start: int, end: int) -> None:
        """Backtick code, then macros and bare URLs in what is left of `[start, end)`."""
        gap, pos = start, start
        while True:
            tick = self._tick.find(pos, end)
            if tick < 0:
                break
            double = self.text.startswith("``", tick)
            close = self.text.find("``", tick + 2, end) if double else self._tick.find(tick + 1, end)
            if close < 0:
                if double:
                    pos = tick + 2
                    continue
                break
            self.links(gap, tick)
            if self.options.include_code:
                self.bare(tick, close)
            gap = pos = close + (2 if double else 1)
        self.links(gap, end)

    def links(self, start: int, end: int) -> None:
        """Macros, attribute references and bare URLs in `[start, end)`, in one ordered pass."""
        if end <= start:
            return
        pattern = _MACRO if self.attributes else _LINK_MACRO
        events: list[tuple[int, int, re.Match[str] | str]] = [
            (match.start(), 0, match)
            for match in pattern.finditer(self.text, start, end)
            if match.group(1) is not None or match.group(4) in self.attributes
        ]
        events.extend((start + offset, 1, url) for offset, url in find_urls(self.text[start:end]))
        events.sort(key=lambda event: (event[0], event[1]))
        consumed = start
        for offset, _, event in events:
            if offset < consumed:
                continue
            if isinstance(event, str):
                consumed = self.url(offset, event, end)
            elif event.group(1) is not None:
                consumed = self.macro(event, end)
            else:
                consumed = self.reference(event, end)

    def macro(self, match: re.Match[str], end: int) -> int:
        """`link:target[text]` or `image:target[alt]`; not a macro without its brackets."""
        target = self.resolve(match.group(3))
        closed = None if target is None else self.bracket(match.end(), end)
        if closed is None or target is None:
            return match.start()  # not a macro: bare URLs inside are still found
        close, label = closed
        if match.group(1) == "image" and label:
            label = label.split(",", 1)[0].strip().strip('"') or None
        self.found.append((match.start(3), target, label))
        return close + 1

    def reference(self, match: re.Match[str], end: int) -> int:
        """`{name}` or `{name}/more[text]` where the attribute holds a URL."""
        value = self.attributes.get(match.group(4), "")
        offset, url = next(iter(find_urls(value + match.group(5))), (-1, ""))
        if offset != 0 or len(url) < len(value):
            return match.start()
        closed = self.bracket(match.end(), end) if len(url) == len(value + match.group(5)) else None
        self.found.append((match.start(), url, closed[1] if closed else None))
        return closed[0] + 1 if closed else match.end()

    def url(self, offset: int, url: str, end: int) -> int:
        """A bare URL, or a `url[text]` macro; a backslash before it escapes it."""
        if offset > 0 and self.text[offset - 1] == "\\":
            return offset + len(url)
        cut = _URL_END.search(url)
        if cut:
            url = next(iter(find_urls(url[: cut.start()])), (0, ""))[1]
        if not url:
            return offset + 1
        closed = self.bracket(offset + len(url), end)
        self.found.append((offset, url, closed[1] if closed else None))
        return closed[0] + 1 if closed else offset + len(url)

    def bracket(self, pos: int, end: int) -> tuple[int, str | None] | None:
        """If `[` opens at `pos`: the index of its `]` and the link text inside."""
        if not self.text.startswith("[", pos):
            return None
        close = self._close_bracket.find(pos, end)
        while close > 0 and self.text[close - 1] == "\\":
            close = self._close_bracket.find(close + 1, end)
        if close < 0:
            return None
        return close, _link_text(self.text[pos + 1 : close])

    def resolve(self, target: str) -> str | None:
        """A macro target with its `{name}` references replaced; None if one is undefined."""
        names = _REFERENCE_NAME.findall(target)
        if any(name not in self.attributes for name in names):
            return None
        return _REFERENCE_NAME.sub(lambda match: self.attributes[match.group(1)], target) if names else target

    def bare(self, start: int, end: int) -> None:
        for offset, url in find_urls(self.text[start:end]):
            self.found.append((start + offset, url, None))


def _style(attributes: str) -> str:
    """The block style of an attribute list: `source` in `[source,python]`, `[source%linenums]`."""
    first = attributes.split(",", 1)[0].strip()
    return re.split(r"[#.%]", first, maxsplit=1)[0].lower()


def _link_text(raw: str) -> str | None:
    """Link text without named attributes (`Docs,window=_blank`) or the new-window caret."""
    text = raw.replace("\\]", "]")
    if text.startswith('"') and '"' in text[1:]:
        text = text[1 : text.index('"', 1)]
    elif "=" in text and "," in text:
        text = text.split(",", 1)[0]
    text = " ".join(text.strip().strip('"').rstrip("^").split())
    return text or None
