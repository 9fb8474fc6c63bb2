"""The run history: every check of every URL across runs, in SQLite inside the archive folder.

It answers the questions unattended runs ask: what did we know about this URL and when
(the cache, `--max-age`), how long has it been failing (confirmation, `--confirm 3/72h`),
and what changed since the last run over the same inputs (the diff). Results are written
as they arrive, in small transactions, so a run killed at any point keeps what it checked;
a run row left `running` by a dead process reads as `interrupted`.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from linkcheck.models import Diff, Location, Redirect, Result, Status

if TYPE_CHECKING:
    from linkcheck.config import Settings

HISTORY_FILE = "history.sqlite"
_SCHEMA_VERSION = 1
#: Results are committed in small batches, and at least every second: a killed run loses
#: at most that much.
_BATCH = 1000
_FLUSH_SECONDS = 1.0
#: Verdicts reused from history (nothing was checked: a killed run loses no work with
#: them) wait for a larger batch, which is cheaper to write; still at least every second.
_REUSED_BATCH = 10 * _BATCH

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    inputs TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    state TEXT NOT NULL CHECK (state IN ('running', 'complete', 'interrupted')),
    pid INTEGER NOT NULL,
    documents INTEGER NOT NULL DEFAULT 0,
    citations INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS checks (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    url TEXT NOT NULL,
    status TEXT NOT NULL,
    http_status INTEGER,
    final_url TEXT,
    redirects TEXT,
    error TEXT,
    checked_at TEXT NOT NULL,
    duration_ms INTEGER NOT NULL,
    cached INTEGER NOT NULL DEFAULT 0,
    citations INTEGER NOT NULL DEFAULT 0,
    first_location TEXT,
    extra TEXT,
    PRIMARY KEY (run_id, url)
);
-- A URL's newest check is the last entry of its run of this index: found without reading
-- the URL's older checks, so a repeat run costs the same after 3 runs or 300. Only checks
-- that made a request are in it: a reused verdict is a copy of one that is (same verdict,
-- same checked_at), and keeping copies out is what keeps a repeat run's writes cheap. Each
-- copy would be an entry next to its URL's others, a page touched per URL, so that with
-- every copy indexed recording 10,000 reused verdicts took 59 ms after one run and 236 ms
-- after sixty; `timeline` finds copies through the primary key, one search per run.
CREATE INDEX IF NOT EXISTS checks_fresh ON checks (url, checked_at, run_id) WHERE cached = 0;
DROP INDEX IF EXISTS checks_newest;
DROP INDEX IF EXISTS checks_by_url;
"""


@dataclass(frozen=True, slots=True)
class Run:
    id: int
    inputs: str
    started_at: datetime
    finished_at: datetime | None
    state: str
    documents: int
    citations: int
    urls: int = 0
    broken: int = 0


@dataclass(frozen=True, slots=True)
class Check:
    """One check of one URL in one run, as history remembers it."""

    run_id: int
    url: str
    status: Status
    http_status: int | None
    final_url: str | None
    redirects: list[Redirect]
    error: str | None
    checked_at: datetime
    duration_ms: int
    cached: bool
    #: Optional findings kept with the check: `drift`, `suggestion`, `archive`, `failing_since`.
    extra: dict[str, object] = field(default_factory=dict)

    def as_result(self, locations: list[Location]) -> Result:
        """This check reused as today's verdict (marked cached)."""
        return Result(
            url=self.url,
            status=self.status,
            http_status=self.http_status,
            final_url=self.final_url,
            redirects=list(self.redirects),
            error=self.error,
            checked_at=self.checked_at,
            duration_ms=self.duration_ms,
            locations=locations,
            cached=True,
            drift=self.extra.get("drift"),  # type: ignore[arg-type]
            suggestion=self.extra.get("suggestion"),  # type: ignore[arg-type]
        )


def inputs_key(paths: Sequence[str | os.PathLike[str]]) -> str:
    """Runs over the same inputs are compared; the key is their sorted absolute paths."""
    return json.dumps(sorted(getattr(path, "key", None) or str(Path(path).resolve()) for path in paths))


