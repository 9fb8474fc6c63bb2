"""The vocabulary every stage shares: where a link was cited, the link itself, and its verdict.

Two link types on purpose: a `RawLink` is what a parser saw (as written, perhaps
invalid, relative, with its position); a `Link` is the normalized, checkable URL
with every place it is cited. Lines and columns are 1-based; columns count
characters (Unicode code points), not bytes.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, NamedTuple


class Status(str, enum.Enum):
    """The result vocabulary of README's Results section; the `value` is what every report prints."""

    OK = "ok"
    REDIRECT_PERMANENT = "redirect_permanent"
    REDIRECT_TEMPORARY = "redirect_temporary"
    DEAD = "dead"
    ERROR = "error"
    BLOCKED = "blocked"
    SOFT404 = "soft404"
    #: The domain no longer belongs to the cited publisher: a parking, for-sale or expired lander.
    PARKED = "parked"
    FRAGMENT_MISSING = "fragment_missing"
    EXCLUDED = "excluded"
    UNSUPPORTED = "unsupported"
    INVALID = "invalid"
    SUSPECT = "suspect"

    def __str__(self) -> str:
        return self.value


#: Statuses that fail a run unless the user says otherwise (`--fail-on`).
DEFAULT_FAIL_ON: frozenset[Status] = frozenset(
    {Status.DEAD, Status.ERROR, Status.SOFT404, Status.PARKED, Status.FRAGMENT_MISSING, Status.INVALID}
)

#: Statuses shown as warnings: not broken, but worth a look.
WARNING_STATUSES: frozenset[Status] = frozenset(
    {Status.REDIRECT_PERMANENT, Status.BLOCKED, Status.SUSPECT}
)


class RawLink(NamedTuple):
    """A link exactly as a parser found it, before any normalization.

    `line`/`column` are None only where a format has no lines (PDF, DOCX); such formats
    say where instead with `page` (PDF, 1-based) or `paragraph` (DOCX, 1-based).
    `cell` is the 1-based notebook cell; a notebook's line and column are in the `.ipynb`
    file (what editors, SARIF and GitHub count), and `cell_line` is the line inside the
    cell's source (or inside the HTML output the link is in);
    `part` names the file inside a container (the XHTML chapter of an EPUB).

    A named tuple rather than a dataclass: a large corpus makes millions of them, and
    extraction workers send them to the parent as plain tuples (`tuple(raw)`), which
    pickle an order of magnitude faster than objects.
    """

    target: str
    line: int | None
    column: int | None
    text: str | None = None
    #: Base URL the target is relative to (HTML `<base href>`), if the document set one.
    base: str | None = None
    page: int | None = None
    paragraph: int | None = None
    cell: int | None = None
    part: str | None = None
    #: An archived copy the document itself already cites for this link (wikitext `archive-url`).
    archive_url: str | None = None
    archive_date: str | None = None
    #: 1-based line inside the notebook cell (`line` is the line in the .ipynb file).
    cell_line: int | None = None


def _raw_link_make(cls: type[RawLink], iterable: Any) -> RawLink:
    """`RawLink._make` that also reads the shorter tuples stored before a field was added
    (the extraction cache keeps raw links as JSON lists): the missing fields are None."""
    fields = tuple(iterable)
    if len(fields) > len(cls._fields):
        raise TypeError(f"Expected at most {len(cls._fields)} arguments, got {len(fields)}")
    return tuple.__new__(cls, fields + (None,) * (len(cls._fields) - len(fields)))


RawLink._make = classmethod(_raw_link_make)  # type: ignore[assignment, method-assign]


class Location(NamedTuple):
    """One place a URL is cited: file as given on the command line, 1-based line and column
    (or page / paragraph / cell / part where the format calls for them).

    A named tuple, like `RawLink`: a million citations make a million of these, and a
    tuple is the cheapest immutable record Python builds.
    """

    file: str
    line: int | None
    column: int | None
    text: str | None = None
    page: int | None = None
    paragraph: int | None = None
    cell: int | None = None
    part: str | None = None
    #: The target as written when it differs in form from the URL (a DOI, an arXiv id).
    cited_as: str | None = None
    #: A notebook's line inside the cell (`line` and `column` are in the .ipynb file).
    cell_line: int | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"file": self.file, "line": self.line, "column": self.column}
        extras = self[4:]  # page, paragraph, cell, part, cited_as, cell_line: all None for most formats
        if extras != _NO_EXTRAS:
            for name, value in zip(_EXTRA_FIELDS, extras):
                if value is not None:
                    data[name] = value
        return data

    def sort_key(self) -> tuple[str, str, int, int, int, int, int]:
        return (self.file, self.part or "", self.cell or 0, self.page or 0, self.paragraph or 0, self.line or 0, self.column or 0)

    def where(self) -> str:
        """Short human position: `12:5`, `p. 3`, `¶ 14`, `17:9 (cell 2 line 4)`, `ch1.xhtml 8:3`.

        A notebook location with its line in the cell shows the file's line:column first
        (where an editor jumps), then the cell and the line in it; one without (made by hand
        or read from an older report) keeps the older `cell 2, 4:1`.
        """
        if self.page is not None:
            spot = f"p. {self.page}"
        elif self.paragraph is not None:
            spot = f"¶ {self.paragraph}"
        else:
            spot = f"{self.line}:{self.column}"
        if self.cell is not None and self.cell_line is not None:
            spot = f"{spot} (cell {self.cell} line {self.cell_line})"
        elif self.cell is not None:
            spot = f"cell {self.cell}, {spot}"
        if self.part:
            spot = f"{self.part} {spot}"
        return spot


