"""The SARIF report: valid against the official SARIF 2.1.0 schema (tests/fixtures/schemas/), one
result per broken or warning citation, on its line where it has one, with stable fingerprints."""

from __future__ import annotations

import io
import json
from pathlib import Path

import jsonschema
import pytest

from linkcheck import __version__
from linkcheck.models import WARNING_STATUSES, Location, Result, Status
from linkcheck.report import ReportOptions
from linkcheck.report.sarif import (
    FINGERPRINT_KEY,
    artifact,
    message_text,
    to_dict,
    write,
)
from tests.report_samples import (
    HOSTILE_FILE,
    HOSTILE_URL,
    empty_report,
    injection_report,
    interrupted_report,
    rot_report,
    sample_report,
)

SCHEMA = Path(__file__).parent / "fixtures" / "schemas" / "sarif-schema-2.1.0.json"


def render(report, **options) -> dict:
    stream = io.StringIO()
    write(report, stream, ReportOptions(**options))
    return json.loads(stream.getvalue())


@pytest.fixture(scope="module")
def validator():
    if not SCHEMA.exists():
        pytest.skip(f"official SARIF 2.1.0 schema not found at {SCHEMA} (a test fixture)")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    # Every format the installed checkers know (uri, uri-reference, date-time … with the format extras).
    return cls(schema, format_checker=jsonschema.FormatChecker())


def _with_orphan():
    report = sample_report()
    report.results.append(Result("https://nowhere.example/", Status.DEAD, 404, error="404 Not Found"))
    return report


@pytest.mark.parametrize(
    "report", [sample_report, interrupted_report, empty_report, injection_report, _with_orphan, rot_report], ids=lambda f: f.__name__
)
@pytest.mark.parametrize("fail_on", [None, frozenset(Status)], ids=["default", "everything"])
def test_valid_against_the_official_schema(validator, report, fail_on):
    options = {"fail_on": fail_on} if fail_on else {}
    errors = sorted(validator.iter_errors(render(report(), **options)), key=lambda error: list(error.path))
    assert not errors, "\n".join(f"{list(error.path)}: {error.message}" for error in errors[:5])


def test_the_validator_is_not_a_rubber_stamp(validator):
    sarif = render(sample_report())
    sarif["runs"][0]["results"][0]["level"] = "fatal"
    assert not validator.is_valid(sarif)
    if not {"date-time", "uri", "uri-reference"} <= set(jsonschema.FormatChecker().checkers):
        pytest.skip("formats unchecked: install rfc3339-validator and rfc3986-validator (jsonschema[format-nongpl])")
    sarif = render(sample_report())
    sarif["runs"][0]["invocations"][0]["startTimeUtc"] = "yesterday"
    assert not validator.is_valid(sarif)  # formats are checked too
    sarif = render(sample_report())
    sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] = "a b\\n"
    assert not validator.is_valid(sarif)


def test_tool_and_rules():
    run = render(sample_report())["runs"][0]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"], driver["informationUri"]) == ("linkcheck", __version__, "https://pypi.org/project/linkcheck/")
    expected = [status.value for status in Status if status in ReportOptions().fail_on or status in WARNING_STATUSES] + ["drift"]
    assert [rule["id"] for rule in driver["rules"]] == expected
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"] and rule["helpUri"].startswith("https://")
    levels = {rule["id"]: rule["defaultConfiguration"]["level"] for rule in driver["rules"]}
    assert levels["dead"] == "error" and levels["blocked"] == "warning"
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["invocations"] == [{"executionSuccessful": True, "startTimeUtc": "2026-11-29T14:00:00Z", "endTimeUtc": "2026-11-29T14:00:09Z", "toolExecutionNotifications": [
        {"level": "warning", "message": {"text": "docs/image.png: skipped: binary file"}, "locations": [{"physicalLocation": {"artifactLocation": {"uri": "docs/image.png", "uriBaseId": "%SRCROOT%"}}}]}
    ]}]  # fmt: skip


def test_one_result_per_broken_or_warning_citation():
    run = render(sample_report())["runs"][0]
    results = run["results"]
    assert len(results) == 8 + 3
    rules = run["tool"]["driver"]["rules"]
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] == ("warning" if Status(result["ruleId"]) in WARNING_STATUSES else "error")
    by_place = {(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], r["properties"]["where"]): r for r in results}
    dead = by_place[("docs/guide.md", "7:10")]
    assert dead["locations"] == [
        {"physicalLocation": {"artifactLocation": {"uri": "docs/guide.md", "uriBaseId": "%SRCROOT%"}, "region": {"startLine": 7, "startColumn": 10}}}
    ]
    assert dead["message"]["text"] == "dead: https://example.org/missing; HTTP 404; 404 Not Found"
    assert dead["properties"] == {
        "url": "https://example.org/missing", "status": "dead", "httpStatus": 404, "finalUrl": "https://example.org/missing",
        "error": "404 Not Found", "checkedAt": "2026-11-29T14:00:02Z", "where": "7:10",
    }  # fmt: skip
    assert by_place[("docs/guide.md", "15:8")]["properties"]["citedAs"] == "doi:10.1000/xyz"
    assert "httpStatus" in by_place[("docs/guide.md", "9:1")]["properties"]  # null: no response, nothing made up
    assert by_place[("docs/guide.md", "9:1")]["properties"]["httpStatus"] is None