class HistoryQueries:
    """What every history backend answers the same way from its primitives (`timeline`,
    `statuses`, `run_inputs`, `previous_run`): written once for SQLite and PostgreSQL."""

    def timeline(self, url: str) -> list[Check]:
        raise NotImplementedError

    def statuses(self, run_id: int) -> dict[str, Status]:
        raise NotImplementedError

    def run_inputs(self, run_id: int) -> str | None:
        raise NotImplementedError

    def previous_run(self, inputs: str, before: int) -> int | None:
        raise NotImplementedError

    def failure_streak(self, url: str, broken: frozenset[Status], before_run: int) -> list[Check]:
        """The unbroken run of failing checks of `url` up to (not including) `before_run`, oldest first."""
        streak: list[Check] = []
        for check in reversed(self.timeline(url)):
            if check.run_id >= before_run:
                continue
            if check.status not in broken and check.status is not Status.SUSPECT:
                break
            streak.append(check)
        return list(reversed(streak))

    def diff(self, run_id: int, broken: frozenset[Status]) -> Diff:
        """Compare run `run_id` with the previous complete run over the same inputs."""
        inputs = self.run_inputs(run_id)
        previous = self.previous_run(inputs, run_id) if inputs is not None else None
        now = self.statuses(run_id)
        before = self.statuses(previous) if previous is not None else {}
        return compare(previous, before, now, broken)


