"""Links in MediaWiki wikitext: citation templates, external links, bare URLs.

What counts as a citation, each yielded at the first character of its target:

- in `{{cite web}}`, `{{cite news}}`, `{{cite journal}}`, `{{cite book}}`, `{{citation}}`
  and every other `{{cite …}}` template: `url` (with the template's `archive-url` and
  `archive-date` in `RawLink.archive_url` / `archive_date`, and `title` as its text); the
  `archive-url` again as a link of its own (an archive can die too); every other
  `…-url` parameter (`chapter-url`, …); `doi` as `doi:…`; `arxiv` (or `eprint` in
  `{{cite arXiv}}`) as `arXiv:…`. A value built from a nested template is not a URL;
- external links `[https://… text]` (text into `RawLink.text`) and `[https://…]`;
- bare URLs, through the plain-text finder, ended where wikitext ends them (`|`, `[`,
  `]`, `{{`, `}}`, `''`), outside citation templates.

`<!-- comments -->` and `<nowiki>` are always skipped; `<pre>`, `<syntaxhighlight>` and
`<source>` unless `options.include_code` (then only bare URLs are taken from them).
Skipped text is blanked to spaces in a working copy, so offsets stay those of the source.
Templates are matched with one stack over `{{`, `}}`, `[[`, `]]` and `|` (the way the
MediaWiki preprocessor splits parameters, so a nested template or `[[a|b]]` inside a
value does not split it). Every search moves forward and the stack is bounded, so the
work is linear in the input.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from linkcheck.extract import ExtractOptions
from linkcheck.extract.plaintext import LineIndex, find_urls
from linkcheck.models import RawLink

_HIDDEN = re.compile(r"<!--|<(nowiki|pre|syntaxhighlight|source)(?=[\s/>])", re.IGNORECASE)
_STRUCTURE = re.compile(r"\{\{|\}\}|\[\[|\]\]|\|")
_EXTERNAL = re.compile(
    r"\[((?:https?|ftp)://[^\s\[\]<>\"]++|mailto:[^\s\[\]<>\"]++)(?:[ \t]([^\[\]\n]*))?\]", re.IGNORECASE
)
_URL_END = re.compile(r"\||\[|\]|\{\{|\}\}|''")
_NOT_BLANK = re.compile(r"[^\r\n]")
#: An innermost template, `{{lang|da|Vestkyst}}`, read as its last parameter.
_INNER_TEMPLATE = re.compile(r"\{\{(?:[^{}|]*\|)*([^{}|]*)\}\}")
_WIKILINK = re.compile(r"\[\[(?:[^\[\]|]*\|)?([^\[\]|]*)\]\]")
_MAX_NAME = 100  # longest template or parameter name read
_MAX_VALUE = 8192  # longest parameter value read (nested junk costs bounded work)
_MAX_DEPTH = 256  # deeper `{{`/`[[` nesting is read as text (MediaWiki stops far earlier)
_CODE_TAGS = frozenset({"pre", "syntaxhighlight", "source"})
_ARCHIVE_URL = frozenset({"archive-url", "archiveurl"})
_ARCHIVE_DATE = frozenset({"archive-date", "archivedate"})

Found = tuple[int, RawLink]


def extract(text: str, options: ExtractOptions) -> Iterator[RawLink]:
    """Links in a wikitext page, in document order."""
    index = LineIndex(text)
    for offset, link in sorted(_Page(text, options).run(), key=lambda item: item[0]):
        line, column = index.position(offset)
        yield RawLink(
            link.target, line, column, link.text, archive_url=link.archive_url, archive_date=link.archive_date
        )


@dataclass(slots=True)
class _Frame:
    kind: str  # "{{" or "[["
    start: int
    pipes: list[int] = field(default_factory=list)


class _Page:
    def __init__(self, text: str, options: ExtractOptions) -> None:
        self.text = text
        self.options = options
        self.found: list[Found] = []
        self.code: list[tuple[int, int]] = []
        self.masked = self.mask()

    def run(self) -> list[Found]:
        cites = self.templates()
        gap = 0
        for start, end in [*cites, (len(self.text), len(self.text))]:
            if start > gap:
                self.prose(gap, start)
            gap = max(gap, end)
        if self.options.include_code:
            for start, end in self.code:
                self.bare(self.text, start, end)
        return self.found

    def mask(self) -> str:
        """The text with comments, nowiki and code blanked (line breaks kept)."""
        text, pieces, pos, missing = self.text, [], 0, set()
        for_search = 0
        while True:
            match = _HIDDEN.search(text, for_search)
            if match is None:
                break
            if match.group() == "<!--":
                close = text.find("-->", match.end())
                end = len(text) if close < 0 else close + 3
                body = (match.end(), end if close < 0 else close)
            else:
                name = match.group(1).lower()
                gt = text.find(">", match.end())
                if gt < 0:
                    break  # no tag can close any more
                if text[gt - 1] == "/":  # `<nowiki/>`
                    for_search = gt + 1
                    continue
                close = -1 if name in missing else _find_closing(text, name, gt + 1)
                if close < 0:
                    missing.add(name)  # unclosed: the tag is plain text
                    for_search = gt + 1
                    continue
                end = text.find(">", close) + 1
                body = (gt + 1, close)
                if name in _CODE_TAGS:
                    self.code.append(body)
            pieces.append(text[pos : match.start()])
            pieces.append(_NOT_BLANK.sub(" ", text[match.start() : end]))
            pos = for_search = end
        pieces.append(text[pos:])
        return "".join(pieces)

    def templates(self) -> list[tuple[int, int]]:
        """Read every citation template; return their spans (outermost, in order)."""
        stack: list[_Frame] = []
        overflow = 0
        spans: list[tuple[int, int]] = []
        for match in _STRUCTURE.finditer(self.masked):
            token = match.group()
            if token in ("{{", "[["):
                if len(stack) >= _MAX_DEPTH:
                    overflow += 1
                else:
                    stack.append(_Frame(token, match.start()))
            elif overflow and token != "|":
                overflow -= 1
            elif token == "|":
                if stack and stack[-1].kind == "{{":
                    stack[-1].pipes.append(match.start())
            elif stack and stack[-1].kind == ("{{" if token == "}}" else "[["):
                frame = stack.pop()
                if token == "}}" and self.citation(frame, match.start()):
                    while spans and spans[-1][0] > frame.start:
                        spans.pop()  # a citation nested in this one
                    spans.append((frame.start, match.end()))
        return spans

    def citation(self, frame: _Frame, close: int) -> bool:
        """Yield a citation template's links; False if the template is not a citation."""
        name_end = frame.pipes[0] if frame.pipes else close
        if name_end - frame.start > _MAX_NAME:
            return False
        name = " ".join(self.masked[frame.start + 2 : name_end].replace("_", " ").split()).lower()
        if not (name == "citation" or name.startswith("cite ")):
            return False
        params: dict[str, tuple[int, str]] = {}
        for start, end in zip(frame.pipes, [*frame.pipes[1:], close]):
            equals = self.masked.find("=", start + 1, min(end, start + 1 + _MAX_NAME))
            if equals < 0 or end - equals > _MAX_VALUE:
                continue  # positional, or too long to be a URL or a title
            key = "-".join(self.masked[start + 1 : equals].replace("_", "-").split()).lower()
            raw = self.masked[equals + 1 : end]
            value = raw.strip()
            if value:
                params.setdefault(key, (equals + 1 + len(raw) - len(raw.lstrip()), value))
        title = _plain(params.get("title", (0, ""))[1])
        archive = next((params[key] for key in _ARCHIVE_URL if key in params), None)
        archive_date = next((params[key][1] for key in _ARCHIVE_DATE if key in params), None)
        for key, (offset, value) in params.items():
            if "{{" in value:
                continue  # built by a nested template: not a URL as written
            if key == "url":
                self.add(offset, value, title, archive[1] if archive else None, archive_date)
            elif key.endswith("url"):  # archive-url (a cited URL too), chapter-url, …
                self.add(offset, value)
            elif key == "doi":
                self.add(offset, _prefixed(value, "doi:"))
            elif key == "arxiv" or (key == "eprint" and name == "cite arxiv"):
                self.add(offset, _prefixed(value, "arXiv:"))
        return True

    def prose(self, start: int, end: int) -> None:
        """External links, then bare URLs around them, in `[start, end)` of the masked text."""
        gap = start
        for match in _EXTERNAL.finditer(self.masked, start, end):
            self.bare(self.masked, gap, match.start())
            self.add(match.start(1), match.group(1), _plain(match.group(2) or ""))
            gap = match.end()
        self.bare(self.masked, gap, end)

    def bare(self, source: str, start: int, end: int) -> None:
        if end <= start:
            return
        for offset, url in find_urls(source[start:end]):
            cut = _URL_END.search(url)
            if cut:
                url = next(iter(find_urls(url[: cut.start()])), (0, ""))[1]
            if url:
                self.add(start + offset, url)

    def add(
        self, offset: int, target: str, text: str | None = None, archive: str | None = None, date: str | None = None
    ) -> None:
        self.found.append((offset, RawLink(target, None, None, text, archive_url=archive, archive_date=date)))


def _find_closing(text: str, name: str, pos: int) -> int:
    match = re.compile(r"</" + name + r"\s*>", re.IGNORECASE).search(text, pos)
    return match.start() if match else -1


def _prefixed(value: str, prefix: str) -> str:
    return value if "://" in value or value.lower().startswith(prefix.lower()) else prefix + value


def _plain(markup: str) -> str | None:
    """Link text without bold/italic quotes and wikilink brackets, whitespace collapsed."""
    text = _WIKILINK.sub(r"\1", _INNER_TEMPLATE.sub(r"\1", markup)).replace("'''", "").replace("''", "")
    return " ".join(text.split()) or None
