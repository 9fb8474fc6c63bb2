"""The JUnit XML report, for CI servers that show test results (Jenkins, GitLab, Azure DevOps).

One `<testsuite>` per document file, one `<testcase>` per citation: `classname` is the file,
`name` the URL with the position in parentheses (so two citations of one URL in one file
stay two test cases). A broken citation has a `<failure>` (type = status, message = status
and error; the body lists every fact, the suggested archived copy among them); under
`--fail-on drift` a drifted page fails too (type `drift`). An `excluded` or `unsupported`
citation is `<skipped>`; everything else passes, and the warnings (drifted pages among them)
are listed in the suite's `<system-out>`.

The shape is the one the Apache Ant / Windy Road `JUnit.xsd` describes (the tests validate
against it): `<testsuites>` has no attributes, so the counts live on each `<testsuite>`
(`tests`, `failures`, `errors`, `skipped`, `time`) and the run's facts in its `<properties>`.
`timestamp` is the run's start in UTC without a zone (the schema's pattern allows none), and
`hostname` is `localhost`, the schema's word for "not known" (the report does not say).

ElementTree escapes markup; characters XML 1.0 cannot carry at all (C0 controls but tab,
newline and carriage return; U+FFFE, U+FFFF) are removed from every value first.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from datetime import UTC
from typing import TextIO

from linkcheck._version import __version__
from linkcheck.models import WARNING_STATUSES, Location, Report, Result, Status, iso_utc
from linkcheck.report import ReportOptions
from linkcheck.report.rot_notes import compared_to, is_broken, is_drifted, similarity, suggestion_facts, suggestion_url
from linkcheck.report.terminal import detail

#: What XML 1.0 cannot contain (its `Char` production, inverted).
_ILLEGAL_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

_SKIPPED = frozenset({Status.EXCLUDED, Status.UNSUPPORTED})

#: Suite name for results that no document cites (the schema wants a non-empty name).
NO_FILE = "(no file)"


def xml_text(value: object) -> str:
    """`value` as text XML 1.0 can carry: illegal characters removed, None as empty."""
    return "" if value is None else _ILLEGAL_XML.sub("", str(value))


def write(report: Report, stream: TextIO, options: ReportOptions) -> None:
    by_file: dict[str, list[tuple[Location | None, Result]]] = defaultdict(list)
    for result in report.results:
        for location in result.locations if result.locations else [None]:
            by_file[location.file if location else ""].append((location, result))
    root = ET.Element("testsuites")
    for index, file in enumerate(sorted(by_file)):
        pairs = sorted(by_file[file], key=lambda pair: (pair[0].sort_key() if pair[0] else ("",), pair[1].url))
        _suite(root, index, file, pairs, report, options)
    ET.indent(root)
    stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    stream.write(ET.tostring(root, encoding="unicode"))
    stream.write("\n")


def _seconds(milliseconds: int) -> str:
    return f"{milliseconds / 1000:.3f}"


def _suite(
    root: ET.Element, index: int, file: str, pairs: list[tuple[Location | None, Result]], report: Report, options: ReportOptions
) -> None:
    name = xml_text(file).strip() or NO_FILE
    failures = sum(1 for _, result in pairs if is_broken(result, options.fail_on, options.fail_on_drift))
    skipped = sum(
        1 for _, result in pairs if result.status in _SKIPPED and not is_broken(result, options.fail_on, options.fail_on_drift)
    )
    distinct = {id(result): result for _, result in pairs}
    suite = ET.SubElement(
        root,
        "testsuite",
        {
            "name": name,
            "tests": str(len(pairs)),
            "failures": str(failures),
            "errors": "0",
            "skipped": str(skipped),
            "time": _seconds(sum(result.duration_ms for result in distinct.values())),
            "timestamp": report.started_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
            "hostname": "localhost",
            "package": name,
            "id": str(index),
        },
    )
    properties = ET.SubElement(suite, "properties")
    facts = {
        "linkcheck.version": __version__,
        "started_at": iso_utc(report.started_at),
        "finished_at": iso_utc(report.finished_at),
        "interrupted": "true" if report.interrupted else "false",
    }
    for key, value in facts.items():
        ET.SubElement(properties, "property", {"name": key, "value": xml_text(value)})
    warnings: list[str] = []
    for location, result in pairs:
        where = location.where() if location else ""
        case = ET.SubElement(
            suite,
            "testcase",
            {
                "name": xml_text(f"{result.url} ({where})" if location else result.url),
                "classname": name,
                "time": _seconds(result.duration_ms),
            },
        )
        message = f"{result.status.value}: {result.error}" if result.error else result.status.value
        if is_broken(result, options.fail_on, options.fail_on_drift):
            kind = result.status.value if result.status in options.fail_on else "drift"
            if kind == "drift":
                message = f"drift: {detail(result)}"
            failure = ET.SubElement(case, "failure", {"message": xml_text(message), "type": kind})
            failure.text = xml_text(_details(location, result))
        elif result.status in _SKIPPED:
            ET.SubElement(case, "skipped", {"message": xml_text(message)})
        elif result.status in WARNING_STATUSES or is_drifted(result):
            warnings.append(xml_text(f"warning: {where} {result.status.value} {result.url} {detail(result)}".rstrip()))
    ET.SubElement(suite, "system-out").text = "\n".join(warnings) + "\n" if warnings else ""
    ET.SubElement(suite, "system-err").text = ""


def _details(location: Location | None, result: Result) -> str:
    """The failure's body: every fact the report has about this citation, one per line."""
    facts = [
        ("url", result.url),
        ("status", result.status.value),
        ("http_status", result.http_status),
        ("final_url", result.final_url),
        ("error", result.error),
        ("file", location.file if location else None),
        ("where", location.where() if location else None),
        ("cited_as", location.cited_as if location else None),
        ("checked_at", iso_utc(result.checked_at)),
        ("failing_since", iso_utc(result.failing_since)),
        ("cached", "true" if result.cached else None),
        ("drift_similarity", similarity(result)),
        ("drifted", "true" if is_drifted(result) else None),
        ("drift_compared_to", compared_to(result)),
        ("suggested_copy", suggestion_url(result)),
        ("suggested_copy_facts", suggestion_facts(result) or None),
    ]
    return "".join(f"{key}: {value}\n" for key, value in facts if value is not None)