class History(HistoryQueries):
    """An open history database. Use as a context manager."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        try:
            folder.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(folder / HISTORY_FILE, timeout=30, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(_SCHEMA)
            self.db.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(_SCHEMA_VERSION),))
        except (OSError, sqlite3.Error) as exc:
            from linkcheck.errors import UsageError

            raise UsageError(f"cannot open the history in {folder}: {exc}") from None
        self._pending: list[tuple[object, ...]] = []
        self._fresh = 0  # pending results that were checked in this run (not reused)
        self._last_flush = time.monotonic()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.flush()
        self.db.close()

    # -- writing a run -------------------------------------------------------------

    def start_run(self, inputs: str, started_at: datetime) -> int:
        self._mark_dead_runs_interrupted()
        cursor = self.db.execute(
            "INSERT INTO runs (inputs, started_at, state, pid) VALUES (?, ?, 'running', ?)",
            (inputs, _iso(started_at), os.getpid()),
        )
        return int(cursor.lastrowid or 0)

    def record(self, run_id: int, result: Result) -> None:
        locations = result.locations
        redirects = result.redirects
        checked_at = result.checked_at or datetime.now(timezone.utc)
        # Findings are rare: most results have none to keep (a repeat run records 10,000).
        plain = result.drift is None and result.suggestion is None and result.archive is None and result.failing_since is None
        extra = None if plain else _extra(result)
        self._pending.append(
            (
                run_id,
                result.url,
                result.status.value,
                result.http_status,
                result.final_url,
                json.dumps([hop.to_dict() for hop in redirects]) if redirects else "[]",
                result.error,
                _iso(checked_at),
                result.duration_ms,
                int(result.cached),
                len(locations),
                _location_json(locations[0]) if locations else None,
                json.dumps(extra) if extra else None,
            )
        )
        if not result.cached:
            self._fresh += 1
        if self._fresh >= _BATCH or len(self._pending) >= _REUSED_BATCH or time.monotonic() - self._last_flush >= _FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        self._last_flush = time.monotonic()
        self._fresh = 0
        if not self._pending:
            return
        # In URL order: the rows then land next to each other in the URL index instead of
        # all over it, which makes the batch several times cheaper (a repeat run records
        # every reused verdict, and they arrive in citation order).
        self._pending.sort(key=_by_url)
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.executemany("INSERT OR REPLACE INTO checks VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", self._pending)
        self._pending.clear()

    def discard_run(self, run_id: int) -> None:
        """Forget a run whose verdicts mean nothing (the network was down)."""
        self._pending.clear()
        self._fresh = 0
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute("DELETE FROM checks WHERE run_id = ?", (run_id,))
            self.db.execute("DELETE FROM runs WHERE id = ?", (run_id,))

    def finish_run(self, run_id: int, finished_at: datetime, documents: int, citations: int, interrupted: bool) -> None:
        self.flush()
        self.db.execute(
            "UPDATE runs SET finished_at = ?, state = ?, documents = ?, citations = ? WHERE id = ?",
            (_iso(finished_at), "interrupted" if interrupted else "complete", documents, citations, run_id),
        )

    def _mark_dead_runs_interrupted(self) -> None:
        for run_id, pid in self.db.execute("SELECT id, pid FROM runs WHERE state = 'running'").fetchall():
            if pid != os.getpid() and not _alive(pid):
                self.db.execute("UPDATE runs SET state = 'interrupted' WHERE id = ?", (run_id,))

    # -- reading ----------------------------------------------------------------------

    def latest(self, url: str, *, before_run: int | None = None) -> Check | None:
        """The newest check of `url` (optionally only from runs before `before_run`): the newest
        that made a request, of which any later reuse of the verdict is a copy."""
        query = "SELECT * FROM checks WHERE url = ? AND cached = 0"
        args: list[object] = [url]
        if before_run is not None:
            query += " AND run_id < ?"
            args.append(before_run)
        row = self.db.execute(query + " ORDER BY checked_at DESC, run_id DESC LIMIT 1", args).fetchone()
        return _check(row) if row else None

    def latest_many(self, urls: Sequence[str], before_run: int) -> dict[str, Check]:
        """`latest` for many URLs in a few queries (a repeat run asks for every citation)."""

        def rows() -> Iterator[Sequence[object]]:
            for start in range(0, len(urls), 500):
                chunk = list(urls[start : start + 500])
                wanted = ",".join(f"(?{number})" for number in range(2, len(chunk) + 2))
                # One index search per URL (`checks_newest`, walked from its newest end), not
                # every check of every earlier run of the URL.
                yield from self.db.execute(
                    f"WITH wanted(url) AS (VALUES {wanted}) SELECT checks.* FROM wanted JOIN checks ON checks.rowid = ({_NEWEST_OF_WANTED})",
                    [before_run, *chunk],
                )

        return _newest(rows())

    def latest_all(self, before_run: int) -> dict[str, Check]:
        """`latest` of every URL the history holds (from runs before `before_run`)."""
        return _newest(
            self.db.execute(
                f"""WITH wanted(url) AS (SELECT DISTINCT url FROM checks WHERE cached = 0 AND run_id < ?1)
                    SELECT checks.* FROM wanted JOIN checks ON checks.rowid = ({_NEWEST_OF_WANTED})""",
                (before_run,),
            )
        )

    def timeline(self, url: str) -> list[Check]:
        rows = self.db.execute(
            "SELECT * FROM checks WHERE run_id IN (SELECT id FROM runs) AND url = ? ORDER BY checked_at, run_id", (url,)
        ).fetchall()
        return [_check(row) for row in rows]

    def runs(self, limit: int = 50) -> list[Run]:
        self._mark_dead_runs_interrupted()
        rows = self.db.execute(
            """SELECT r.id, r.inputs, r.started_at, r.finished_at, r.state, r.documents, r.citations,
                      COUNT(c.url), SUM(c.status IN ('dead','error','soft404','parked','fragment_missing','invalid'))
               FROM runs r LEFT JOIN checks c ON c.run_id = r.id
               GROUP BY r.id ORDER BY r.id DESC LIMIT ?""",
            (limit,),
        ).fetchall()
        return [
            Run(row[0], row[1], _parse(row[2]), _parse(row[3]) if row[3] else None, row[4], row[5], row[6], row[7], row[8] or 0)
            for row in rows
        ]

    def previous_run(self, inputs: str, before: int) -> int | None:
        """The last complete run over the same inputs before run `before`."""
        row = self.db.execute(
            "SELECT id FROM runs WHERE inputs = ? AND state = 'complete' AND id < ? ORDER BY id DESC LIMIT 1",
            (inputs, before),
        ).fetchone()
        return row[0] if row else None

    def last_run(self, inputs: str | None = None, state: str = "complete") -> int | None:
        query, args = "SELECT id FROM runs WHERE state = ?", [state]
        if inputs is not None:
            query += " AND inputs = ?"
            args.append(inputs)
        row = self.db.execute(query + " ORDER BY id DESC LIMIT 1", args).fetchone()
        return row[0] if row else None

    def interrupted_predecessor(self, inputs: str, before: int) -> int | None:
        """The run over the same inputs just before `before`, if it was interrupted (to resume it)."""
        row = self.db.execute(
            "SELECT id, state FROM runs WHERE inputs = ? AND id < ? ORDER BY id DESC LIMIT 1", (inputs, before)
        ).fetchone()
        return row[0] if row and row[1] == "interrupted" else None

    def check_in_run(self, run_id: int, url: str) -> Check | None:
        row = self.db.execute("SELECT * FROM checks WHERE run_id = ? AND url = ?", (run_id, url)).fetchone()
        return _check(row) if row else None

    def run_inputs(self, run_id: int) -> str | None:
        row = self.db.execute("SELECT inputs FROM runs WHERE id = ?", (run_id,)).fetchone()
        return row[0] if row else None

    def statuses(self, run_id: int) -> dict[str, Status]:
        return {url: Status(status) for url, status in self.db.execute("SELECT url, status FROM checks WHERE run_id = ?", (run_id,))}



class HistoryStore(Protocol):
    """What a run and the history commands use: `History` (SQLite, the default) and
    `linkcheck.history_pg.PostgresHistory` both are one. `db` is a SQLite connection on
    this machine either way (the extraction cache keeps local file paths there)."""

    folder: Path
    db: sqlite3.Connection

    def __enter__(self) -> HistoryStore: ...
    def __exit__(self, *exc: object) -> None: ...
    def close(self) -> None: ...
    def start_run(self, inputs: str, started_at: datetime) -> int: ...
    def record(self, run_id: int, result: Result) -> None: ...
    def flush(self) -> None: ...
    def discard_run(self, run_id: int) -> None: ...
    def finish_run(self, run_id: int, finished_at: datetime, documents: int, citations: int, interrupted: bool) -> None: ...
    def latest(self, url: str, *, before_run: int | None = None) -> Check | None: ...
    def latest_many(self, urls: Sequence[str], before_run: int) -> dict[str, Check]: ...
    def latest_all(self, before_run: int) -> dict[str, Check]: ...
    def timeline(self, url: str) -> list[Check]: ...
    def failure_streak(self, url: str, broken: frozenset[Status], before_run: int) -> list[Check]: ...
    def runs(self, limit: int = 50) -> list[Run]: ...
    def previous_run(self, inputs: str, before: int) -> int | None: ...
    def last_run(self, inputs: str | None = None, state: str = "complete") -> int | None: ...
    def interrupted_predecessor(self, inputs: str, before: int) -> int | None: ...
    def check_in_run(self, run_id: int, url: str) -> Check | None: ...
    def run_inputs(self, run_id: int) -> str | None: ...
    def statuses(self, run_id: int) -> dict[str, Status]: ...
    def diff(self, run_id: int, broken: frozenset[Status]) -> Diff: ...


def open_history(settings: Settings) -> HistoryStore:
    """The history the settings name: PostgreSQL when `history.url` is set, else the
    SQLite file in the archive folder (the embedded default)."""
    folder = Path(settings.archive.path)
    if settings.history.url.strip():
        from linkcheck.history_pg import PostgresHistory

        return PostgresHistory(settings.history.url.strip(), folder)
    return History(folder)


def has_history(settings: Settings) -> bool:
    """Whether there is a history to read yet (a PostgreSQL one is always asked)."""
    return bool(settings.history.url.strip()) or (Path(settings.archive.path) / HISTORY_FILE).is_file()


def compare(previous_run: int | None, before: dict[str, Status], now: dict[str, Status], broken: frozenset[Status]) -> Diff:
    """The diff between two runs' verdicts (pure; `History.diff` feeds it)."""
    diff = Diff(previous_run=previous_run)
    if previous_run is None:
        return diff
    for url in sorted(now):
        was, is_ = before.get(url), now[url]
        if url not in before:
            diff.new_citations.append(url)
        if is_ in broken:
            (diff.still_broken if was in broken else diff.new_broken).append(url)
        elif was in broken:
            diff.fixed.append(url)
    diff.removed_citations = sorted(url for url in before if url not in now)
    return diff


