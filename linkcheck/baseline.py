"""The baseline: citations already known to be broken, so CI fails only on new breakage.

A project adopting linkcheck usually has some rot already. `linkcheck baseline write`
records it in a small JSON file kept in the repository; `check --baseline FILE` then
reports those citations as *known* and fails (exit 1) only when a broken citation is
not in the baseline.

The matching key is **(file, url)**: the document as reports name it (the path as typed
from where linkcheck runs, so write and use the baseline from the same folder, usually
the repository root) and the URL as reports name it (normalized; a local link's key).
Line and column are not part of the key, so a baseline survives edits that move a
citation around its file. One entry covers every citation of that URL in that file.
The status is recorded for the reader but not matched: a known-dead URL that now
answers 500 is still the same known breakage. Moving the citation to another file, or
citing the URL in a new file, is new breakage.

The file is stable and human-diffable: a format `version`, then one entry per line,
sorted by file then URL, no timestamps, so rewriting an unchanged baseline changes
nothing and a review shows exactly which citations were added or fixed.

    {
      "version": 1,
      "citations": [
        {"file": "docs/intro.md", "url": "https://example.org/gone", "status": "dead"}
      ]
    }
"""

from __future__ import annotations

import json
import os
import posixpath
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from linkcheck.errors import InputError, UsageError
from linkcheck.models import DEFAULT_FAIL_ON, Location, Report, Result, Status
from linkcheck.outfile import write_safely

#: The baseline file format this linkcheck writes and reads.
BASELINE_VERSION = 1

#: Where `linkcheck baseline write` writes, and what the docs suggest for `--baseline`.
DEFAULT_BASELINE_FILE = "linkcheck-baseline.json"


@dataclass(frozen=True, order=True, slots=True)
class BaselineEntry:
    """One known-broken (file, url) pair; `status` is what it was when recorded."""

    file: str
    url: str
    status: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.file, self.url)

    def to_dict(self) -> dict[str, str]:
        return {"file": self.file, "url": self.url, "status": self.status}