_EXTRA_FIELDS = Location._fields[4:]  # the optional ones: page, paragraph, cell, part, cited_as, cell_line
_NO_EXTRAS = (None,) * len(_EXTRA_FIELDS)


@dataclass(slots=True)
class Link:
    """A checkable URL (normalized, fragment kept) with every location that cites it."""

    url: str
    locations: list[Location] = field(default_factory=list)
    #: Set when the verdict is known without a request (invalid, unsupported, excluded, local).
    verdict: Status | None = None
    reason: str | None = None
    #: Archived copies the documents themselves cite for this URL: (archive URL, date or None).
    archived_copies: list[tuple[str, str | None]] = field(default_factory=list)

    @property
    def request_url(self) -> str:
        """The URL to request: fragments never go on the wire."""
        return self.url.split("#", 1)[0]

    @property
    def fragment(self) -> str | None:
        _, sep, fragment = self.url.partition("#")
        return fragment if sep else None


@dataclass(frozen=True, slots=True)
class Received:
    """A response as it came off the wire (after transfer decoding, still content-encoded),
    kept by the checker when the archive will want it, so `--archive` writes the page from
    the check's own GET instead of downloading it again."""

    status: int
    reason: str
    http_version: str
    headers: list[tuple[str, str]]
    request_headers: list[tuple[str, str]]
    body: bytes
    #: True when the body was read to its end (not cut at the check's read limit).
    complete: bool
    date: datetime
    #: The server's IP address (the WARC's `WARC-IP-Address`), where the transport knew it.
    ip: str | None = None


@dataclass(frozen=True, slots=True)
class Redirect:
    """One hop of a redirect chain: the URL requested and the status it answered."""

    url: str
    status: int

    def to_dict(self) -> dict[str, Any]:
        return {"url": self.url, "status": self.status}


@dataclass(slots=True)
class Result:
    """The verdict on one unique URL, with every location that cites it."""

    url: str
    status: Status
    http_status: int | None = None
    final_url: str | None = None
    redirects: list[Redirect] = field(default_factory=list)
    error: str | None = None
    checked_at: datetime | None = None
    duration_ms: int = 0
    locations: list[Location] = field(default_factory=list)
    archive: dict[str, Any] | None = None
    cached: bool = False
    #: For a `suspect` result: when this URL started failing (the first failing check).
    failing_since: datetime | None = None
    #: Content drift against the archive's earlier capture (README's JSON shape), when compared.
    drift: dict[str, Any] | None = None
    #: The best archived copy for a broken citation (README's JSON shape), when one was looked for.
    suggestion: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON report's shape for one result (README's JSON report)."""
        data: dict[str, Any] = {
            "url": self.url,
            "status": self.status.value,
            "http_status": self.http_status,
            "final_url": self.final_url,
            "redirects": [hop.to_dict() for hop in self.redirects],
            "error": self.error,
            "checked_at": iso_utc(self.checked_at),
            "duration_ms": self.duration_ms,
            "locations": [location.to_dict() for location in self.locations],
            "archive": self.archive,
        }
        if self.cached:
            data["cached"] = True
        if self.failing_since is not None:
            data["failing_since"] = iso_utc(self.failing_since)
        if self.drift is not None:
            data["drift"] = self.drift
        if self.suggestion is not None:
            data["suggestion"] = self.suggestion
        return data


def verdict_result(link: Link, checked_at: datetime) -> Result:
    """The result of a link whose verdict was known without a request (local, invalid …)."""
    return Result(
        url=link.url,
        status=link.verdict or Status.INVALID,
        error=link.reason,
        checked_at=checked_at,
        locations=list(link.locations),
    )


def iso_utc(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    # isoformat is C all the way (strftime parses its format on every call): a report writes 10,000 of these
    return moment.astimezone(timezone.utc).replace(microsecond=0, tzinfo=None).isoformat() + "Z"


@dataclass(frozen=True, slots=True)
class Notice:
    """Something the user should know about one input (skipped, re-decoded …); the run goes on."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass
class Diff:
    """What changed since the previous run over the same inputs (URLs in each category)."""

    previous_run: int | None
    new_broken: list[str] = field(default_factory=list)
    fixed: list[str] = field(default_factory=list)
    still_broken: list[str] = field(default_factory=list)
    new_citations: list[str] = field(default_factory=list)
    removed_citations: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "previous_run": self.previous_run,
            "new_broken": self.new_broken,
            "fixed": self.fixed,
            "still_broken": self.still_broken,
            "new_citations": self.new_citations,
            "removed_citations": self.removed_citations,
        }


@dataclass(slots=True)
class Report:
    """Everything a run produced; every output format renders from this one object."""

    results: list[Result]
    started_at: datetime
    finished_at: datetime
    documents: int = 0
    links: int = 0
    notices: list[Notice] = field(default_factory=list)
    #: True when the run was stopped early (Ctrl-C, SIGTERM): results are partial.
    interrupted: bool = False
    #: The run's id in the history, and what changed since the previous run (None without history).
    run_id: int | None = None
    diff: Diff | None = None
    #: Per host: requests, retries, 429 answers, mean latency in seconds (`--host-stats`).
    host_stats: dict[str, dict[str, float]] = field(default_factory=dict)

    @property
    def unique_urls(self) -> int:
        return len(self.results)

    def by_status(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for result in self.results:
            counts[result.status.value] = counts.get(result.status.value, 0) + 1
        return dict(sorted(counts.items()))

    def broken(self, fail_on: frozenset[Status], drift: bool = False) -> list[Result]:
        """Results that fail the run: a status in `fail_on`, or (with `drift`) drifted content."""
        return [
            result
            for result in self.results
            if result.status in fail_on or (drift and bool((result.drift or {}).get("drifted")))
        ]