@pytest.mark.parametrize(
    ("uri", "where", "text"),
    [
        ("papers/report.pdf", "p. 3", "blocked: https://paywall.example/article; HTTP 403; 403 Forbidden after 3 attempts; at p. 3"),
        ("notes.docx", "¶ 14", "fragment_missing: https://example.org/page#results; HTTP 200; final URL https://example.org/page; anchor #results not found in the page; at ¶ 14"),
        ("analysis.ipynb", "cell 2, 4:1", "soft404: https://example.org/deep/link; HTTP 200; final URL https://example.org/; redirects a deep link to the home page; at cell 2, 4:1"),
        ("book.epub", "OEBPS/ch1.xhtml 8:3", "invalid: http://\\[broken; invalid IPv6 URL; at OEBPS/ch1.xhtml 8:3"),
    ],
)  # fmt: skip
def test_no_region_where_the_position_is_not_a_line_of_the_file(uri, where, text):
    results = render(sample_report())["runs"][0]["results"]
    (result,) = [r for r in results if r["properties"]["where"] == where]
    assert result["locations"] == [{"physicalLocation": {"artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"}}}]
    assert result["message"]["text"] == text


def test_fingerprints_are_stable_and_distinct():
    first = render(sample_report())["runs"][0]["results"]
    report = sample_report()
    for result in report.results:  # the document was edited: every citation moved down ten lines
        result.locations = [Location(loc.file, loc.line + 10 if loc.line else None, loc.column, page=loc.page, paragraph=loc.paragraph, cell=loc.cell, part=loc.part) for loc in result.locations]
    second = render(report)["runs"][0]["results"]
    prints = [result["partialFingerprints"][FINGERPRINT_KEY] for result in first]
    assert prints == [result["partialFingerprints"][FINGERPRINT_KEY] for result in second]
    assert len(set(prints)) == len(prints)
    missing_in_intro = [r["partialFingerprints"][FINGERPRINT_KEY] for r in first if r["properties"]["url"] == "https://example.org/missing" and r["properties"]["where"] in ("20:1", "25:3")]
    assert [fingerprint.rsplit(":", 1)[1] for fingerprint in missing_in_intro] == ["1", "2"]
    assert len({fingerprint.rsplit(":", 1)[0] for fingerprint in missing_in_intro}) == 1


def test_interrupted_orphans_and_empty():
    invocation = render(interrupted_report())["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert invocation["toolExecutionNotifications"][-1]["message"]["text"].startswith("Interrupted")
    assert len(render(_with_orphan())["runs"][0]["results"]) == 11  # a result with no location has nowhere to be shown
    empty = render(empty_report())["runs"][0]
    assert empty["results"] == [] and "toolExecutionNotifications" not in empty["invocations"][0]


def test_fail_on_decides_level_and_rules():
    run = to_dict(sample_report(), ReportOptions(fail_on=frozenset({Status.BLOCKED})))
    assert [rule["id"] for rule in run["runs"][0]["tool"]["driver"]["rules"]] == ["redirect_permanent", "blocked", "suspect", "drift"]
    assert sorted((r["ruleId"], r["level"]) for r in run["runs"][0]["results"]) == [
        ("blocked", "error"), ("redirect_permanent", "warning"), ("suspect", "warning"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("docs/intro.md", {"uri": "docs/intro.md", "uriBaseId": "%SRCROOT%"}),
        ("docs/a b#c?.md", {"uri": "docs/a%20b%23c%3F.md", "uriBaseId": "%SRCROOT%"}),
        ("a:b.md", {"uri": "a%3Ab.md", "uriBaseId": "%SRCROOT%"}),
        ("notes/é.md", {"uri": "notes/%C3%A9.md", "uriBaseId": "%SRCROOT%"}),
        ("/home/me/paper.md", {"uri": "file:///home/me/paper.md"}),
        ("C:/papers/x.md", {"uri": "file:///C:/papers/x.md"}),
    ],
)
def test_artifact_uris(path, expected):
    assert artifact(path) == expected


def test_message_text_has_no_embedded_links():
    assert message_text("see [x](1) \\ \x1b[31m\nnext") == "see \\[x\\](1) \\\\ \\[31m\u23cenext"


def test_hostile_values():
    sarif = render(injection_report())
    results = sarif["runs"][0]["results"]
    assert len(results) == 4  # dead ×2, redirect_permanent, invalid (unsupported is not reported)
    hostile = [r for r in results if r["properties"]["url"] == HOSTILE_URL]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in hostile}
    assert uris == {"clean.md", "docs/%3Cscript%3Ealert%281%29%3C/script%3E%2Cx%3Ay%0A%3A%3Aerror%3A%3Af.md"}
    assert {r["properties"]["where"] for r in hostile} == {"1:2", "5:1"}
    text = hostile[0]["message"]["text"]
    assert "\n" not in text and "\x1b" not in text and "\x00" not in text
    assert " \\](javascript:alert(1)) " in text
    assert json.loads(json.dumps(sarif)) == sarif
    assert HOSTILE_FILE not in json.dumps(sarif["runs"][0]["results"])  # only its percent-encoded form


def test_history_facts_are_carried():
    results = render(sample_report())["runs"][0]["results"]
    (suspect,) = [r for r in results if r["ruleId"] == "suspect"]
    assert suspect["properties"]["failingSince"] == "2026-11-28T09:30:00Z"
    assert suspect["message"]["text"] == "suspect: https://flaky.example/; connection timed out; failing since 2026-11-28T09:30:00Z"
    (cached,) = [r for r in results if r["ruleId"] == "error"]
    assert cached["properties"]["cached"] is True and cached["message"]["text"].endswith("; verdict from history (cached)")
    assert all("cached" not in r["properties"] for r in results if r["ruleId"] != "error")
