"""What `fix` would change: the history's verdicts turned into edits of each document.

For every cited URL, the newest check in the history decides:

- `redirect_permanent` with a final URL on the same site (or any site with
  `cross_site`): the citation is replaced by the final URL, keeping the cited fragment
  when the final URL has none;
- `dead`, `error`, `soft404`, `parked`, or content that drifted, with a suggested archived copy:
  the citation is annotated with it, in the format's idiom (the rule modules). Only an
  absolute http(s) URL is written: a local-archive capture (`archive/<stamp>/<url>`, a
  replay path relative to no document) becomes `<replay_url>/<stamp>/<url>`, and without
  `replay_url` it is skipped with the reason, since the next check would find it dead.

Each location is found again in the file as read now, by line and column, and the
extractor must read the same URL there, and the URL as written must be at that spot;
otherwise it is skipped (the document changed since the check). Edits are applied from
the end of the file backwards, so every position still to come stays valid. Identifiers
(`doi:10.…`, `arXiv:…`, DOI resolver URLs) are never rewritten. Nothing is written here:
`linkcheck.fix.apply` does that.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import ModuleType
from urllib.parse import urlsplit

from linkcheck.config import Settings
from linkcheck.extract import ExtractOptions, extractor, format_for
from linkcheck.fix.rules import Archived, Edit, Skip, Spot
from linkcheck.fix.textfile import SNIFF_BYTES, TextFile, Unfixable, read
from linkcheck.history import Check, History
from linkcheck.identifiers import identifier_url
from linkcheck.models import Location, Notice, Status
from linkcheck.pipeline import PathLike, extract_paths
from linkcheck.rot.copies import LOCAL_REPLAY_COLLECTION
from linkcheck.sites import same_site
from linkcheck.urls import InvalidURL, normalize

#: Format name -> rule module under `linkcheck.fix` (imported on first use).
RULES: dict[str, str] = {
    "markdown": "markdown",
    "html": "html",
    "wikitext": "wikitext",
    "bibtex": "bibtex",
    "rst": "rst",
    "plaintext": "plaintext",
}

#: Verdicts whose citation is annotated with its archived copy.
ANNOTATED_STATUSES: frozenset[Status] = frozenset({Status.DEAD, Status.ERROR, Status.SOFT404, Status.PARKED})

_WAYBACK_STAMP = re.compile(r"/(\d{14})(?:[a-z]{2}_)?/")


@dataclass(frozen=True, slots=True)
class FixOptions:
    #: Follow permanent redirects to another site too.
    cross_site: bool = False
    #: Base of a wayback-style replay of the local archive (`archive.replay_url`); empty: none.
    replay_url: str = ""


@dataclass(frozen=True, slots=True)
class Change:
    """One citation rewritten: `kind` is `redirect` or `archived`."""

    file: str
    line: int
    column: int
    kind: str
    old: str
    new: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column} {self.kind} {self.old} → {self.new}"


@dataclass(frozen=True, slots=True)
class Skipped:
    """A citation (or a whole file, without line) left alone, and why."""

    file: str
    line: int | None
    column: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}" if self.line is not None else self.file
        return f"{where} skipped: {self.message}"


@dataclass(slots=True)
class FileFix:
    """One document as read and as it would be after the changes."""

    display: str
    source: TextFile
    text: str
    changes: list[Change] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.text != self.source.text


@dataclass(slots=True)
class FixPlan:
    files: list[FileFix] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)

    @property
    def changed(self) -> list[FileFix]:
        return [file for file in self.files if file.changed]

    @property
    def changes(self) -> list[Change]:
        return [change for file in self.changed for change in file.changes]


@dataclass(frozen=True, slots=True)
class Rewrite:
    final_url: str


@dataclass(frozen=True, slots=True)
class Annotate:
    archived: Archived


Action = Rewrite | Annotate


@dataclass(slots=True)
class _Request:
    location: Location
    url: str
    action: Action


def plan_fixes(
    paths: Sequence[PathLike], history: History, settings: Settings | None = None, options: FixOptions | None = None
) -> FixPlan:
    """The changes `fix` would make to the documents under `paths`; writes nothing."""
    settings = settings or Settings()
    options = options or FixOptions()
    extraction = extract_paths(paths, settings)
    plan = FixPlan(notices=list(extraction.notices))
    by_file: dict[str, list[_Request]] = {}
    seen: set[Location] = set()
    for link in extraction.links:
        if link.verdict is not None:
            continue  # invalid, unsupported, excluded, local: never checked over the network
        decision = decide(link.url, _latest(history, link.url), options)
        if decision is None:
            continue
        identifier = identifier_url(link.url, settings.urls.doi_resolver) is not None
        for location in link.locations:
            if location.cited_as or identifier:
                why = f"{location.cited_as or link.url} is an identifier: never rewritten"
                plan.skipped.append(Skipped(location.file, location.line, location.column, why))
            elif isinstance(decision, str):
                plan.skipped.append(Skipped(location.file, location.line, location.column, decision))
            elif location not in seen:  # a file reached through two overlapping PATHS cites twice
                seen.add(location)
                by_file.setdefault(location.file, []).append(_Request(location, link.url, decision))
    for display, requests in by_file.items():
        fix = _plan_file(display, requests, settings, plan.skipped)
        if fix is not None:
            plan.files.append(fix)
    plan.skipped.sort(key=lambda item: (item.file, item.line or 0, item.column or 0))
    return plan


def decide(url: str, check: Check | None, options: FixOptions) -> Action | str | None:
    """What the newest check says to do with `url`: an action, a reason not to, or None."""
    if check is None:
        return None
    if check.status is Status.REDIRECT_PERMANENT and check.final_url and check.final_url != url.split("#", 1)[0]:
        if options.cross_site or same_site(url, check.final_url):
            return Rewrite(check.final_url)
        return f"cross-site redirect {url} → {check.final_url} not applied (--cross-site applies it)"
    drift = check.extra.get("drift")
    drifted = isinstance(drift, dict) and bool(drift.get("drifted"))
    if check.status in ANNOTATED_STATUSES or drifted:
        suggestion = check.extra.get("suggestion")
        if isinstance(suggestion, dict) and suggestion.get("archive_url"):
            archive_url = linkable(str(suggestion["archive_url"]), options.replay_url)
            if isinstance(archive_url, Unlinkable):
                return archive_url.reason
            date = capture_date(suggestion.get("captured_at"), archive_url)
            return Annotate(Archived(archive_url, date, usurped=check.status is Status.PARKED))
    return None


@dataclass(frozen=True, slots=True)
class Unlinkable:
    """A suggested copy no reader could open from the document, and why."""

    reason: str


def linkable(archive_url: str, replay_url: str = "") -> str | Unlinkable:
    """`archive_url` as an absolute http(s) URL a reader can open, or why it cannot be one.

    A local capture's replay path is joined to `replay_url`; anything else must be absolute
    already, since a relative path would resolve against the document and be dead.
    """
    local = f"{LOCAL_REPLAY_COLLECTION}/"
    if archive_url.startswith(local):
        if not replay_url:
            return Unlinkable(f"local capture only ({archive_url}): set archive.replay_url to link it")
        archive_url = f"{replay_url.rstrip('/')}/{archive_url.removeprefix(local)}"
    try:
        parts = urlsplit(archive_url)
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return Unlinkable(f"archived copy {archive_url} is not an absolute http(s) URL: not linked")
    return archive_url


def _latest(history: History, url: str) -> Check | None:
    """The newest check of `url`, else of the page it names (fragments are never requested)."""
    check = history.latest(url)
    page = url.split("#", 1)[0]
    return check if check is not None or page == url else history.latest(page)


def capture_date(captured_at: object, archive_url: str = "") -> str | None:
    """YYYY-MM-DD of a capture: from an ISO time, a 14-digit Wayback stamp, or the archive URL."""
    text = str(captured_at or "").strip()
    if re.fullmatch(r"\d{8}(\d{6})?", text):
        text = f"{text[:4]}-{text[4:6]}-{text[6:8]}"
    if text:
        try:
            return datetime.fromisoformat(text).strftime("%Y-%m-%d")
        except ValueError:
            pass
    stamp = _WAYBACK_STAMP.search(archive_url)
    if stamp:
        return f"{stamp.group(1)[:4]}-{stamp.group(1)[4:6]}-{stamp.group(1)[6:8]}"
    return None


def rule_for(format_name: str) -> ModuleType | None:
    module = RULES.get(format_name)
    return importlib.import_module(f"linkcheck.fix.{module}") if module else None


def _plan_file(display: str, requests: list[_Request], settings: Settings, skipped: list[Skipped]) -> FileFix | None:
    path = Path(display)
    try:
        source = read(path)
    except Unfixable as exc:
        skipped.append(Skipped(display, None, None, str(exc)))
        return None
    format_name = format_for(path, source.data[:SNIFF_BYTES])
    rule = rule_for(format_name)
    if rule is None:
        skipped.append(Skipped(display, None, None, f"no rewrite rule for this format ({format_name})"))
        return None
    try:
        raws = list(extractor(format_name)(source.text, ExtractOptions(include_code=settings.files.include_code)))
    except Exception as exc:  # noqa: BLE001 - one unreadable document must not stop the others
        skipped.append(Skipped(display, None, None, f"could not be read again ({type(exc).__name__}: {exc})"))
        return None
    targets: dict[tuple[int | None, int | None], list[tuple[str, str | None]]] = {}
    for raw in raws:
        targets.setdefault((raw.line, raw.column), []).append((raw.target, raw.base))
    starts = _line_starts(source.text)
    spots: list[tuple[Spot, _Request]] = []
    for request in requests:
        where = request.location
        spot = _locate(source.text, starts, where, targets.get((where.line, where.column), []), request.url, rule, settings)
        if isinstance(spot, str):
            skipped.append(Skipped(display, where.line, where.column, spot))
        else:
            spots.append((spot, request))
    fix = FileFix(display, source, source.text)
    spots.sort(key=lambda item: item[0].start, reverse=True)
    for spot, request in spots:
        where = request.location
        if spot.spoiled:
            skipped.append(Skipped(display, where.line, where.column, "overlaps another change in this file"))
            continue
        try:
            edits, change = _edits(fix.text, spot, request, rule)
        except Skip as exc:
            skipped.append(Skipped(display, where.line, where.column, str(exc)))
            continue
        if edits:
            fix.text = _apply(fix.text, edits, [other for other, _ in spots if other.start < spot.start])
            fix.changes.append(change)
    fix.changes.sort(key=lambda change: (change.line, change.column))
    return fix


def _locate(
    text: str,
    starts: list[int],
    where: Location,
    candidates: list[tuple[str, str | None]],
    url: str,
    rule: ModuleType,
    settings: Settings,
) -> Spot | str:
    """The spot of `url` at `where`, or why it is not there as the check saw it."""
    changed = f"{url} is no longer at {where.line}:{where.column}: the document changed since it was read"
    if where.line is None or where.column is None or not 0 < where.line <= len(starts):
        return changed
    for target, base in candidates:
        if _key(target, base, settings) != url:
            continue
        if identifier_url(target) is not None:
            return f"{target} is an identifier: never rewritten"
        start = starts[where.line - 1] + where.column - 1
        end = rule.written_end(text, start, target)
        if end is None:
            return f"{target} is not written as such at {where.line}:{where.column}: not rewritten"
        return Spot(start, end, target)
    return changed


def _edits(text: str, spot: Spot, request: _Request, rule: ModuleType) -> tuple[list[Edit], Change]:
    where = request.location
    assert where.line is not None and where.column is not None
    if isinstance(request.action, Rewrite):
        new_url = _with_fragment(request.action.final_url, spot.target)
        written = rule.spell(new_url, text, spot)
        edits = [Edit(spot.start, spot.end, written)] if written != spot.written(text) else []
        return edits, Change(where.file, where.line, where.column, "redirect", spot.target, new_url)
    archived = request.action.archived
    edits = rule.annotate(text, spot, archived)
    return edits, Change(where.file, where.line, where.column, "archived", spot.target, archived.url)


def _apply(text: str, edits: list[Edit], earlier: list[Spot]) -> str:
    """Apply `edits` (last first) and move the spots still to come; spoil those they touch."""
    for edit in sorted(edits, key=lambda edit: edit.start, reverse=True):
        text = text[: edit.start] + edit.new + text[edit.end :]
        delta = len(edit.new) - (edit.end - edit.start)
        for spot in earlier:
            if edit.end <= spot.start:
                spot.start += delta
                spot.end += delta
            elif edit.start < spot.end:
                spot.spoiled = True
    return text


def _with_fragment(final_url: str, cited: str) -> str:
    """The final URL, carrying the cited fragment when it has none of its own."""
    _, sep, fragment = cited.partition("#")
    return f"{final_url}#{fragment}" if sep and "#" not in final_url else final_url


def _key(target: str, base: str | None, settings: Settings) -> str:
    """The URL a raw target is checked as (what `extract_paths` keys links by)."""
    text = target.strip()
    text = identifier_url(text, settings.urls.doi_resolver) or text
    try:
        return normalize(text, base)
    except InvalidURL:
        return text


def _line_starts(text: str) -> list[int]:
    """Offsets where lines start; lines end at LF, CRLF or CR (as `LineIndex` counts them)."""
    return [0, *(match.end() for match in re.finditer(r"\r\n?|\n", text))]
