"""Links in EPUB: spine order, parts and positions, inner links dropped, bad input, zip bombs."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from linkcheck.extract import ExtractionError, ExtractOptions, epub
from linkcheck.extract.epub import extract

BINARY = Path(__file__).parent / "fixtures" / "binary"
CH1 = "OEBPS/text/chapter1.xhtml"
CH2 = "OEBPS/text/chapter 2.xhtml"  # `chapter%202.xhtml` in the OPF

BOOK = [
    ("https://tides.example.org/survey/1901", CH1, 10, 32),
    ("mailto:archive@example.org", CH1, 13, 61),
    ("http://www.example.com/tables?station=kobe&year=1995", CH2, 7, 19),
    ("https://quotes.example.net/q/7", CH2, 9, 12),
]

CONTAINER = (
    '<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
    '<rootfiles><rootfile full-path="{opf}" media-type="application/oebps-package+xml"/></rootfiles></container>'
)


def table(data: bytes) -> list[tuple[str, str | None, int | None, int | None]]:
    return [(link.target, link.part, link.line, link.column) for link in extract(data, ExtractOptions())]


def book(chapters: dict[str, str], extra: dict[str, str] | None = None, compress: int = zipfile.ZIP_STORED) -> bytes:
    """An EPUB with the chapters (path under OPS/ -> XHTML) in this order in the spine."""
    items = "".join(f'<item id="c{i}" href="{name}" media-type="application/xhtml+xml"/>' for i, name in enumerate(chapters))
    spine = "".join(f'<itemref idref="c{i}"/>' for i in range(len(chapters)))
    members = {
        "mimetype": "application/epub+zip",
        "META-INF/container.xml": CONTAINER.format(opf="OPS/package.opf"),
        "OPS/package.opf": f'<package xmlns="http://www.idpf.org/2007/opf" version="3.0"><manifest>{items}</manifest><spine>{spine}</spine></package>',
        **{f"OPS/{name}": text for name, text in chapters.items()},
        **(extra or {}),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=compress) as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return out.getvalue()


def test_book_exact_table() -> None:
    assert table((BINARY / "book.epub").read_bytes()) == BOOK


def test_book_link_text() -> None:
    texts = [link.text for link in extract((BINARY / "book.epub").read_bytes(), ExtractOptions())]
    assert texts == ["was published in 1901", "the archive", "the tables", None]


def test_relative_links_are_dropped_unless_an_absolute_base_applies() -> None:
    chapter = (
        '<html><head><base href="https://example.org/docs/"/></head><body>\n'
        '<a href="page.html">kept: the base makes it a web link</a></body></html>'
    )
    plain = '<html><body><a href="other.xhtml#x">inner</a> <a href="#top">top</a> <img src="i.png"/> <a href="//cdn.example.org/x">?</a></body></html>'
    links = list(extract(book({"a.xhtml": chapter, "b.xhtml": plain}), ExtractOptions()))
    assert [(link.target, link.base, link.part, link.line) for link in links] == [
        ("page.html", "https://example.org/docs/", "OPS/a.xhtml", 2)
    ]


def test_spine_order_not_manifest_order_and_each_chapter_once() -> None:
    chapters = {"b.xhtml": '<a href="https://example.org/b">b</a>', "a.xhtml": '<a href="https://example.org/a">a</a>'}
    data = book(chapters)
    assert [link.target for link in extract(data, ExtractOptions())] == ["https://example.org/b", "https://example.org/a"]


def test_declared_encoding_is_honoured() -> None:
    chapter = '<?xml version="1.0" encoding="iso-8859-1"?>\n<p>Café <a href="https://example.org/caf\xe9">x</a></p>'
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("META-INF/container.xml", CONTAINER.format(opf="p.opf"))
        archive.writestr(
            "p.opf",
            '<package xmlns="http://www.idpf.org/2007/opf"><manifest><item id="c" href="c.xhtml" media-type="application/xhtml+xml"/>'
            '</manifest><spine><itemref idref="c"/></spine></package>',
        )
        archive.writestr("c.xhtml", chapter.encode("iso-8859-1"))
    assert table(out.getvalue()) == [("https://example.org/café", "c.xhtml", 2, 18)]


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ({"mimetype": "application/epub+zip"}, "not a valid EPUB: META-INF/container.xml is missing"),
        ({"META-INF/container.xml": "<container/>"}, "names no package document"),
        ({"META-INF/container.xml": CONTAINER.format(opf="gone.opf")}, "damaged EPUB: gone.opf is missing"),
        ({"META-INF/container.xml": "<container"}, r"container.xml is not well-formed XML \(line 1, column"),
    ],
)
def test_broken_container_raises_extraction_error(members: dict[str, str], message: str) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    with pytest.raises(ExtractionError, match=message):
        list(extract(out.getvalue(), ExtractOptions()))


@pytest.mark.parametrize("data", [b"", b"PK\x03\x04 not really", (BINARY / "not-a-zip.docx").read_bytes()])
def test_not_a_zip(data: bytes) -> None:
    with pytest.raises(ExtractionError, match="not a valid EPUB: not a zip archive"):
        list(extract(data, ExtractOptions()))


def test_member_over_the_cap_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(epub, "MAX_MEMBER_BYTES", 10_000)
    data = book({"big.xhtml": "<p>" + " " * 20_000 + "</p>"}, compress=zipfile.ZIP_DEFLATED)
    assert len(data) < 10_000  # small on disk, large inflated
    with pytest.raises(ExtractionError, match="OPS/big.xhtml would inflate to 20007 bytes"):
        list(extract(data, ExtractOptions()))


def test_total_over_the_cap_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(epub, "MAX_TOTAL_BYTES", 15_000)
    chapters = {f"c{i}.xhtml": "<p>" + " " * 4_000 + "</p>" for i in range(5)}
    with pytest.raises(ExtractionError, match="members would inflate to more than 15000 bytes"):
        list(extract(book(chapters, compress=zipfile.ZIP_DEFLATED), ExtractOptions()))


def test_member_lying_about_its_size_fails_cleanly() -> None:
    data = bytearray(book({"a.xhtml": '<a href="https://example.org/a">' + "x" * 5_000 + "</a>"}, compress=zipfile.ZIP_DEFLATED))
    # Shrink the size the central directory declares (its entry is 46 bytes before the last copy
    # of the name): zipfile stops reading there and the CRC check fails.
    central = bytes(data).rfind(b"OPS/a.xhtml") - 46
    assert data[central : central + 4] == b"PK\x01\x02"
    data[central + 24 : central + 28] = (100).to_bytes(4, "little")
    with pytest.raises(ExtractionError, match="damaged EPUB: cannot read OPS/a.xhtml"):
        list(extract(bytes(data), ExtractOptions()))
