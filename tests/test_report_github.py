"""GitHub Actions workflow commands: one annotation per broken or warning citation and a summary
notice; nothing in a value can end its line, start a command, or end a property early."""

from __future__ import annotations

import io

import pytest

from linkcheck.models import Status
from linkcheck.report import ReportOptions
from linkcheck.report.github import command, escape_data, escape_property, write
from tests.report_samples import (
    HOSTILE,
    HOSTILE_ERROR,
    HOSTILE_FILE,
    HOSTILE_URL,
    empty_report,
    injection_report,
    interrupted_report,
    sample_report,
)


def render(report, **options) -> str:
    stream = io.StringIO()
    write(report, stream, ReportOptions(**options))
    return stream.getvalue()


def _unescape(value: str, mappings: list[tuple[str, str]]) -> str:
    for escaped, raw in mappings:
        value = value.replace(escaped, raw)
    return value


_DATA = [("%0D", "\r"), ("%0A", "\n"), ("%25", "%")]
_PROPERTY = [("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")]


def clean(value: str) -> str:
    return "".join(ch for ch in value if ch in "\t\r\n" or not (ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F))


def parse(line: str) -> tuple[str, dict[str, str], str]:
    """A workflow command as the Actions runner reads it (`ActionCommand.TryParseV2`)."""
    assert line.startswith("::")
    end = line.index("::", 2)
    info, message = line[2:end], line[end + 2 :]
    name, _, rest = info.partition(" ")
    properties = {}
    for pair in filter(None, rest.split(",")):
        key, _, value = pair.partition("=")
        properties[key] = _unescape(value, _PROPERTY)
    return name, properties, _unescape(message, _DATA)


@pytest.mark.parametrize(
    ("raw", "data", "prop"),
    [
        ("plain", "plain", "plain"),
        ("100%", "100%25", "100%25"),
        ("a\nb\r\nc", "a%0Ab%0D%0Ac", "a%0Ab%0D%0Ac"),
        ("x::error::y", "x::error::y", "x%3A%3Aerror%3A%3Ay"),
        ("a,b:c", "a,b:c", "a%2Cb%3Ac"),
        ("%0A literal", "%250A literal", "%250A literal"),
        ("\x1b[31mred\x00\x07", "[31mred", "[31mred"),
        ("tab\there", "tab\there", "tab\there"),
    ],
)
def test_escaping_rules(raw, data, prop):
    assert escape_data(raw) == data
    assert escape_property(raw) == prop


def test_command_leaves_out_missing_properties():
    assert command("notice", "hi") == "::notice::hi"
    assert command("error", "m", file="a.md", line=None, col=3) == "::error file=a.md,col=3::m"


def test_sample_report_lines():
    lines = render(sample_report()).splitlines()
    assert len(lines) == 8 + 3 + 1 + 1
    assert all(line.startswith("::") for line in lines)
    assert [line.split(" ", 1)[0].split("::")[1] for line in lines].count("error") == 8
    assert [parse(line)[0] for line in lines] == ["error"] * 5 + ["warning", "error", "error", "warning", "error", "warning", "notice", "notice"]
    assert lines[2] == "::error file=docs/guide.md,line=7,col=10,title=linkcheck%3A dead::https://example.org/missing (HTTP 404): 404 Not Found"
    assert lines[5] == "::warning file=docs/intro.md,line=12,col=5,title=linkcheck%3A redirect_permanent::https://example.org/old (HTTP 200): -> https://example.org/new"
    assert lines[3] == "::error file=docs/guide.md,line=9,col=1,title=linkcheck%3A error::https://down.example/: connection refused (cached)"
    assert lines[-2] == "::notice file=docs/image.png,title=linkcheck%3A input skipped::skipped: binary file"
    assert lines[-1] == (
        "::notice title=linkcheck::8 broken citations (6 URLs), 3 warnings; 13 unique URLs, 16 citations, 7 documents: "
        "1 blocked, 2 dead, 1 error, 1 excluded, 1 fragment_missing, 1 invalid, 1 ok, 1 redirect_permanent, "
        "1 redirect_temporary, 1 soft404, 1 suspect, 1 unsupported."
    )


@pytest.mark.parametrize(
    ("file", "message"),
    [
        ("papers/report.pdf", "https://paywall.example/article (HTTP 403): 403 Forbidden after 3 attempts (at p. 3)"),
        ("notes.docx", "https://example.org/page#results (HTTP 200): anchor #results not found in the page (at ¶ 14)"),
        ("analysis.ipynb", "https://example.org/deep/link (HTTP 200): redirects a deep link to the home page (at cell 2, 4:1)"),
        ("book.epub", "http://[broken: invalid IPv6 URL (at OEBPS/ch1.xhtml 8:3)"),
    ],
)
def test_no_line_where_the_position_is_not_a_line_of_the_file(file, message):
    (command_,) = [parse(line) for line in render(sample_report()).splitlines() if f"file={file}," in line]
    assert set(command_[1]) == {"file", "title"}
    assert command_[2] == message


def test_fail_on_and_interrupted_and_empty():
    lines = render(sample_report(), fail_on=frozenset({Status.BLOCKED})).splitlines()
    assert [parse(line)[0] for line in lines].count("error") == 1
    assert [parse(line)[0] for line in lines].count("warning") == 2
    assert parse(render(interrupted_report()).splitlines()[-1])[2].startswith("Interrupted, results are partial: 4 broken citations (2 URLs)")
    assert render(empty_report()) == "::notice title=linkcheck::no broken citations, 0 warnings; 0 unique URLs, 0 citations, 0 documents: nothing checked.\n"


def test_hostile_values_cannot_start_a_command():
    text = render(injection_report())
    lines = text.splitlines()
    # dead ×2, invalid (errors), redirect_permanent (warning), the skipped input, the summary: nothing else.
    assert len(lines) == 6 == text.count("\n")
    assert [parse(line)[0] for line in lines] == ["error", "error", "error", "warning", "notice", "notice"]
    assert "\r" not in text and "\x1b" not in text and "\x00" not in text
    hostile = [parse(line) for line in lines if "evil.example" in line]
    assert [properties.get("line") for _, properties, _ in hostile] == ["5", "1"]
    # The runner reads back exactly the values (control characters but CR/LF/tab dropped).
    _, properties, message = hostile[1]
    assert set(properties) == {"file", "line", "col", "title"}
    assert properties["file"] == HOSTILE_FILE
    assert properties["title"] == "linkcheck: dead"
    assert message == f"{clean(HOSTILE_URL)} (HTTP 404): {clean(HOSTILE_ERROR)}"
    assert "\n::error::pwned%0A\r\n::warning file=x::y" in message
    assert parse(lines[4]) == ("notice", {"file": HOSTILE_FILE, "title": "linkcheck: input skipped"}, "skipped: " + clean(HOSTILE))
