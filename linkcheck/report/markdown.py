"""The Markdown report, for `$GITHUB_STEP_SUMMARY` and pull-request comments (GitHub-flavoured).

A heading with the verdict, a table of counts by status, a table of the broken citations
and, folded away in `<details>`, the warnings and the notices.

Every document-derived value (file, position, URL, error) goes through `escape()`: control
characters are dropped or made visible, newlines become ⏎ (so a value never leaves its table
row), and each character that means something to Markdown or HTML (`|`, backtick, `*`, `_`,
`[`, `]`, `(`, `)`, `<`, `>`, `&` …) is written as a numeric character reference. References
render as the character but never as syntax: they do not split table cells (GFM splits on
unescaped `|` only), and they work inside the raw-HTML `<details>` block, where backslash
escapes would not. Plain `https://` text is left alone, so GitHub still autolinks the URLs.
"""

from __future__ import annotations

from typing import TextIO

from linkcheck.models import WARNING_STATUSES, Diff, Location, Report, Result, iso_utc
from linkcheck.report import ReportOptions
from linkcheck.report.rot_notes import is_broken, is_drifted
from linkcheck.report.terminal import detail, safe

#: Characters with a meaning in GitHub-flavoured Markdown or HTML anywhere in a line
#: (emphasis, code, links, images, tables, strikethrough, math, tags, entities, quotes).
_MARKUP = frozenset("\\`*_{}[]()<>&|~!$\"'")

_COLUMNS = ("File", "Where", "Status", "HTTP", "URL", "Detail")


def escape(value: str | None) -> str:
    """Text that renders literally in a Markdown table cell or inside an HTML block."""
    if value is None:
        return ""
    return "".join(f"&#{ord(ch)};" if ch in _MARKUP else ch for ch in safe(value))


def write(report: Report, stream: TextIO, options: ReportOptions) -> None:
    pairs = _citations(report)
    broken = [(location, result) for location, result in pairs if is_broken(result, options.fail_on, options.fail_on_drift)]
    drifted = [(location, result) for location, result in pairs if is_drifted(result) and not options.fail_on_drift]
    warnings = [
        (location, result)
        for location, result in pairs
        if result.status in WARNING_STATUSES and result.status not in options.fail_on and not is_drifted(result)
    ]
    lines = [_heading(broken, drifted), ""]
    if report.interrupted:
        lines += ["> **Interrupted:** the run was stopped early; these results are partial.", ""]
    lines += [_totals(report), ""]
    lines += _status_table(report, pairs, options)
    if broken:
        lines += ["", "### Broken citations", "", *_citation_table(broken)]
    if drifted:
        lines += ["", "### Drifted citations", "", "The page answers, but no longer says what it said when it was archived.", ""]
        lines += _citation_table(drifted)
    if warnings:
        lines += ["", "<details>", f"<summary>{_count(warnings, 'warning')}</summary>", "", *_citation_table(warnings), "", "</details>"]
    if report.notices:
        lines += ["", "<details>", f"<summary>{plural(len(report.notices), 'notice')}</summary>", "", "| File | Notice |", "| --- | --- |"]
        lines += [f"| {escape(notice.path)} | {escape(notice.message)} |" for notice in report.notices]
        lines += ["", "</details>"]
    stream.write("\n".join(lines) + "\n")


def _citations(report: Report) -> list[tuple[Location | None, Result]]:
    """One (location, result) pair per citation, in document order; a result cited nowhere once."""
    pairs = [(location, result) for result in report.results for location in (result.locations if result.locations else [None])]
    return sorted(pairs, key=lambda pair: (pair[0].sort_key() if pair[0] else ("",), pair[1].url))


def plural(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _count(pairs: list[tuple[Location | None, Result]], noun: str) -> str:
    """`3 broken citations (2 URLs)`: citations and the distinct URLs among them."""
    return f"{plural(len(pairs), noun)} ({plural(len({id(result) for _, result in pairs}), 'URL')})"


def _heading(broken: list[tuple[Location | None, Result]], drifted: list[tuple[Location | None, Result]]) -> str:
    if broken:
        return f"## linkcheck: ❌ {_count(broken, 'broken citation')}"
    if drifted:
        return f"## linkcheck: ⚠️ no broken citations, {_count(drifted, 'drifted citation')}"
    return "## linkcheck: ✅ no broken citations"


def _totals(report: Report) -> str:
    text = f"{plural(report.unique_urls, 'unique URL')}, {plural(report.links, 'citation')}, {plural(report.documents, 'document')}"
    text += f"; checked from {iso_utc(report.started_at)} to {iso_utc(report.finished_at)}."
    if report.diff is not None:
        text += f" {since_previous(report.diff)}"
    return text


def since_previous(diff: Diff) -> str:
    """`Since run 41: 2 newly broken, 1 fixed, …` (counts of URLs)."""
    if diff.previous_run is None:
        return "No previous run over these inputs to compare with."
    counts = (
        f"{len(diff.new_broken)} newly broken, {len(diff.fixed)} fixed, {len(diff.still_broken)} still broken, "
        f"{len(diff.new_citations)} new and {len(diff.removed_citations)} removed citations"
    )
    return f"Since run {diff.previous_run}: {counts}."


def _status_table(report: Report, pairs: list[tuple[Location | None, Result]], options: ReportOptions) -> list[str]:
    citations: dict[str, int] = {}
    for location, result in pairs:
        if location is not None:
            citations[result.status.value] = citations.get(result.status.value, 0) + 1
    rows = ["| Status | URLs | Citations | Counts as |", "| --- | ---: | ---: | --- |"]
    statuses = {result.status.value: result.status for result in report.results}
    for value, count in report.by_status().items():
        status = statuses[value]
        kind = "broken" if status in options.fail_on else "warning" if status in WARNING_STATUSES else ""
        rows.append(f"| `{value}` | {count} | {citations.get(value, 0)} | {kind} |")
    drifted = [result for result in report.results if is_drifted(result)]
    if drifted:
        kind = "broken" if options.fail_on_drift else "warning"
        cited = sum(len(result.locations) for result in drifted)
        rows.append(f"| drifted (content changed; any status) | {len(drifted)} | {cited} | {kind} |")
    if len(rows) == 2:
        rows.append("| (nothing checked) | 0 | 0 | |")
    return rows


def _citation_table(pairs: list[tuple[Location | None, Result]]) -> list[str]:
    rows = ["| " + " | ".join(_COLUMNS) + " |", "| --- | --- | --- | ---: | --- | --- |"]
    for location, result in pairs:
        cells = (
            escape(location.file) if location else "",
            escape(location.where()) if location else "",
            f"`{result.status.value}`" + (" drifted" if is_drifted(result) else ""),
            str(result.http_status) if result.http_status is not None else "",
            escape(result.url),
            escape(detail(result)),
        )
        rows.append("| " + " | ".join(cells) + " |")
    return rows
