"""Links in Markdown, through a real CommonMark parser (pulldown-cmark, via pyromark).

What is yielded, each at the position of the URL itself in the source:

- inline links and images, `[text](url "title")`, `![alt](<url>)`: the destination as
  the parser reads it (escapes and entities resolved), positioned after `(` or `(<`;
- reference links: each *definition* `[label]: url` once, at its URL, with the text
  of its first use (None if nothing uses it);
- autolinks `<https://…>` and `<user@host>` (the latter as `mailto:user@host`);
- bare URLs in text (GitHub's extended autolinks), via the plain-text extractor run
  over runs of adjacent text events (an escape or entity splits a run in the event
  stream but not in the text);
- links in raw HTML (HTML blocks and inline HTML), via the HTML extractor.

Code spans and code blocks are skipped unless `options.include_code`. pyromark reports
UTF-8 byte ranges; `_Offsets` turns them into character offsets in bounded time each.
"""

from __future__ import annotations

import html as _html
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

import pyromark

from linkcheck.extract import ExtractOptions
from linkcheck.extract import html as html_extract
from linkcheck.extract.plaintext import find_urls, line_columns
from linkcheck.models import RawLink

# What GitHub renders: tables, footnotes, strikethrough, task lists, alerts, front matter.
_PARSER = pyromark.Markdown(
    options=pyromark.Options.ENABLE_TABLES
    | pyromark.Options.ENABLE_FOOTNOTES
    | pyromark.Options.ENABLE_STRIKETHROUGH
    | pyromark.Options.ENABLE_TASKLISTS
    | pyromark.Options.ENABLE_GFM
    | pyromark.Options.ENABLE_YAML_STYLE_METADATA_BLOCKS
)
_INLINE_TAGS = frozenset({"Emphasis", "Strong", "Strikethrough", "Superscript", "Subscript"})
_LINK_OR_BLOCK = frozenset({"Link", "Image", "CodeBlock", "HtmlBlock"})
_REFERENCE_TYPES = frozenset({"Reference", "Collapsed", "Shortcut"})
_SPACE = b" \t\r\n"
_SPACE_OR_ANGLE = frozenset(b" \t\r\n<")
_CHECKPOINT = 64  # characters between byte->char checkpoints


def extract(text: str, options: ExtractOptions, *, fast: bool = True) -> Iterator[RawLink]:
    """Links in a Markdown document, in document order (`fast=False`: see `_Walker.run`)."""
    found = _Walker(text, options).run(fast)
    found.sort(key=itemgetter(0))
    positions = line_columns(text, [item[0] for item in found])
    for (_, target, link_text, base), (line, column) in zip(found, positions):
        yield RawLink(target, line, column, link_text, base)


class _Offsets:
    """UTF-8 byte offset -> character offset, without decoding more than a few bytes.

    For ASCII the two are equal. Otherwise a checkpoint every `_CHECKPOINT` characters
    records its byte offset; a lookup bisects to the checkpoint and decodes the rest.
    """

    def __init__(self, text: str, source: bytes) -> None:
        self.source = source
        self.ascii = len(source) == len(text)
        self._bytes: list[int] = []
        if not self.ascii:
            total = 0
            for start in range(0, len(text), _CHECKPOINT):
                self._bytes.append(total)
                total += len(text[start : start + _CHECKPOINT].encode())

    def char(self, byte: int) -> int:
        if self.ascii:
            return byte
        checkpoint = bisect_right(self._bytes, byte) - 1
        start = self._bytes[checkpoint]
        return checkpoint * _CHECKPOINT + len(self.source[start:byte].decode("utf-8", "replace"))


@dataclass(slots=True)
class _Buffer:
    """Text assembled from several source ranges, and the way back to the source.

    Each piece records where it starts in the buffer and in the source (bytes); a piece
    whose text is its source slice maps character by character, any other piece (an
    entity, a line stripped of its blockquote marker) maps to its start.
    """

    parts: list[str] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    pieces: list[tuple[int, int, bool | None]] = field(default_factory=list)  # (byte start, end, exact)
    length: int = 0

    def add(self, text: str, start: int, end: int, exact: bool | None) -> None:
        self.parts.append(text)
        self.starts.append(self.length)
        self.pieces.append((start, end, exact))
        self.length += len(text)

    def text(self) -> str:
        return "".join(self.parts)

    def source_offset(self, offset: int, offsets: _Offsets) -> int:
        """The character offset in the document of the buffer's character at `offset`."""
        index = bisect_right(self.starts, offset) - 1
        start, end, exact = self.pieces[index]
        if exact is None:
            exact = offsets.source[start:end] == self.parts[index].encode()
        base = offsets.char(start)
        return base + offset - self.starts[index] if exact else base


