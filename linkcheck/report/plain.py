"""Report text that needs no terminal library: `safe` (what every report does to text it
did not write) and the run's summary in words (how many URLs, citations and documents, what
broke, what was excluded and why). A run whose reports all go to files still says on stderr
how it went, and does not import rich to say it."""

from __future__ import annotations

from linkcheck.models import Report, Status
from linkcheck.report import ReportOptions
from linkcheck.report.rot_notes import drifted_results, suggestion_url

#: What rich's `strip_control_codes` drops (bell, backspace, vertical tab, form feed, carriage return).
_STRIP_CONTROL = dict.fromkeys((7, 8, 11, 12, 13))


def safe(value: str) -> str:
    """Printable text only: no escape sequences, no carriage returns, newlines shown as ⏎."""
    cleaned = value.translate(_STRIP_CONTROL).replace("\x1b", "")
    return "".join(ch if ch.isprintable() else "\ufffd" for ch in cleaned.replace("\n", "\u23ce"))


def summary_parts(report: Report, options: ReportOptions) -> list[tuple[str, str | None]]:
    """The summary as (text, style) parts: the counts, a newline, then what broke and why."""
    counts = ", ".join(f"{count} {status}" for status, count in report.by_status().items()) or "nothing to check"
    elapsed = f" in {options.elapsed:.1f}s" if options.elapsed is not None else ""
    parts: list[tuple[str, str | None]] = [
        (
            f"{count_of(report.unique_urls, 'unique URL')}, {count_of(report.links, 'citation')}, "
            f"{count_of(report.documents, 'document')}{elapsed}: {counts}.",
            None,
        ),
        ("\n", None),
    ]
    broken = report.broken(options.fail_on, drift=options.fail_on_drift)
    citations = sum(len(result.locations) for result in broken)
    drifted = drifted_results(report)
    drifted_citations = count_of(sum(len(result.locations) for result in drifted), "drifted citation")
    drifted_urls = count_of(len(drifted), "URL")
    if report.interrupted:
        parts.append(("Interrupted: the results above are partial. ", "bold yellow"))
    if broken:
        parts.append((f"{count_of(citations, 'broken citation')} ({count_of(len(broken), 'URL')})", "bold red"))
        if drifted and options.fail_on_drift:
            parts.append((f", including {drifted_citations} ({drifted_urls}, --fail-on drift)", "bold red"))
        parts.append((".", "bold red"))
    else:
        parts.append(("No broken citations.", "bold green"))
    if drifted and not options.fail_on_drift:
        parts.append((f" {drifted_citations} ({drifted_urls}): the page has changed since it was archived.", "yellow"))
    copies = sum(1 for result in report.results if suggestion_url(result) is not None)
    if copies:
        parts.append((f" {copies} archived {'copy' if copies == 1 else 'copies'} suggested (in Detail).", None))
    excluded = excluded_reasons(report)
    if excluded:
        total = sum(count for _, count in excluded)
        reasons = ", ".join(f"{count} {reason}" for reason, count in excluded)
        parts.append((f"\n{total} excluded: {reasons}.", None))
    return parts


def summary_text(report: Report, options: ReportOptions) -> str:
    """The summary on one line, for stderr and logs."""
    return "".join(part for part, _ in summary_parts(report, options)).replace("\n", " ")


#: Reasons worded by the start of an excluded result's message (the rest names the address).
_PRIVATE = "private address"
_PRIVATE_HINT = " (--allow-private permits them)"
#: At most this many distinct reasons are named; the rest are counted together.
_MAX_REASONS = 4


def excluded_reasons(report: Report) -> list[tuple[str, int]]:
    """Excluded URLs counted by why: `[("private address (--allow-private permits them)", 27), …]`,
    most frequent first."""
    counts: dict[str, int] = {}
    for result in report.results:
        if result.status is not Status.EXCLUDED:
            continue
        reason = safe(result.error or "no reason given")
        if reason.startswith("refused: ") and "private" in reason:
            reason = _PRIVATE  # the SSRF guard's refusal, whatever address it names
        counts[reason] = counts.get(reason, 0) + 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    if len(ranked) > _MAX_REASONS:
        rest = sum(count for _, count in ranked[_MAX_REASONS - 1 :])
        ranked = ranked[: _MAX_REASONS - 1] + [("for other reasons", rest)]
    return [
        (f"{_PRIVATE}{'' if count == 1 else 'es'}{_PRIVATE_HINT}" if reason == _PRIVATE else reason, count)
        for reason, count in ranked
    ]


def count_of(number: int, noun: str) -> str:
    """`1 URL`, `2 URLs`."""
    return f"{number} {noun}{'' if number == 1 else 's'}"
