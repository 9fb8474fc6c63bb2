"""Links in reStructuredText, found by a line scanner that follows the indentation rules.

What counts as a citation, each yielded at the position of the URL itself:

- embedded URIs, `` `text <url>`_ `` and `` `text <url>`__ `` (text into `RawLink.text`);
- hyperlink targets, `.. _name: url`, `.. __: url` and `__ url` (a URL continued on
  indented lines is joined, as docutils does; indirect targets `name_` are not URLs);
- `.. image:: url` / `.. figure:: url` and their `:target: url` option;
- bare URLs in prose, through the plain-text finder.

Literal blocks (a paragraph ending in `::`, quoted or indented; doctest blocks), the
code directives (`code-block`, `code`, `sourcecode`, …) and inline literals ``` ``…`` ```
are skipped unless `options.include_code` (then only bare URLs are taken from them);
comments are always skipped. Interpreted text and roles (`:doc:`, `:ref:`, …) are not URLs.

docutils reports positions per block, not per URL, so a hand-written scanner works on
line spans of the original text (`\\n`, `\\r\\n` and `\\r` all end a line, as in
`LineIndex`); every construct is scanned once, so the work is linear in the input.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from itertools import accumulate
from operator import add, sub

from linkcheck.extract import ExtractOptions
from linkcheck.extract.plaintext import find_urls, links_at
from linkcheck.models import RawLink

_EOL = re.compile(r"\r\n?|\n")
_NAME = r"[A-Za-z0-9]+(?:[-_.:+][A-Za-z0-9]+)*"
_DIRECTIVE = re.compile(r"\.\.[ \t]+(?:\|[^|]+\|[ \t]+)?(" + _NAME + r")::(?=\s|$)[ \t]*")
_TARGET = re.compile(r"\.\.[ \t]+_(`[^`]*`|(?:[^\\:`]|\\.)*):(?=\s|$)[ \t]*")
_ANONYMOUS = re.compile(r"__[ \t]+")
_FOOTNOTE = re.compile(r"\.\.[ \t]+\[[^\]]+\]")
_OPTION = re.compile(r":([^:\s][^:]*):(?:[ \t]+|$)")
_LIST_MARKER = re.compile(r"(?:[-*+\u2022\u2023\u2043]|\(?(?:\d+|#)[.)]|\([A-Za-z]+\)|[A-Za-z]\))[ \t]+(?=\S)")
_ROLE_BEFORE = re.compile(r":" + _NAME + r":$")
_ROLE_AFTER = re.compile(r":" + _NAME + r":")
_CODE_DIRECTIVES = frozenset(
    {"code-block", "code", "sourcecode", "doctest", "testcode", "testsetup", "testcleanup", "testoutput", "ipython"}
)
_CODE_ROLES = frozenset({"code", "literal", "samp", "file", "kbd", "command", "math"})
_IMAGE_DIRECTIVES = frozenset({"image", "figure"})
_PUNCTUATION = frozenset(string.punctuation)
_ROLE_WINDOW = 64  # longest role name looked for before a backtick


def extract(text: str, options: ExtractOptions) -> Iterator[RawLink]:
    """Links in a reStructuredText document, in document order."""
    return links_at(text, _RstScanner(text, options).run())


def _line_table(text: str) -> tuple[list[int], list[int], list[int], list[str], list[int]]:
    """Per line: start and end offsets (terminator excluded), the offset of its first
    non-blank character, the line from there (right-stripped), and its indentation
    width (tabs to 8). Flat lists, not tuples: a million-line file stays cheap."""
    contents = _EOL.split(text)
    lengths = [len(line) for line in contents]
    starts = [0, *accumulate(map(add, lengths, [*map(len, _EOL.findall(text)), 0]))]
    del starts[-1]
    stripped = [line.lstrip(" \t") for line in contents]
    leads = list(map(sub, lengths, map(len, stripped)))
    bodies = [body.rstrip() for body in stripped]
    ends = list(map(add, starts, lengths))
    offsets = list(map(add, starts, leads))
    if "\t" in text:
        leads = [len(line[:lead].expandtabs(8)) for line, lead in zip(contents, leads)]
    return starts, ends, offsets, bodies, leads


class _RstScanner:
    def __init__(self, text: str, options: ExtractOptions) -> None:
        self.text = text
        self.options = options
        self.starts, self.ends, self.offsets, self.bodies, self.indents = _line_table(text)
        self.count = len(self.starts)
        self.found: list[tuple[int, str, str | None]] = []
        #: Index of the next ``` `` ``` at or after the last search; -1 once there is none.
        self._double_tick = -2

    # -- lines (measured once each) -------------------------------------------------------

    def content(self, i: int) -> tuple[int, str]:
        """(offset of the first non-blank character, the line from there) of line `i`."""
        return self.offsets[i], self.bodies[i]

    def indent(self, i: int) -> int:
        return self.indents[i]

    def blank(self, i: int) -> bool:
        return not self.bodies[i]

    def block_end(self, i: int, indent: int) -> int:
        """First line after `i` that is not blank and indented at most `indent`."""
        j = i + 1
        while j < self.count and (not self.bodies[j] or self.indents[j] > indent):
            j += 1
        return j

    # -- blocks ------------------------------------------------------------------------

    def run(self) -> list[tuple[int, str, str | None]]:
        i, count, bodies = 0, self.count, self.bodies
        while i < count:
            body = bodies[i]
            if not body:
                i += 1
                continue
            offset = self.offsets[i]
            if body.startswith("..") and (len(body) == 2 or body[2] in " \t"):
                i = self.explicit(i, offset, body)
            elif _ANONYMOUS.match(body):
                i = self.target(i, offset + _ANONYMOUS.match(body).end(), None)  # type: ignore[union-attr]
            else:
                i = self.paragraph(i)
        return self.found

    def paragraph(self, first: int) -> int:
        """A run of lines aligned with the first one's text; then its literal block, if any."""
        indent = self.indent(first)
        _, body = self.content(first)
        marker = _LIST_MARKER.match(body)
        inner = indent + (len(body[: marker.end()].expandtabs(8)) if marker else 0)
        last = first
        while last + 1 < self.count and not self.blank(last + 1):
            nxt = self.content(last + 1)[1]
            if self.indent(last + 1) not in (indent, inner) or nxt.startswith(("..", "__ ")):
                break
            last += 1
        start, end = self.starts[first], self.ends[last]
        if body.startswith(">>>"):  # a doctest block is code
            self.code(start, end)
        else:
            self.inline(start, end)
        if not self.content(last)[1].endswith("::"):
            return last + 1
        return self.literal_block(last + 1, inner)

    def literal_block(self, i: int, indent: int) -> int:
        """Skip the indented (or quoted) literal block that follows a `::` paragraph."""
        while i < self.count and self.blank(i):
            i += 1
        if i >= self.count:
            return i
        if self.indent(i) > indent:
            end = self.block_end(i, indent)
        else:
            body = self.content(i)[1]
            if self.indent(i) != indent or body[:1] not in _PUNCTUATION:
                return i
            end = i
            while end < self.count and not self.blank(end) and self.content(end)[1][:1] == body[0]:
                end += 1
        self.code(self.starts[i], self.ends[end - 1])
        return end

    def explicit(self, i: int, offset: int, body: str) -> int:
        """An explicit markup block: directive, target, footnote, or comment."""
        indent = self.indent(i)
        directive = _DIRECTIVE.match(body)
        if directive:
            name = directive.group(1).lower()
            argument = offset + directive.end()
            if name in _CODE_DIRECTIVES:
                end = self.block_end(i, indent)
                if end > i + 1:
                    self.code(self.starts[i + 1], self.ends[end - 1])
                return end
            if name in _IMAGE_DIRECTIVES:
                return self.image(i, indent, argument)
            self.inline(argument, self.ends[i])  # `replace::` text, admonition titles
            return i + 1  # options and content are ordinary (indented) body elements
        target = _TARGET.match(body)
        if target:
            name = target.group(1).strip("`")
            return self.target(i, offset + target.end(), None if name == "_" else name)
        if _FOOTNOTE.match(body):
            return self.paragraph(i)
        if body == ".." and (i + 1 >= self.count or self.blank(i + 1)):
            return i + 1  # an empty comment consumes nothing after it
        return self.block_end(i, indent)  # a comment, with its indented continuation

    def target(self, i: int, value: int, name: str | None) -> int:
        """`.. _name: url`: the URL may go on over the indented lines right below."""
        end = i + 1
        while end < self.count and not self.blank(end) and self.indent(end) > self.indent(i):
            end += 1
        parts: list[str] = []
        start = -1
        for j in range(i, end):
            chunk = self.text[value : self.ends[j]] if j == i else self.content(j)[1]
            if chunk.strip():
                if start < 0:
                    start = value + len(chunk) - len(chunk.lstrip()) if j == i else self.content(j)[0]
                parts.append(chunk.strip())
        target = "".join("".join(parts).split())
        if target and not _is_alias(target):
            self.found.append((start, target.replace("\\_", "_"), name))
        return end

    def image(self, i: int, indent: int, argument: int) -> int:
        """`.. image:: url` with its options; a figure's caption is read as body text after."""
        j, url_at, url_end = i + 1, argument, self.ends[i]
        on_next_line = j < self.count and not self.blank(j) and self.indent(j) > indent
        if not self.text[argument:url_end].strip() and on_next_line and not _OPTION.match(self.content(j)[1]):
            url_at, url_end = self.content(j)[0], self.ends[j]
            j += 1
        url = "".join(self.text[url_at:url_end].split()[:1])
        options: dict[str, tuple[int, str]] = {}
        while j < self.count and not self.blank(j) and self.indent(j) > indent:
            offset, body = self.content(j)
            option = _OPTION.match(body)
            if not option:
                break
            options.setdefault(option.group(1).lower(), (offset + option.end(), body[option.end() :].strip()))
            j += 1
        alt = options.get("alt", (0, ""))[1] or None
        if url:
            self.found.append((url_at, url, alt))
        target_at, target = options.get("target", (0, ""))
        if target and not _is_alias(target):
            self.found.append((target_at, target, alt))
        return j

    # -- inline ------------------------------------------------------------------------

    def inline(self, start: int, end: int) -> None:
        """Embedded URIs and bare URLs in the text `[start, end)`, skipping literals and roles."""
        text, gap, pos = self.text, start, start
        while True:
            tick = text.find("`", pos, end)
            if tick < 0:
                break
            if tick > start and text[tick - 1] == "\\":
                pos = tick + 1
                continue
            if text.startswith("``", tick):
                close = self._find_double_tick(tick + 2, end)
                if close < 0:
                    pos = tick + 2
                    continue
                self.bare(gap, tick)
                if self.options.include_code:
                    self.bare(tick + 2, close)
                gap = pos = close + 2
                continue
            close = text.find("`", tick + 1, end)
            if close < 0:
                break
            self.interpreted(start, tick, close, end)
            self.bare(gap, tick)
            gap = pos = close + 1
        self.bare(gap, end)

    def interpreted(self, start: int, tick: int, close: int, end: int) -> None:
        """`` `…` `` between `tick` and `close`: an embedded URI, a code role, or nothing."""
        text = self.text
        role = _ROLE_BEFORE.search(text, max(start, tick - _ROLE_WINDOW), tick)
        after = _ROLE_AFTER.match(text, close + 1, min(end, close + 1 + _ROLE_WINDOW))
        found_role = role or after
        role_name = found_role.group()[1:-1].lower() if found_role else None
        if role_name in _CODE_ROLES:
            if self.options.include_code:
                self.bare(tick + 1, close)
            return
        if role_name is not None or not text.startswith("_", close + 1):
            return
        content = text[tick + 1 : close].rstrip()
        lt = content.rfind("<")
        if not content.endswith(">") or lt < 0 or (lt > 0 and not content[lt - 1].isspace()):
            return
        raw = content[lt + 1 : -1]
        target = "".join(raw.split())
        if target and not _is_alias(target):
            label = " ".join(content[:lt].split()) or None
            self.found.append((tick + 1 + lt + 1 + len(raw) - len(raw.lstrip()), target, label))

    def _find_double_tick(self, pos: int, end: int) -> int:
        if self._double_tick == -1 or (self._double_tick >= pos):
            at = self._double_tick
        else:
            at = self._double_tick = self.text.find("``", pos)
        return at if 0 <= at < end else -1

    def bare(self, start: int, end: int) -> None:
        if end > start:
            for offset, url in find_urls(self.text[start:end]):
                self.found.append((start + offset, url, None))

    def code(self, start: int, end: int) -> None:
        if self.options.include_code:
            self.bare(start, end)


def _is_alias(target: str) -> bool:
    """`name_` refers to another target by name (unless it has a scheme or escapes the `_`)."""
    return target.endswith("_") and not target.endswith("\\_") and ":" not in target