@dataclass(slots=True)
class _Frame:
    """An open link or image: where its text ends in the source, and the text so far."""

    data: dict[str, Any]
    start: int
    end: int
    inner_end: int
    words: list[str] = field(default_factory=list)


_Found = tuple[int, str, str | None, str | None]  # (char offset, target, text, base)


class _Walker:
    """One pass over the event stream, collecting `_Found` tuples."""

    def __init__(self, text: str, options: ExtractOptions) -> None:
        self.text = text
        self.source = text.encode()
        self.include_code = options.include_code
        self.offsets = _Offsets(text, self.source)
        self.found: list[_Found] = []
        self.frames: list[_Frame] = []
        self.code_depth = 0
        #: The current run of adjacent text events, (text, its byte span): scanned for bare URLs.
        self.pending: list[tuple[str, dict[str, int]]] = []
        self.inline_html: _Buffer | None = None  # inline HTML (and its text) of the current block
        self.html_block: _Buffer | None = None
        self.definitions = _definitions_by_key(_PARSER.reference_definitions(text))
        self.first_use: dict[str, str | None] = {}

    def run(self, fast: bool = True) -> list[_Found]:
        """Every link of the document; `fast=False` reads each event through `_dispatch`
        alone, the plain reference for what the fast loop does with shortcuts."""
        events: Iterator[tuple[Any, Any]] = _PARSER.events_with_range(self.text)
        if fast:
            self._run_fast(events)
        else:
            for event, span in events:
                self._dispatch(event, span)
        self._flush_text()
        self._flush_inline_html()
        self._add_definitions()
        return self.found

    def _dispatch(self, event: Any, span: dict[str, int]) -> None:
        """One event of any kind."""
        if type(event) is str:  # SoftBreak, HardBreak, Rule
            self._break(span["start"], span["end"])
        elif "Text" in event:
            self._on_text(event["Text"], span["start"], span["end"])
        else:
            self._flush_text()  # anything but text ends a run of text
            self._on_other(event, span["start"], span["end"])

    def _run_fast(self, events: Iterator[tuple[Any, Any]]) -> None:
        """`_dispatch` for each event, with the commonest events handled inline.

        This loop is the hot path. Text, links outside inline HTML and paragraphs are told
        apart by `in` tests, with the state they need in locals (`_on_other` alone changes
        it), and a run of text is scanned for URLs only if it may hold one.
        """
        frames, pending, scan_code = self.frames, self.pending, self.include_code
        in_html = in_code = False
        for event, span in events:  # one-key dicts or bare strings (pyromark.event)
            if type(event) is str:
                self._break(span["start"], span["end"])
                continue
            if "Text" in event:
                if in_html:
                    self._on_text(event["Text"], span["start"], span["end"])
                elif frames:  # link text
                    frames[-1].inner_end = max(frames[-1].inner_end, span["end"])
                    for frame in frames:
                        frame.words.append(event["Text"])
                elif scan_code or not in_code:
                    pending.append((event["Text"], span))
                continue
            if pending:  # anything but text ends a run of text
                if len(pending) > 1 or _may_hold_url(pending[0][0]):
                    self._flush_text()
                else:
                    pending.clear()
            if "Start" in event:
                tag = event["Start"]
                if tag == "Paragraph" and not in_html:
                    continue
                if type(tag) is dict and ("Link" in tag or "Image" in tag):
                    start = span["start"]
                    if frames and start > frames[-1].inner_end:
                        frames[-1].inner_end = start
                    data, skip = (tag["Link"], 1) if "Link" in tag else (tag["Image"], 2)
                    frames.append(_Frame(data, start, span["end"], start + skip))
                    continue
            elif "End" in event:
                if event["End"] == "Paragraph" and not in_html:
                    continue
                if frames and (event["End"] == "Link" or event["End"] == "Image"):
                    self._close_link(frames.pop())
                    if frames and span["end"] > frames[-1].inner_end:
                        frames[-1].inner_end = span["end"]
                    continue
            self._on_other(event, span["start"], span["end"])
            in_html, in_code = self.inline_html is not None, self.code_depth > 0

    # -- events -----------------------------------------------------------------

    def _on_other(self, event: dict[str, Any], start: int, end: int) -> None:
        """Any event but text and breaks."""
        ((kind, value),) = event.items()
        if type(value) is str and value not in _LINK_OR_BLOCK and (kind == "Start" or kind == "End"):
            # The bulk of the stream: paragraphs, items, cells, emphasis.
            if value in _INLINE_TAGS:
                self._note_inner(end)
            elif self.inline_html is not None:
                self._flush_inline_html()
        elif kind == "Start":
            self._on_start(value, start, end)
        elif kind == "End":
            self._on_end(value, start, end)
        elif kind == "Code":
            self._on_code(value, start, end)
        elif kind == "Html":
            if self.html_block is not None:
                self._add_piece(self.html_block, value, start, end)
        elif kind == "InlineHtml":
            self._note_inner(end)
            if self.inline_html is None:
                self.inline_html = _Buffer()
            self._add_piece(self.inline_html, value, start, end)
        else:  # footnote references, task markers, math
            self._note_inner(end)

    def _in_link_or_html(self, value: str, start: int, end: int) -> bool:
        """Give text to the inline HTML around it and to the open links; True if a link took it."""
        if self.inline_html is not None:
            self.inline_html.add(_html.escape(value, quote=False), start, end, False)
        if not self.frames:
            return False
        self._note_inner(end)
        for frame in self.frames:
            frame.words.append(value)
        return True

    def _on_text(self, value: str, start: int, end: int) -> None:
        """Text inside a link (its text) or inside a block with inline HTML."""
        if self._in_link_or_html(value, start, end):
            return
        if self.code_depth == 0 or self.include_code:
            self.pending.append((value, {"start": start, "end": end}))

    def _on_start(self, tag: Any, start: int, end: int) -> None:
        name = tag if type(tag) is str else next(iter(tag))
        if name in ("Link", "Image"):
            self._note_inner(start)
            self.frames.append(_Frame(tag[name], start, end, start + (2 if name == "Image" else 1)))
            return
        if name in _INLINE_TAGS:
            self._note_inner(start)
            return
        self._flush_inline_html()
        if name == "CodeBlock":
            self.code_depth += 1
        elif name == "HtmlBlock":
            self.html_block = _Buffer()

    def _on_end(self, tag: Any, start: int, end: int) -> None:
        name = tag if type(tag) is str else next(iter(tag))
        if name in ("Link", "Image") and self.frames:
            self._close_link(self.frames.pop())
            self._note_inner(end)
            return
        if name in _INLINE_TAGS:
            self._note_inner(end)
            return
        self._flush_inline_html()
        if name == "CodeBlock":
            self.code_depth -= 1
        elif name == "HtmlBlock" and self.html_block is not None:
            self._add_html(self.html_block)
            self.html_block = None

    def _on_code(self, value: str, start: int, end: int) -> None:
        if self._in_link_or_html(value, start, end):
            return
        if self.include_code:  # a code span's text is its source minus backticks and line ends
            for _, url in find_urls(value):
                at = self.source.find(url.encode(), start, end)
                self._found(at if at >= 0 else start, url)

    def _break(self, start: int, end: int) -> None:
        self._flush_text()
        self._note_inner(end)
        for frame in self.frames:
            frame.words.append(" ")
        if self.inline_html is not None:
            self.inline_html.add("\n", start, end, False)

    # -- links ------------------------------------------------------------------

    def _note_inner(self, end: int) -> None:
        if self.frames and end > self.frames[-1].inner_end:
            self.frames[-1].inner_end = end

    def _close_link(self, frame: _Frame) -> None:
        data = frame.data
        link_type, target = data["link_type"], data["dest_url"]
        text = " ".join("".join(frame.words).split()) or None
        if link_type == "Inline":  # the commonest, tested first
            at = self._inline_destination(frame)
        elif link_type in _REFERENCE_TYPES:
            label = _label_key(data["id"])
            if label in self.definitions:
                self.first_use.setdefault(label, text)
                return
            at = frame.start
        elif link_type == "Autolink":
            at = frame.start + 1
        elif link_type == "Email":
            at, target = frame.start + 1, f"mailto:{target}"
        else:
            at = self._inline_destination(frame)
        if target:
            self._found(at, target, text)

    def _inline_destination(self, frame: _Frame) -> int:
        """The byte offset of `url` in `[text](url)`: after `](`, blanks and an optional `<`."""
        source, end = self.source, frame.end
        close = source.find(b"](", frame.inner_end, end) + 2
        if close < 2:
            return frame.start
        if close < end and source[close] not in _SPACE_OR_ANGLE:  # `](url`: nothing to skip
            return close
        return _skip_blanks(source, close, end)

    def _add_definitions(self) -> None:
        """Each reference definition once, at its URL, with the text of its first use."""
        for label, (target, start, end) in self.definitions.items():
            if not target:
                continue
            close = _label_end(self.source, start, end)
            at = _skip_blanks(self.source, close + 2, end) if close >= 0 else start
            self._found(at, target, self.first_use.get(label))

    # -- buffers ----------------------------------------------------------------

    def _add_piece(self, buffer: _Buffer, value: str, start: int, end: int) -> None:
        """Add an event's text, split by line when the parser stripped container markers."""
        if "\n" not in value:
            buffer.add(value, start, end, None)  # exactness is checked only if a link is in it
            return
        raw = self.source[start:end]
        if raw == value.encode():
            buffer.add(value, start, end, True)
            return
        # A multi-line event inside a blockquote or list: each of its lines is the end
        # of a source line (the container's `> ` or indentation was cut from the front).
        source_lines = raw.split(b"\n")
        lines = value.split("\n")
        position = start
        for index, line in enumerate(lines):
            body = line.encode()
            source_line = source_lines[index] if index < len(source_lines) else b""
            aligned = source_line.rstrip(b"\r").endswith(body)
            piece_start = position + len(source_line.rstrip(b"\r")) - len(body) if aligned else position
            buffer.add(line if index == len(lines) - 1 else line + "\n", piece_start, piece_start + len(body), aligned)
            position += len(source_line) + 1

    def _flush_text(self) -> None:
        """Scan the run of text for bare URLs; the run then starts afresh."""
        pending = self.pending
        if not pending:
            return
        text = pending[0][0] if len(pending) == 1 else "".join([piece[0] for piece in pending])
        buffer = None
        for offset, url in find_urls(text):
            if buffer is None:  # most runs have no URL: no buffer is built for them
                buffer = _Buffer()
                for value, span in pending:
                    self._add_piece(buffer, value, span["start"], span["end"])
            self._found_char(buffer.source_offset(offset, self.offsets), url)
        pending.clear()

    def _flush_inline_html(self) -> None:
        if self.inline_html is not None:
            self._add_html(self.inline_html)
            self.inline_html = None

    def _add_html(self, buffer: _Buffer) -> None:
        for link in html_extract.find_links(buffer.text()):
            self._found_char(buffer.source_offset(link.offset, self.offsets), link.target, link.text, link.base)

    def _found(self, byte: int, target: str, text: str | None = None) -> None:
        self.found.append((self.offsets.char(byte), target, text, None))

    def _found_char(self, offset: int, target: str, text: str | None = None, base: str | None = None) -> None:
        self.found.append((offset, target, text, base))


