"""The JSON report: the contract in README's Results section, validated against `linkcheck/schema/report.schema.json`."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, TextIO

import orjson

from linkcheck._version import __version__
from linkcheck.models import Report, iso_utc
from linkcheck.report import ReportOptions


_COMPACT = json.JSONEncoder(ensure_ascii=False)


def compact(item: Any) -> str:
    """One item as compact JSON: orjson (8x faster than the json module's C encoder, a
    quarter of a repeat run's report), or the json module for what orjson refuses (a
    string with a lone surrogate, as a document decoded with `surrogateescape` can give)."""
    try:
        return orjson.dumps(item).decode()
    except orjson.JSONEncodeError:
        return _COMPACT.encode(item)


def to_dict(report: Report, with_results: bool = True) -> dict[str, Any]:
    data = {
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
        "host_stats": report.host_stats,
        "diff": report.diff.to_dict() if report.diff is not None else None,
        "notices": [{"file": notice.path, "message": notice.message} for notice in report.notices],
    }
    if with_results:
        data["results"] = [result.to_dict() for result in report.results]
    return data


def write(report: Report, stream: TextIO, options: ReportOptions) -> None:
    data = to_dict(report, with_results=False)
    write_with_list(stream, data, "results", (result.to_dict() for result in report.results))


def write_with_list(stream: TextIO, head: dict[str, Any], key: str, items: Iterable[Any]) -> None:
    """`head` indented for people, then `key`'s items one compact object per line.

    Python's indenting encoder is pure Python and makes one write per token; 100,000
    results would take most of a run. Compact lines (`compact`) are fast and stay diffable.
    """
    opening = json.dumps(head, indent=2, ensure_ascii=False)[:-2] + ",\n" if head else "{\n"
    stream.write(opening + f"  {json.dumps(key)}: [")
    separator = "\n    "
    for item in items:
        stream.write(separator + compact(item))
        separator = ",\n    "
    stream.write("\n  ]\n}\n" if separator != "\n    " else "]\n}\n")