def _check(row: Sequence[object]) -> Check:
    return Check(
        run_id=int(row[0]),  # type: ignore[arg-type]
        url=str(row[1]),
        status=_STATUSES[row[2]],  # type: ignore[index]
        http_status=row[3],  # type: ignore[arg-type]
        final_url=row[4],  # type: ignore[arg-type]
        redirects=[Redirect(hop["url"], hop["status"]) for hop in json.loads(str(row[5]))] if row[5] and row[5] != "[]" else [],
        error=row[6],  # type: ignore[arg-type]
        checked_at=_parse(str(row[7])),
        duration_ms=int(row[8]),  # type: ignore[arg-type]
        cached=bool(row[9]),
        extra=json.loads(str(row[12])) if row[12] else {},
    )


#: Status by its stored value (an enum call per row costs more than the row's other fields).
_STATUSES = {status.value: status for status in Status}


#: The row of the newest check of `wanted.url` before run `?1`: one search of `checks_newest`
#: from its newest end, whatever the number of earlier runs.
_NEWEST_OF_WANTED = (
    "SELECT rowid FROM checks WHERE url = wanted.url AND cached = 0 AND run_id < ?1 ORDER BY checked_at DESC, run_id DESC LIMIT 1"
)


def _newest(rows: Iterable[Sequence[object]]) -> dict[str, Check]:
    """The newest check of each URL from rows ordered oldest first per URL (as `latest`
    orders: checked_at, then run_id): the last row kept wins, and only it is converted."""
    newest: dict[str, Sequence[object]] = {}
    for row in rows:
        newest[str(row[1])] = row
    return {url: _check(row) for url, row in newest.items()}


