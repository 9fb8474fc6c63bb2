"""GitHub Actions workflow commands: annotations on the lines that cite a broken or moved source.

`::error file=F,line=L,col=C,title=T::MESSAGE` for each broken citation, `::warning …` for
each warning (a drifted page is one: its content changed since it was archived; an error
under `--fail-on drift`), `::notice file=F,…` for each input the run skipped, and one final `::notice`
with the verdict. `line`/`col` are given only where they are a line of the file itself (not
for a PDF page, a DOCX paragraph, a notebook cell or an EPUB chapter; the message says
where instead).

Escaping follows the runner's rules (actions/toolkit `command.ts`): in the message `%`, CR
and LF become `%25`, `%0D`, `%0A`; in property values `:` and `,` also become `%3A`, `%2C`.
So no value can end its line and start a command of its own (`::error::` or `%0A` in a URL
stay data), nor end a property early. Other control characters (ANSI escapes, which the log
viewer would interpret) are dropped first.
"""

from __future__ import annotations

import re
from typing import TextIO

from linkcheck.models import WARNING_STATUSES, Location, Report, Result
from linkcheck.report import ReportOptions
from linkcheck.report.markdown import plural
from linkcheck.report.rot_notes import is_broken, is_drifted
from linkcheck.report.terminal import detail

#: Control characters but tab, CR and LF (the last two the escaping carries as %0D and %0A).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def escape_data(value: str) -> str:
    """A workflow command's message: `%`, CR and LF percent-encoded; other control characters dropped."""
    return _CONTROL.sub("", value).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """A workflow command's property value: as a message, and `:` and `,` encoded too."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **properties: str | int | None) -> str:
    """One workflow command line; properties that are None are left out."""
    given = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items() if value is not None)
    return f"::{name}{' ' + given if given else ''}::{escape_data(message)}"


def write(report: Report, stream: TextIO, options: ReportOptions) -> None:
    lines: list[str] = []
    pairs = [(location, result) for result in report.results for location in (result.locations if result.locations else [None])]
    broken = warnings = drifted = 0
    for location, result in sorted(pairs, key=lambda pair: (pair[0].sort_key() if pair[0] else ("",), pair[1].url)):
        drifted += is_drifted(result)
        if is_broken(result, options.fail_on, options.fail_on_drift):
            lines.append(_annotation("error", location, result))
            broken += 1
        elif result.status in WARNING_STATUSES or is_drifted(result):
            lines.append(_annotation("warning", location, result))
            warnings += 1
    for notice in report.notices:
        lines.append(command("notice", notice.message, file=notice.path, title="linkcheck: input skipped"))
    lines.append(command("notice", _summary(report, options, broken, warnings, drifted), title="linkcheck"))
    stream.write("\n".join(lines) + "\n")


def _annotation(level: str, location: Location | None, result: Result) -> str:
    message = result.url
    if result.http_status is not None:
        message += f" (HTTP {result.http_status})"
    if detail(result):
        message += f": {detail(result)}"
    on_line = (
        location is not None and location.line is not None and (location.cell is None or location.cell_line is not None) and not location.part
    )  # a notebook's `line` is the file's line when `cell_line` is set beside it
    if location is not None and (not on_line or location.cell is not None):
        message += f" (at {location.where()})"
    return command(
        level,
        message,
        file=location.file if location else None,
        line=location.line if on_line and location else None,
        col=location.column if on_line and location else None,
        title=f"linkcheck: {result.status.value}" + (", drifted" if is_drifted(result) else ""),
    )


def _summary(report: Report, options: ReportOptions, broken: int, warnings: int, drifted: int = 0) -> str:
    urls = len(report.broken(options.fail_on, drift=options.fail_on_drift))
    verdict = f"{plural(broken, 'broken citation')} ({plural(urls, 'URL')})" if broken else "no broken citations"
    counts = ", ".join(f"{count} {status}" for status, count in report.by_status().items()) or "nothing checked"
    drift = f" ({plural(drifted, 'drifted citation')})" if drifted else ""
    text = (
        f"{verdict}, {plural(warnings, 'warning')}{drift}; {plural(report.unique_urls, 'unique URL')}, "
        f"{plural(report.links, 'citation')}, {plural(report.documents, 'document')}: {counts}."
    )
    if report.interrupted:
        text = "Interrupted, results are partial: " + text
    return text
