"""The standard library's HTML parser with its quadratic corners closed.

Every HTML page linkcheck reads may come from a hostile server or document, and
`html.parser` has inputs that cost it quadratic time: an unfinished tag tail such as
`<a <a <a …` is re-scanned on every step, and so is an unclosed `<!--` or `<![`. Sixty
kilobytes of `<a ` took it twenty seconds — on the event loop, stalling every check.
Every parser in linkcheck (links, anchors, page text, headings, titles, requisites)
subclasses `SafeHTMLParser` and reads a document with `feed_document`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser

DECLARATION_NAME = re.compile(r"[a-zA-Z][-_.a-zA-Z0-9]*")  # as _markupbase scans it
#: What `feed_document` catches: the parser, or a handler, gave up on malformed markup.
SAFETY_NET = (AssertionError, AttributeError, IndexError, ValueError)


class SafeHTMLParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        # Where a search for a comment's or a marked section's end already failed, in the
        # current buffer: a later search from further on fails too, so it is skipped.
        # Without this, `<!--x> <!--x> …` costs the stdlib parser a scan to the end each.
        self._unclosed: dict[str, int] = {}
        self._unclosed_in: str | None = None

    def feed_document(self, text: str) -> None:
        """Read a whole document; never raises on malformed markup.

        Every tag ends with `>`: nothing after the last one can be a tag, so that tail is
        handed over as text instead of being re-scanned as an unfinished tag.
        """
        end = text.rfind(">") + 1
        try:
            self.feed(text[:end])
            self.close()
        except SAFETY_NET:  # keep what was read
            pass
        self.handle_data(text[end:])

    def parse_comment(self, i: int, report: bool = True) -> int:
        return self._unless_unclosed("-->", i, super().parse_comment, report)

    def parse_marked_section(self, i: int, report: bool = True) -> int:
        name = DECLARATION_NAME.match(self.rawdata, i + 3)
        closer = "]>" if name and name.group().lower() in ("if", "else", "endif") else "]]>"
        return self._unless_unclosed(closer, i, super().parse_marked_section, report)

    def _unless_unclosed(self, closer: str, i: int, parse: Callable[[int, bool], int], report: bool) -> int:
        if self._unclosed_in is not self.rawdata:
            self._unclosed, self._unclosed_in = {}, self.rawdata
        failed = self._unclosed.get(closer, i + 1)
        if closer == "]]>":  # where no `]>` follows, no `]]>` does
            failed = min(failed, self._unclosed.get("]>", failed))
        if i >= failed:
            return -1
        end = parse(i, report)
        if end < 0:
            self._unclosed.setdefault(closer, i)
        return end

    def parse_html_declaration(self, i: int) -> int:
        """`<![ junk` makes the stdlib raise (after moving its position: undone here); report
        it incomplete instead, so that `close` reads it as text, as a browser does."""
        position = self.lineno, self.offset
        try:
            return super().parse_html_declaration(i)
        except AssertionError:
            self.lineno, self.offset = position
            return -1
