"""Drift and archived-copy suggestions as every report words them.

A result's `drift` (`{similarity, drifted, compared_to, capture}`, linkcheck.rot.drift) says
whether the live page still says what its earlier capture said; its `suggestion`
(`{archive_url, captured_at, source}`, linkcheck.rot.copies) is the archived copy a reader
can go to instead. Both are optional and may come from an older history row, so every
field is read defensively: a missing or odd value is left out, never printed as `None`.
"""

from __future__ import annotations

from typing import Any

from linkcheck.models import Report, Result, Status

#: How each suggestion source is named to a reader.
_SOURCES = {
    "local": "local archive",
    "memento": "Memento",
    "wayback": "Wayback Machine",
    "citation": "cited by the document",
}


def is_drifted(result: Result) -> bool:
    """The page was compared with its earlier capture and has changed past the threshold."""
    return isinstance(result.drift, dict) and bool(result.drift.get("drifted"))


def drifted_results(report: Report) -> list[Result]:
    return [result for result in report.results if is_drifted(result)]


def is_broken(result: Result, fail_on: frozenset[Status], fail_on_drift: bool) -> bool:
    """Counts against the run: a status in `fail_on`, or drifted under `--fail-on drift`."""
    return result.status in fail_on or (fail_on_drift and is_drifted(result))


def similarity(result: Result) -> float | None:
    value = (result.drift or {}).get("similarity") if isinstance(result.drift, dict) else None
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def compared_to(result: Result) -> str | None:
    """When the capture the page was compared with was taken (ISO 8601 UTC), if known."""
    value = (result.drift or {}).get("compared_to") if isinstance(result.drift, dict) else None
    return str(value) if value else None


def short_date(moment: str | None) -> str | None:
    """`2026-10-01T14:00:00Z` -> `2026-10-01 14:00Z`; anything else as it is."""
    if not moment:
        return None
    if len(moment) >= 16 and moment[10] == "T":
        return f"{moment[:10]} {moment[11:16]}Z"
    return moment


def drift_cell(result: Result) -> str:
    """`0.31 since 2026-10-01 14:00Z (drifted)`, `0.95 since …` when compared but unchanged, else ''."""
    score = similarity(result)
    if score is None and not is_drifted(result):
        return ""
    text = f"{score:.2f}" if score is not None else "?"
    since = short_date(compared_to(result))
    if since:
        text += f" since {since}"
    if is_drifted(result):
        text += " (drifted)"
    return text


def drift_text(result: Result) -> str | None:
    """A sentence for a drifted page (None when it has not drifted)."""
    if not is_drifted(result):
        return None
    score = similarity(result)
    text = "content drifted"
    if score is not None:
        text += f": similarity {score:.2f}"
    since = short_date(compared_to(result))
    if since:
        text += f" to the capture of {since}" if score is not None else f" since the capture of {since}"
    return text


def suggestion_url(result: Result) -> str | None:
    value = (result.suggestion or {}).get("archive_url") if isinstance(result.suggestion, dict) else None
    return str(value) if value else None


def suggestion_facts(result: Result) -> str:
    """`captured 2026-01-01 09:00Z, Wayback Machine` (what is known of the copy), or ''."""
    if not isinstance(result.suggestion, dict):
        return ""
    facts = []
    captured = short_date(_text(result.suggestion.get("captured_at")))
    if captured:
        facts.append(f"captured {captured}")
    source = _text(result.suggestion.get("source"))
    if source:
        facts.append(_SOURCES.get(source, source))
    return ", ".join(facts)


def suggestion_text(result: Result) -> str | None:
    """`archived copy: URL (captured …, source)`, or None without a suggestion."""
    url = suggestion_url(result)
    if url is None:
        return None
    facts = suggestion_facts(result)
    return f"archived copy: {url}" + (f" ({facts})" if facts else "")


def notes(result: Result) -> list[str]:
    """The drift sentence and the suggestion sentence, those that apply."""
    return [text for text in (drift_text(result), suggestion_text(result)) if text]


def status_label(result: Result) -> str:
    """The status as reports print it: `ok`, or `ok, drifted` for a drifted page."""
    return f"{result.status.value}, drifted" if is_drifted(result) else result.status.value


def _text(value: Any) -> str | None:
    return str(value) if value else None
