"""Links in DOCX: relationship hyperlinks, field codes, bare URLs, paragraph numbers, bad input."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from linkcheck.extract import ExtractionError, ExtractOptions
from linkcheck.extract.docx import extract

BINARY = Path(__file__).parent / "fixtures" / "binary"

NOTES = [
    ("https://data.example.org/survey?year=2023&format=csv", 2, "the survey portal"),
    ("https://doi.example.org/10.1234/abcd", 3, "Smith 2020"),  # field instruction split over two runs
    ("https://mirror.example.net/files/survey.zip", 4, None),  # bare URL
    ("https://archive.example.com/item/42", 6, "Archive item 42"),  # in a table cell, text over two runs
    ("mailto:editor@example.org", 7, "editor"),  # w:fldSimple
    ("www.example.com/table", 8, None),
    ("https://example.org/visible", 11, "https://example.org/visible"),  # its text is not a second, bare URL
    ("https://kept.example.org/a", 12, None),  # the deleted URL beside it is not text
]

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"


def docx(body: str, relationships: str = "", *, main: str = "word/document.xml") -> bytes:
    """A minimal DOCX around `body` (the content of w:body)."""
    out = io.BytesIO()
    folder, name = main.rsplit("/", 1)
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            "_rels/.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            f'Target="{main}"/></Relationships>',
        )
        archive.writestr(main, f'<w:document xmlns:w="{W}" xmlns:r="{R}"><w:body>{body}</w:body></w:document>')
        archive.writestr(
            f"{folder}/_rels/{name}.rels",
            f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{relationships}</Relationships>',
        )
    return out.getvalue()


def table(data: bytes) -> list[tuple[str, int | None, str | None]]:
    return [(link.target, link.paragraph, link.text) for link in extract(data, ExtractOptions())]


def field(instruction: str, result: str) -> str:
    return (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve">{instruction}</w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        f"<w:r><w:t>{result}</w:t></w:r>"
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


def test_notes_exact_table() -> None:
    assert table((BINARY / "notes.docx").read_bytes()) == NOTES


def test_notes_have_paragraphs_not_lines() -> None:
    for link in extract((BINARY / "notes.docx").read_bytes(), ExtractOptions()):
        assert (link.line, link.column, link.page, link.cell, link.part) == (None, None, None, None, None)


@pytest.mark.parametrize(
    ("instruction", "target"),
    [
        ('HYPERLINK "https://example.org/a"', "https://example.org/a"),
        ("HYPERLINK https://example.org/b", "https://example.org/b"),
        (' HYPERLINK "https://example.org/c" \\l "part-2" \\o "tip" ', "https://example.org/c#part-2"),
        ('hyperlink \\o "tip with https://example.org/no" "https://example.org/d" \\h', "https://example.org/d"),
        ('HYPERLINK \\l "bookmark"', None),
        ("REF _Ref123 \\h", None),
    ],
)
def test_hyperlink_field_instructions(instruction: str, target: str | None) -> None:
    expected = [(target, 1, "shown")] if target else []
    assert table(docx(f"<w:p>{field(instruction, 'shown')}</w:p>")) == expected


def test_links_and_bare_urls_keep_document_order_within_a_paragraph() -> None:
    body = (
        '<w:p><w:r><w:t xml:space="preserve">first https://example.org/1 then </w:t></w:r>'
        '<w:hyperlink r:id="rId1"><w:r><w:t>two</w:t></w:r></w:hyperlink>'
        '<w:r><w:t xml:space="preserve"> and https://example.org/3</w:t></w:r></w:p>'
    )
    relationships = f'<Relationship Id="rId1" Type="{HYPERLINK}" Target="https://example.org/2" TargetMode="External"/>'
    assert table(docx(body, relationships)) == [
        ("https://example.org/1", 1, None),
        ("https://example.org/2", 1, "two"),
        ("https://example.org/3", 1, None),
    ]


def test_field_ending_in_a_later_paragraph_counts_where_it_begins() -> None:
    body = (
        '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText>HYPERLINK "https://example.org/long"</w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>one</w:t></w:r></w:p>'
        '<w:p><w:r><w:t>two</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
        "<w:p><w:r><w:t>https://example.org/after</w:t></w:r></w:p>"
    )
    assert table(docx(body)) == [("https://example.org/long", 1, "one two"), ("https://example.org/after", 3, None)]


def test_text_box_paragraphs_are_counted_and_fallback_content_is_skipped() -> None:
    textbox = "<w:txbxContent><w:p><w:r><w:t>https://example.org/box</w:t></w:r></w:p></w:txbxContent>"
    body = (
        '<w:p><w:r><w:t xml:space="preserve">outer </w:t></w:r>'
        '<w:r><mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
        f'<mc:Choice Requires="wps"><w:drawing>{textbox}</w:drawing></mc:Choice>'
        f"<mc:Fallback><w:pict>{textbox}</w:pict></mc:Fallback>"
        "</mc:AlternateContent></w:r></w:p>"
        "<w:p><w:r><w:t>https://example.org/next</w:t></w:r></w:p>"
    )
    assert table(docx(body)) == [("https://example.org/box", 2, None), ("https://example.org/next", 3, None)]


def test_main_part_is_found_through_the_package_relationships() -> None:
    data = docx("<w:p><w:r><w:t>https://example.org/x</w:t></w:r></w:p>", main="word/document2.xml")
    assert table(data) == [("https://example.org/x", 1, None)]


def test_not_a_zip_fixture() -> None:
    with pytest.raises(ExtractionError, match="not a valid DOCX: not a zip archive"):
        list(extract((BINARY / "not-a-zip.docx").read_bytes(), ExtractOptions()))


def test_zip_without_document_part() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(ExtractionError, match="the main document part word/document.xml is missing"):
        list(extract(out.getvalue(), ExtractOptions()))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("<w:p><w:r><w:t>unclosed</w:r></w:p>", r"word/document.xml is not well-formed XML \(line 1, column"),
        ("", None),
    ],
)
def test_malformed_xml(body: str, message: str | None) -> None:
    if message is None:
        assert table(docx(body)) == []
        return
    with pytest.raises(ExtractionError, match=message):
        list(extract(docx(body), ExtractOptions()))


def test_entity_declarations_are_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", '<!DOCTYPE d [<!ENTITY a "aaaa">]><d>&a;</d>')
    with pytest.raises(ExtractionError, match="declares XML entities"):
        list(extract(out.getvalue(), ExtractOptions()))


def test_deep_nesting_raises_extraction_error() -> None:
    body = "<w:p><w:r><w:t>deep</w:t></w:r></w:p>"
    for _ in range(5_000):
        body = f"<w:sdt><w:sdtContent>{body}</w:sdtContent></w:sdt>"
    with pytest.raises(ExtractionError, match="nests elements too deeply"):
        list(extract(docx(body), ExtractOptions()))


def test_truncated_zip() -> None:
    data = (BINARY / "notes.docx").read_bytes()
    with pytest.raises(ExtractionError, match="not a valid DOCX"):
        list(extract(data[: len(data) // 2], ExtractOptions()))