def _may_hold_url(text: str) -> bool:
    """False where `find_urls` surely finds nothing: it needs `://`, `www.` or `mailto:`
    (in any case). A search for one character is the quickest there is (memchr)."""
    return ":" in text or "www." in text.lower()


def _label_key(label: str) -> str:
    """How CommonMark matches labels: case-folded, inner whitespace collapsed."""
    return " ".join(label.split()).casefold()


def _definitions_by_key(definitions: dict[str, Any]) -> dict[str, tuple[str, int, int]]:
    """Matching key -> (destination, span start, span end), in document order."""
    return {
        _label_key(label): (item["dest"], item["span"]["start"], item["span"]["end"])
        for label, item in definitions.items()
    }


def _label_end(source: bytes, start: int, end: int) -> int:
    """The offset of the `]` closing the label of a definition starting at `start`."""
    position = source.find(b"[", start, end) + 1
    while 0 < position < end:
        char = source[position]
        if char == 0x5C:  # backslash escapes the next character
            position += 2
        elif char == 0x5D:
            return position
        else:
            position += 1
    return -1


def _skip_blanks(source: bytes, position: int, end: int) -> int:
    """Skip blanks and line breaks (and a blockquote's `>` after one), then an opening `<`."""
    after_newline = False
    while position < end:
        char = source[position]
        if char in _SPACE:
            after_newline = after_newline or char in b"\r\n"
        elif not (after_newline and char == 0x3E):  # `>` of a blockquote continuation line
            break
        position += 1
    if source[position : position + 1] == b"<":
        position += 1
    return position
