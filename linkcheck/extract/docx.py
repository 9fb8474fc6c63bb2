"""Links in Word documents (`.docx`, WordprocessingML), read with zipfile and ElementTree.

What counts as a citation in the main document part, each with `paragraph` = the 1-based
index of the `w:p` that holds it (body paragraphs in document order, table cells
included) and `text` = the link's visible text (`line`/`column` are None):

- a `w:hyperlink` whose `r:id` names an external relationship (`TargetMode="External"`);
- a `HYPERLINK "url"` field, complex (`w:fldChar` + `w:instrText`, the instruction may be
  split across runs) or simple (`w:fldSimple w:instr`); a `\\l "bookmark"` switch is
  appended as the fragment;
- a bare URL in a paragraph's text outside those links, via the plain-text extractor.

Not citations: links to bookmarks (`w:anchor`, `HYPERLINK \\l` alone) and to parts of the
package, deleted text of tracked changes, and the fallback copy of alternate content.
Headers, footers, footnotes, endnotes and comments are separate parts and are not read.
Not a zip, or no main document part, raises `ExtractionError`.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from xml.etree import ElementTree

from linkcheck.extract import ExtractionError, ExtractOptions
from linkcheck.extract.epub import Container
from linkcheck.extract.plaintext import find_urls
from linkcheck.models import RawLink

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_OFFICE_DOCUMENT = "/officeDocument"
_DEFAULT_MAIN = "word/document.xml"
#: Elements whose content is not shown as text of the document.
_SKIPPED = frozenset({f"{_W}del", f"{_W}moveFrom", _MC_FALLBACK, f"{_W}pPr", f"{_W}rPr", f"{_W}sectPr"})
#: Run content read as text (anything else in a run, such as a drawing, is walked into).
_CHARACTERS = {f"{_W}tab": "\t", f"{_W}br": "\n", f"{_W}cr": "\n", f"{_W}noBreakHyphen": "-"}
_FIELD_TOKEN = re.compile(r'"([^"]*)"|(\S+)')
#: HYPERLINK switches followed by an argument: bookmark, tooltip, target frame.
_SWITCHES_WITH_ARGUMENT = frozenset({"\\l", "\\o", "\\t"})


def extract(data: bytes, options: ExtractOptions) -> Iterator[RawLink]:
    """Links in the main document part, paragraph by paragraph, in document order."""
    container = Container(data, "DOCX")
    main = _main_part(container)
    if not container.has(main):
        raise ExtractionError(f"not a valid DOCX: the main document part {main} is missing")
    document = container.xml(main)
    walker = _Walker(_external_targets(container, main))
    try:
        walker.visit(document)
    except RecursionError:
        raise ExtractionError(f"damaged DOCX: {main} nests elements too deeply") from None
    yield from walker.links


def _main_part(container: Container) -> str:
    """The main document part named by the package relationships (Word's default otherwise)."""
    if container.has("_rels/.rels"):
        for relation in container.xml("_rels/.rels").iter(_RELS):
            if relation.get("Type", "").endswith(_OFFICE_DOCUMENT) and relation.get("Target"):
                return posixpath.normpath(relation.get("Target", "").lstrip("/"))
    return _DEFAULT_MAIN


def _external_targets(container: Container, part: str) -> dict[str, str]:
    """Relationship id -> target, for the part's external relationships."""
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", f"{name}.rels")
    if not container.has(rels):
        return {}
    return {
        relation.get("Id", ""): relation.get("Target", "").strip()
        for relation in container.xml(rels).iter(_RELS)
        if relation.get("TargetMode") == "External"
    }


@dataclass(slots=True)
class _Paragraph:
    """A paragraph being read: its number, its text (link text blanked out), its links."""

    number: int
    text: list[str] = field(default_factory=list)
    length: int = 0
    links: list[tuple[int, RawLink]] = field(default_factory=list)  # (offset in text, link)
    done: bool = False

    def add(self, text: str) -> None:
        self.text.append(text)
        self.length += len(text)


@dataclass(slots=True)
class _Open:
    """An open link (element or field): its target (None while unknown), paragraph, offset, words."""

    target: str | None
    paragraph: _Paragraph
    offset: int
    words: list[str] = field(default_factory=list)
    field_phase: str | None = None  # "instruction" or "result" for fields
    instruction: list[str] = field(default_factory=list)


class _Walker:
    """One pass over the document in order; `links` is the result."""

    def __init__(self, targets: dict[str, str]) -> None:
        self.targets = targets
        self.links: list[RawLink] = []
        self.count = 0
        self.paragraphs: list[_Paragraph] = []  # nested when a text box sits inside a paragraph
        self.open: list[_Open] = []  # open hyperlinks and fields, innermost last

    def visit(self, element: ElementTree.Element) -> None:
        tag = element.tag
        if tag in _SKIPPED:
            return
        if tag == f"{_W}p":
            self._paragraph(element)
        elif tag == f"{_W}hyperlink":
            target = self.targets.get(element.get(f"{_R}id", ""))
            self._link(_Open(target, *self._here()) if target else None, element)
        elif tag == f"{_W}fldSimple":
            opened = _Open(None, *self._here(), field_phase="result", instruction=[element.get(f"{_W}instr", "")])
            opened.target = _hyperlink_field(opened.instruction)
            self._link(opened if opened.target else None, element)
        elif tag == f"{_W}fldChar":
            self._field_char(element.get(f"{_W}fldCharType", ""))
        elif tag == f"{_W}instrText":
            if self.open and self.open[-1].field_phase == "instruction":
                self.open[-1].instruction.append(element.text or "")
        elif tag == f"{_W}t":
            self._text(element.text or "")
        elif tag in _CHARACTERS:
            self._text(_CHARACTERS[tag])
        else:
            for child in element:
                self.visit(child)

    def _here(self) -> tuple[_Paragraph, int]:
        paragraph = self.paragraphs[-1] if self.paragraphs else _Paragraph(0)
        return paragraph, paragraph.length

    def _paragraph(self, element: ElementTree.Element) -> None:
        self.count += 1
        paragraph = _Paragraph(self.count)
        self.paragraphs.append(paragraph)
        for child in element:
            self.visit(child)
        self.paragraphs.pop()
        paragraph.done = True
        for opened in self.open:
            opened.words.append(" ")  # a link that goes on in the next paragraph
        text = "".join(paragraph.text)
        found = paragraph.links + [
            (offset, RawLink(url, None, None, paragraph=paragraph.number)) for offset, url in find_urls(text)
        ]
        self.links.extend(link for _, link in sorted(found, key=lambda item: item[0]))

    def _link(self, opened: _Open | None, element: ElementTree.Element) -> None:
        if opened is not None:
            self.open.append(opened)
        for child in element:
            self.visit(child)
        if opened is not None:
            self.open.remove(opened)
            self._close(opened)

    def _field_char(self, kind: str) -> None:
        if kind == "begin":
            self.open.append(_Open(None, *self._here(), field_phase="instruction"))
            return
        fields = [opened for opened in self.open if opened.field_phase is not None]
        if not fields:
            return
        innermost = fields[-1]
        if kind == "separate" and innermost.field_phase == "instruction":
            innermost.field_phase = "result"
            innermost.target = _hyperlink_field(innermost.instruction)
        elif kind == "end":
            self.open.remove(innermost)
            if innermost.target:
                self._close(innermost)

    def _text(self, text: str) -> None:
        if self.open and self.open[-1].field_phase == "instruction":
            return  # text inside a field instruction is not shown
        collecting = [opened for opened in self.open if opened.target]
        for opened in collecting:
            opened.words.append(text)
        if self.paragraphs:
            # Link text is blanked out of the paragraph: it is the link's text, not a bare URL.
            self.paragraphs[-1].add(" " * len(text) if collecting else text)

    def _close(self, opened: _Open) -> None:
        assert opened.target is not None
        text = " ".join("".join(opened.words).split()) or None
        link = RawLink(opened.target, None, None, text, paragraph=opened.paragraph.number or None)
        if opened.paragraph.done or opened.paragraph.number == 0:
            self.links.append(link)  # a field that ended in a later paragraph (or outside any)
        else:
            opened.paragraph.links.append((opened.offset, link))


def _hyperlink_field(instruction: list[str]) -> str | None:
    """The target of a `HYPERLINK "url" \\l "fragment" \\o "tip"` instruction, else None."""
    tokens = [quoted or bare for quoted, bare in _FIELD_TOKEN.findall("".join(instruction))]
    if not tokens or tokens[0].upper() != "HYPERLINK":
        return None
    target, fragment, index = "", "", 1
    while index < len(tokens):
        token = tokens[index]
        if token.startswith("\\") and len(token) == 2:
            argument = tokens[index + 1] if index + 1 < len(tokens) and token.lower() in _SWITCHES_WITH_ARGUMENT else None
            if token.lower() == "\\l" and argument is not None:
                fragment = argument
            index += 2 if argument is not None else 1
            continue
        if not target:
            target = token
        index += 1
    if not target:
        return None  # `HYPERLINK \l "bookmark"`: a place in this document
    return f"{target}#{fragment}" if fragment and "#" not in target else target