def _by_url(row: tuple[object, ...]) -> str:
    return row[1]  # type: ignore[return-value]


def _extra(result: Result) -> dict[str, object]:
    extra: dict[str, object] = {}
    for name in ("drift", "suggestion", "archive"):
        value = getattr(result, name)
        if value is not None:
            extra[name] = value
    if result.failing_since is not None:
        extra["failing_since"] = _iso(result.failing_since)
    return extra


def _iso(moment: datetime) -> str:
    if moment.tzinfo is not timezone.utc:
        moment = moment.astimezone(timezone.utc)
    return moment.isoformat(timespec="microseconds")


_NO_LOCATION_EXTRAS = (None,) * (len(Location._fields) - 4)  # page, paragraph, cell, part, cited_as, cell_line
_json_string = json.encoder.encode_basestring_ascii  # what json.dumps uses for a str (ensure_ascii)


def _location_json(location: Location) -> str:
    """`json.dumps(location.to_dict())`, the same text, written directly for the usual
    location (a file, a line and a column, nothing else); anything else goes through json."""
    file, line, column = location.file, location.line, location.column
    if (
        location[4:] == _NO_LOCATION_EXTRAS
        and type(file) is str
        and (line is None or type(line) is int)
        and (column is None or type(column) is int)
    ):
        return (
            f'{{"file": {_json_string(file)}, "line": {"null" if line is None else int.__repr__(line)}, '
            f'"column": {"null" if column is None else int.__repr__(column)}}}'
        )
    return json.dumps(location.to_dict())


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
