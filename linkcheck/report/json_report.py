"""The JSON report: the contract of DESIGN.md, validated against `linkcheck/schema/report.schema.json`."""

from __future__ import annotations

import json
from typing import Any, TextIO

from linkcheck import __version__
from linkcheck.models import Report, iso_utc
from linkcheck.report import ReportOptions


def to_dict(report: Report) -> dict[str, Any]:
    return {
        "tool": {"name": "linkcheck", "version": __version__},
        "started_at": iso_utc(report.started_at),
        "finished_at": iso_utc(report.finished_at),
        "interrupted": report.interrupted,
        "summary": {
            "documents": report.documents,
            "links": report.links,
            "unique_urls": report.unique_urls,
            "by_status": report.by_status(),
        },
        "run_id": report.run_id,
        "diff": report.diff.to_dict() if report.diff is not None else None,
        "results": [result.to_dict() for result in report.results],
        "notices": [{"file": notice.path, "message": notice.message} for notice in report.notices],
    }


def write(report: Report, stream: TextIO, options: ReportOptions) -> None:
    json.dump(to_dict(report), stream, indent=2, ensure_ascii=False)
    stream.write("\n")
