"""The JUnit XML report: one suite per file, one case per citation, valid against the JUnit XSD
(Apache Ant / Windy Road `JUnit.xsd`, in tests/fixtures/schemas/), whatever the values hold."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from linkcheck.models import Result, Status
from linkcheck.report import ReportOptions
from linkcheck.report.junit import NO_FILE, write, xml_text
from tests.report_samples import (
    HOSTILE_FILE,
    HOSTILE_URL,
    empty_report,
    injection_report,
    interrupted_report,
    rot_report,
    sample_report,
)

SCHEMA = Path(__file__).parent / "fixtures" / "schemas" / "junit.xsd"


def render(report, **options) -> str:
    stream = io.StringIO()
    write(report, stream, ReportOptions(**options))
    return stream.getvalue()


@pytest.fixture(scope="module")
def schema():
    if not SCHEMA.exists():
        pytest.skip(f"JUnit XSD not found at {SCHEMA} (the Windy Road / Jenkins JUnit.xsd is a test fixture)")
    xmlschema = pytest.importorskip("xmlschema", reason="xmlschema is needed to validate JUnit XML (test extra)")
    return xmlschema.XMLSchema(str(SCHEMA))


def _with_orphan():
    report = sample_report()
    report.results.append(Result("https://nowhere.example/", Status.DEAD, 404, error="404 Not Found"))
    return report


@pytest.mark.parametrize(
    "report", [sample_report, interrupted_report, empty_report, injection_report, _with_orphan, rot_report], ids=lambda f: f.__name__
)
def test_valid_against_the_junit_schema(schema, report):
    text = render(report())
    schema.validate(io.StringIO(text))


def test_xml_text_drops_what_xml_cannot_carry():
    assert xml_text(None) == ""
    assert xml_text(404) == "404"
    assert xml_text("a\x00b\x07c\x1b[31md\x0b\x0c\ufffe\uffff") == "abc[31md"
    assert xml_text("tab\tnew\nline\r\u00e9\U0001f600") == "tab\tnew\nline\r\u00e9\U0001f600"


def test_suites_cases_and_counts():
    root = ET.fromstring(render(sample_report()))
    assert root.tag == "testsuites" and root.attrib == {}
    suites = {suite.get("name"): suite for suite in root}
    assert list(suites) == sorted(suites)
    assert len(suites) == 7
    guide = suites["docs/guide.md"]
    assert {key: guide.get(key) for key in ("tests", "failures", "errors", "skipped", "time", "timestamp", "id")} == {
        "tests": "5", "failures": "3", "errors": "0", "skipped": "1", "time": "1.865", "timestamp": "2026-11-29T14:00:00", "id": "3",
    }  # fmt: skip
    cases = guide.findall("testcase")
    assert [(case.get("name"), case.get("classname"), case.get("time")) for case in cases] == [
        ("https://internal.example/x (1:1)", "docs/guide.md", "0.000"),
        ("https://example.org/temp (4:2)", "docs/guide.md", "0.095"),
        ("https://example.org/missing (7:10)", "docs/guide.md", "0.060"),
        ("https://down.example/ (9:1)", "docs/guide.md", "1.500"),
        ("https://doi.org/10.1000/xyz (15:8)", "docs/guide.md", "0.210"),
    ]
    assert [child.tag for case in cases for child in case] == ["skipped", "failure", "failure", "failure"]
    assert cases[0].find("skipped").get("message") == "excluded: excluded by urls.exclude"
    failure = cases[2].find("failure")
    assert failure.attrib == {"message": "dead: 404 Not Found", "type": "dead"}
    assert failure.text == (
        "url: https://example.org/missing\nstatus: dead\nhttp_status: 404\nfinal_url: https://example.org/missing\n"
        "error: 404 Not Found\nfile: docs/guide.md\nwhere: 7:10\nchecked_at: 2026-11-29T14:00:02Z\n"
    )
    assert "cited_as: doi:10.1000/xyz\n" in cases[4].find("failure").text
    assert "http_status" not in cases[3].find("failure").text  # no response: nothing made up
    properties = {prop.get("name"): prop.get("value") for prop in guide.find("properties")}
    assert properties["started_at"] == "2026-11-29T14:00:00Z" and properties["interrupted"] == "false"


def test_every_citation_is_a_case_and_positions_keep_them_apart():
    root = ET.fromstring(render(sample_report()))
    cases = root.findall("testsuite/testcase")
    assert len(cases) == 16
    assert len({(case.get("classname"), case.get("name")) for case in cases}) == 16
    names = {case.get("name") for case in cases}
    assert {"https://paywall.example/article (p. 3)", "https://example.org/deep/link (cell 2, 4:1)", "https://example.org/page#results (¶ 14)"} <= names
    total = sum(int(suite.get("failures")) for suite in root)
    assert total == 8 == len(root.findall("testsuite/testcase/failure"))
    assert sum(int(suite.get("skipped")) for suite in root) == 2 == len(root.findall("testsuite/testcase/skipped"))


def test_warnings_go_to_system_out():
    root = ET.fromstring(render(sample_report()))
    intro = root.find("testsuite[@name='docs/intro.md']")
    assert intro.find("system-out").text.splitlines() == [
        "warning: 12:5 redirect_permanent https://example.org/old -> https://example.org/new",
        "warning: 30:1 suspect https://flaky.example/ connection timed out [failing since 2026-11-28 09:30Z]",
    ]
    assert intro.findall("testcase/failure") and not intro.findall("testcase/skipped")


def test_fail_on_turns_a_warning_into_a_failure():
    root = ET.fromstring(render(sample_report(), fail_on=frozenset({Status.BLOCKED, Status.EXCLUDED})))
    failures = root.findall("testsuite/testcase/failure")
    assert sorted(failure.get("type") for failure in failures) == ["blocked", "excluded"]
    skipped = root.findall("testsuite/testcase/skipped")
    assert [skip.get("message") for skip in skipped] == ["unsupported: scheme mailto: is not checked"]


def test_interrupted_and_orphans():
    root = ET.fromstring(render(interrupted_report()))
    assert {prop.get("value") for prop in root.findall("testsuite/properties/property[@name='interrupted']")} == {"true"}
    root = ET.fromstring(render(_with_orphan()))
    orphan = root.find(f"testsuite[@name='{NO_FILE}']")
    assert [case.get("name") for case in orphan.findall("testcase")] == ["https://nowhere.example/"]
    assert orphan.find("testcase").get("classname") == NO_FILE
    assert ET.fromstring(render(empty_report())).findall("*") == []


def test_hostile_values_parse_and_round_trip():
    text = render(injection_report())
    root = ET.fromstring(text)  # it parses: nothing broke out of an attribute or a text node
    assert "\x1b" not in text and "\x00" not in text and "\x0b" not in text
    suite = root.find("testsuite[@id='1']")
    assert suite.get("name") == HOSTILE_FILE
    case = suite.find("testcase")
    assert case.get("name") == xml_text(HOSTILE_URL) + " (1:2)"
    assert case.get("classname") == HOSTILE_FILE
    failure = case.find("failure")
    assert failure.get("message").startswith("dead: =cmd|' /C calc'!A0 </script><script>alert(1)</script>\"'\n::error::")
    assert failure.text.startswith("url: " + xml_text(HOSTILE_URL).split("\n")[0])
    assert len(root.findall("testsuite/testcase")) == 5


def test_the_schema_is_not_a_rubber_stamp(schema):
    text = render(sample_report())
    assert schema.is_valid(io.StringIO(text))
    assert not schema.is_valid(io.StringIO(text.replace(' hostname="localhost"', "", 1)))
    assert not schema.is_valid(io.StringIO(text.replace("<skipped ", "<ignored ", 1)))