@dataclass(frozen=True)
class Baseline:
    """A set of known-broken citations, keyed by (file, url)."""

    entries: tuple[BaselineEntry, ...] = ()
    _keys: frozenset[tuple[str, str]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        unique = {entry.key: entry for entry in self.entries}
        object.__setattr__(self, "entries", tuple(sorted(unique.values())))
        object.__setattr__(self, "_keys", frozenset(unique))

    def __len__(self) -> int:
        return len(self.entries)

    def covers(self, result: Result, location: Location | None) -> bool:
        """True when this citation (the result's URL at this location's file) is known broken.

        Lines and columns are ignored; a result cited nowhere (`location` None) is never covered.
        """
        if location is None:
            return False
        return (normalize_file(location.file), result.url) in self._keys

    def to_json(self) -> str:
        """The file's text: stable, sorted, one entry per line."""
        lines = ",\n".join(f"    {json.dumps(entry.to_dict(), ensure_ascii=False)}" for entry in self.entries)
        body = f"[\n{lines}\n  ]" if self.entries else "[]"
        return f'{{\n  "version": {BASELINE_VERSION},\n  "citations": {body}\n}}\n'

    @classmethod
    def from_citations(cls, citations: Iterable[tuple[str, str, str]]) -> Baseline:
        """From (file, url, status) triples; files are normalized, duplicates merged."""
        return cls(tuple(BaselineEntry(normalize_file(file), url, status) for file, url, status in citations))


@dataclass
class BaselineOutcome:
    """A report's broken citations split against a baseline.

    `known` and `new` hold (result, location) pairs in document order; `fixed` the entries
    whose (file, url) is still cited but no longer broken; `unseen` the entries this report
    does not cite at all (the citation was removed, or its file was not checked this time,
    e.g. with `--changed-since`).
    """

    known: list[tuple[Result, Location | None]] = field(default_factory=list)
    new: list[tuple[Result, Location | None]] = field(default_factory=list)
    fixed: list[BaselineEntry] = field(default_factory=list)
    unseen: list[BaselineEntry] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        """True when there is broken citation the baseline does not cover (the run fails)."""
        return bool(self.new)

    @property
    def new_results(self) -> list[Result]:
        """The distinct results with at least one new broken citation, by URL."""
        return _distinct(result for result, _ in self.new)

    @property
    def known_results(self) -> list[Result]:
        """The distinct results with at least one known broken citation, by URL."""
        return _distinct(result for result, _ in self.known)

    def summary(self) -> str:
        """One line for humans: `baseline: 2 new broken citations, 3 known, 1 fixed`."""
        parts = [
            _plural(len(self.new), "new broken citation"),
            f"{len(self.known)} known (in the baseline)",
        ]
        if self.fixed:
            parts.append(f"{len(self.fixed)} fixed since the baseline")
        text = "baseline: " + ", ".join(parts)
        if self.fixed:
            text += "; run `linkcheck baseline write` to drop fixed entries"
        return text + "."


def baseline_from_report(report: Report, fail_on: frozenset[Status] = DEFAULT_FAIL_ON) -> Baseline:
    """Every broken citation of a report (status in `fail_on`) as a baseline."""
    return Baseline.from_citations(
        (location.file, result.url, result.status.value)
        for result in report.results
        if result.status in fail_on
        for location in result.locations
    )


def baseline_from_json_report(data: Any, fail_on: frozenset[Status] = DEFAULT_FAIL_ON, source: str = "report") -> Baseline:
    """Every broken citation of a JSON report (`--format json`) as a baseline."""
    broken = {status.value for status in fail_on}
    if not isinstance(data, Mapping) or not isinstance(data.get("results"), list):
        raise UsageError(f"{source}: not a linkcheck JSON report (no \"results\" list); write one with --format json:FILE")
    citations: list[tuple[str, str, str]] = []
    for index, result in enumerate(data["results"]):
        if not isinstance(result, Mapping) or not isinstance(result.get("url"), str) or not isinstance(result.get("status"), str):
            raise UsageError(f"{source}: result {index + 1} has no \"url\" or \"status\"")
        if result["status"] not in broken:
            continue
        for location in result.get("locations") or []:
            if not isinstance(location, Mapping) or not isinstance(location.get("file"), str):
                raise UsageError(f"{source}: result {index + 1} ({result['url']}) has a location without \"file\"")
            citations.append((location["file"], result["url"], result["status"]))
    return Baseline.from_citations(citations)


def load_baseline(path: str | os.PathLike[str]) -> Baseline:
    """Read a baseline file; `InputError` when missing or unreadable, `UsageError` when malformed."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such baseline file (write one with `linkcheck baseline write`)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the baseline: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    if not isinstance(data, Mapping) or "version" not in data:
        raise UsageError(f"{path}: not a linkcheck baseline (no \"version\" field)")
    if data["version"] != BASELINE_VERSION:
        raise UsageError(f"{path}: baseline version {data['version']!r}; this linkcheck reads version {BASELINE_VERSION}")
    citations = data.get("citations")
    if not isinstance(citations, list):
        raise UsageError(f"{path}: \"citations\" must be a list")
    triples: list[tuple[str, str, str]] = []
    for index, entry in enumerate(citations):
        if not isinstance(entry, Mapping) or not isinstance(entry.get("file"), str) or not isinstance(entry.get("url"), str):
            raise UsageError(f"{path}: citation {index + 1} needs string \"file\" and \"url\"")
        status = entry.get("status", "")
        triples.append((entry["file"], entry["url"], status if isinstance(status, str) else str(status)))
    return Baseline.from_citations(triples)


def write_baseline(baseline: Baseline, path: str | os.PathLike[str]) -> None:
    """Write atomically onto a regular file (the old baseline or the complete new one), in
    place onto a device or FIFO (`outfile` explains why)."""
    text = baseline.to_json()
    write_safely(path, lambda stream: stream.write(text), what="the baseline")


def apply_baseline(report: Report, baseline: Baseline, fail_on: frozenset[Status] = DEFAULT_FAIL_ON) -> BaselineOutcome:
    """Split the report's broken citations (status in `fail_on`) into known and new."""
    outcome = BaselineOutcome()
    cited: dict[tuple[str, str], bool] = {}  # (file, url) -> broken anywhere in that file
    nowhere: list[Location | None] = [None]
    pairs = [(result, location) for result in report.results for location in (result.locations or nowhere)]
    pairs.sort(key=lambda pair: (pair[1].sort_key() if pair[1] else ("",), pair[0].url))
    for result, location in pairs:
        broken = result.status in fail_on
        if location is not None:
            key = (normalize_file(location.file), result.url)
            cited[key] = cited.get(key, False) or broken
        if broken:
            (outcome.known if baseline.covers(result, location) else outcome.new).append((result, location))
    for entry in baseline.entries:
        if entry.key not in cited:
            outcome.unseen.append(entry)
        elif not cited[entry.key]:
            outcome.fixed.append(entry)
    return outcome


def normalize_file(file: str) -> str:
    """A report's file name in one spelling: `/` separators, no `./`, no `a/../`."""
    text = file.replace("\\", "/") if os.sep == "\\" else file
    return posixpath.normpath(text) if text else text


def _distinct(results: Iterable[Result]) -> list[Result]:
    seen: dict[str, Result] = {}
    for result in results:
        seen.setdefault(result.url, result)
    return [seen[url] for url in sorted(seen)]


def _plural(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
