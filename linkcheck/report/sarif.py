"""The SARIF 2.1.0 report, so GitHub code scanning (and other SARIF viewers) show each broken
citation on its line.

One rule per status that is broken (`--fail-on`) or a warning, whether or not this run found
any (so a fixed citation closes its alert); one result per citation with a broken or warning
status: level `error` for broken, `warning` for warnings. The artifact is the document path
relative to `%SRCROOT%`; the region is its 1-based line and column (columns count Unicode code
points, declared in `columnKind`) and is left out where the position is not a line of that
file (PDF page, DOCX paragraph, notebook cell, EPUB chapter): the message then says where.

`partialFingerprints` carry a hash of URL and file plus the ordinal of the citation among
those of the same URL in the same file (GitHub's own `hash:n` form), so an alert keeps its
identity when lines move. A result no document cites (no location) is left out: GitHub
rejects a result without a location. A drifted page (content changed since its capture) whose
status has no rule of its own (`ok`, `redirect_temporary`) gets the `drift` rule: a warning, or
an error under `--fail-on drift`. Every message names the drift and the suggested archived
copy where there is one (and `properties` carry both as the JSON report does). Message text escapes `\\`, `[` and `]` (SARIF §3.11.5: otherwise
they read as embedded links) and has control characters made printable.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any, TextIO
from urllib.parse import quote

from linkcheck._version import __version__
from linkcheck.models import WARNING_STATUSES, Location, Report, Result, Status, iso_utc
from linkcheck.report import ReportOptions
from linkcheck.report.rot_notes import drift_text, is_broken, is_drifted, suggestion_text
from linkcheck.report.plain import safe

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

#: The project's page (the same one the default User-Agent names).
INFORMATION_URI = "https://pypi.org/project/linkcheck/"

#: Where the status vocabulary is explained (the README's "Results" section).
HELP_URI = INFORMATION_URI + "#results"

FINGERPRINT_KEY = "linkcheckCitation/v1"

#: The rule text for each status: (short description, full description), from README's Results section.
_DESCRIPTIONS: dict[Status, tuple[str, str]] = {
    Status.OK: ("The cited URL answers 2xx.", "The cited URL answered 2xx without a redirect."),
    Status.REDIRECT_PERMANENT: (
        "The cited URL has moved permanently.",
        "The cited URL answered 301 or 308 and the target answers 2xx: update the citation to the new URL.",
    ),
    Status.REDIRECT_TEMPORARY: (
        "The cited URL redirects temporarily.",
        "The cited URL ends 2xx after a 302, 303 or 307 redirect.",
    ),
    Status.DEAD: ("The cited URL is dead.", "The cited URL answered 404 or 410, or its domain does not resolve."),
    Status.ERROR: (
        "The cited URL could not be fetched.",
        (
            "5xx after retries, connection refused or reset, TLS failure, redirect loop or too many hops, timeout, "
            "or a malformed response."
        ),
    ),
    Status.BLOCKED: (
        "The checker could not see the page.",
        (
            "A bot wall, a rate limit, a legal block (451), a sign-in or consent page, or a page built by scripts "
            "stood between the checker and the page (the message names which); the page may well be alive."
        ),
    ),
    Status.PARKED: (
        "The cited domain is parked.",
        "The domain no longer belongs to the cited publisher: it shows a parking, for-sale or expired-domain page.",
    ),
    Status.SOFT404: (
        "The cited page is a 'not found' page.",
        "The URL answers 200 but with a 'not found' page, or redirects a deep link to the site's home page.",
    ),
    Status.FRAGMENT_MISSING: (
        "The cited #anchor is not in the page.",
        "The page is fine but the fragment (#anchor) the citation points to is not in it.",
    ),
    Status.EXCLUDED: ("The URL was skipped by a rule.", "Skipped by an exclusion rule, or a private address while those are disallowed."),
    Status.UNSUPPORTED: ("The URL's scheme is not checked.", "A scheme linkcheck does not check (mailto:, tel:, ftp: ...)."),
    Status.INVALID: ("The cited URL is not a valid URL.", "The citation is not a parseable URL."),
    Status.SUSPECT: (
        "The cited URL is failing, not yet confirmed.",
        "Failing now, but not yet failing long enough to be called broken.",
    ),
}

#: The rule for a drifted page whose status has no rule of its own (not a status of the vocabulary).
DRIFT_RULE = "drift"
_DRIFT_DESCRIPTION = (
    "The cited page has changed since it was archived.",
    "The page answers, but its text is no longer similar to the earlier capture in the archive (content drift): "
    "check that it still supports the citation, or cite the archived copy.",
)


def write(report: Report, stream: TextIO, options: ReportOptions) -> None:
    json.dump(to_dict(report, options), stream, indent=2, ensure_ascii=False)
    stream.write("\n")


def to_dict(report: Report, options: ReportOptions) -> dict[str, Any]:
    reported: list[Status | str] = [status for status in Status if status in options.fail_on or status in WARNING_STATUSES]
    reported.append(DRIFT_RULE)
    rule_index = {rule: index for index, rule in enumerate(reported)}
    results: list[dict[str, Any]] = []
    seen: dict[tuple[str, str], int] = {}
    pairs = [(location, result) for result in report.results for location in result.locations]
    for location, result in sorted(pairs, key=lambda pair: (pair[0].sort_key(), pair[1].url)):
        rule: Status | str | None = result.status if result.status in rule_index else DRIFT_RULE if is_drifted(result) else None
        if rule is None:
            continue
        file = location.file
        ordinal = seen[(result.url, file)] = seen.get((result.url, file), 0) + 1
        results.append(_result(location, result, rule, rule_index[rule], ordinal, options))
    invocation: dict[str, Any] = {
        "executionSuccessful": not report.interrupted,
        "startTimeUtc": iso_utc(report.started_at),
        "endTimeUtc": iso_utc(report.finished_at),
    }
    notifications = [
        {
            "level": "warning",
            "message": {"text": message_text(f"{notice.path}: {notice.message}")},
            "locations": [{"physicalLocation": {"artifactLocation": artifact(notice.path)}}],
        }
        for notice in report.notices
    ]
    if report.interrupted:
        notifications.append({"level": "warning", "message": {"text": "Interrupted: the run was stopped early; the results are partial."}})
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "linkcheck",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule(status, options) for status in reported],
                    }
                },
                "invocations": [invocation],
                "columnKind": "unicodeCodePoints",
                "results": results,
                "properties": {
                    "documents": report.documents,
                    "links": report.links,
                    "uniqueUrls": report.unique_urls,
                    "byStatus": report.by_status(),
                },
            }
        ],
    }


def _level(rule: Status | str, options: ReportOptions) -> str:
    if rule == DRIFT_RULE:
        return "error" if options.fail_on_drift else "warning"
    return "error" if rule in options.fail_on else "warning"


def _rule(rule: Status | str, options: ReportOptions) -> dict[str, Any]:
    name = rule.value if isinstance(rule, Status) else rule
    if rule == DRIFT_RULE:
        short, full = _DRIFT_DESCRIPTION
        help_text = f"{full} Reported with any status; fails the run only with `--fail-on drift`; see {HELP_URI}."
    else:
        generic = (f"The citation's status is {name}.", f"The citation has status `{name}`.")
        short, full = _DESCRIPTIONS.get(rule, generic)  # type: ignore[call-overload]
        help_text = f"{full} Status `{name}` in linkcheck's result vocabulary; see {HELP_URI}."
    return {
        "id": name,
        "name": "".join(part.capitalize() for part in name.split("_")) + "Citation",
        "shortDescription": {"text": short},
        "fullDescription": {"text": full},
        "helpUri": HELP_URI,
        "help": {"text": help_text},
        "defaultConfiguration": {"level": _level(rule, options)},
        "properties": {"tags": ["links", "citations"]},
    }


def _result(location: Location, result: Result, rule: Status | str, rule_index: int, ordinal: int, options: ReportOptions) -> dict[str, Any]:
    on_line = location.line is not None and (location.cell is None or location.cell_line is not None) and not location.part
    parts = [f"{result.status.value}: {result.url}"]
    if result.http_status is not None:
        parts.append(f"HTTP {result.http_status}")
    if result.final_url is not None and result.final_url != result.url:
        parts.append(f"final URL {result.final_url}")
    if result.error:
        parts.append(result.error)
    if result.failing_since is not None:
        parts.append(f"failing since {iso_utc(result.failing_since)}")
    if result.cached:
        parts.append("verdict from history (cached)")
    for note in (drift_text(result), suggestion_text(result)):
        if note:
            parts.append(note)
    if not on_line:
        parts.append(f"at {location.where()}")
    physical: dict[str, Any] = {"artifactLocation": artifact(location.file)}
    if on_line:
        physical["region"] = {"startLine": location.line}
        if location.column is not None:
            physical["region"]["startColumn"] = location.column
    digest = hashlib.sha256(f"{result.url}\n{location.file}".encode("utf-8", "surrogatepass")).hexdigest()
    properties: dict[str, Any] = {"url": result.url, "status": result.status.value, "httpStatus": result.http_status}
    for key, value in (
        ("finalUrl", result.final_url),
        ("error", result.error),
        ("checkedAt", iso_utc(result.checked_at)),
        ("failingSince", iso_utc(result.failing_since)),
        ("cached", result.cached or None),
        ("where", location.where()),
        ("citedAs", location.cited_as),
    ):
        if value is not None:
            properties[key] = value
    if result.drift is not None:
        properties["drift"] = result.drift
    if result.suggestion is not None:
        properties["suggestion"] = result.suggestion
    level = "error" if is_broken(result, options.fail_on, options.fail_on_drift) else _level(rule, options)
    return {
        "ruleId": rule.value if isinstance(rule, Status) else rule,
        "ruleIndex": rule_index,
        "level": level,
        "message": {"text": message_text("; ".join(parts))},
        "locations": [{"physicalLocation": physical}],
        "partialFingerprints": {FINGERPRINT_KEY: f"{digest}:{ordinal}"},
        "properties": properties,
    }


def artifact(path: str) -> dict[str, Any]:
    """An artifactLocation: a relative path as a URI reference under `%SRCROOT%`; an absolute one as a file: URI."""
    if PurePosixPath(path).is_absolute():
        return {"uri": "file://" + quote(path, safe="/")}
    if PureWindowsPath(path).is_absolute():
        return {"uri": "file:///" + quote(path.replace("\\", "/"), safe="/:")}
    return {"uri": quote(path, safe="/"), "uriBaseId": "%SRCROOT%"}


def message_text(text: str) -> str:
    """Plain SARIF message text: printable, with `\\`, `[` and `]` escaped (no embedded links)."""
    return safe(text).replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
