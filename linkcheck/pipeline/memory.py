"""A run's memory: the archive-folder lock, the history (run row, reused verdicts,
confirmation, the diff) and the extraction cache kept in the history's database."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from linkcheck.archive.lock import ArchiveLock
from linkcheck.collect import PathLike
from linkcheck.confirm import ConfirmRule, confirm
from linkcheck.config import Settings
from linkcheck.errors import InputError
from linkcheck.extract import ExtractOptions
from linkcheck.extract_cache import ExtractionCache
from linkcheck.history import Check, History, inputs_key, open_history
from linkcheck.models import Diff, Link, Report, Result, Status
from linkcheck.urls import is_http

__all__ = ["Memory"]


class Memory:
    """The history side of a run: the archive-folder lock, the run row, cache and confirmation."""

    def __init__(self, settings: Settings, history: History, lock: ArchiveLock, run_id: int, now: Callable[[], datetime]) -> None:
        self.settings = settings
        self.history = history
        self.lock = lock
        self.run_id = run_id
        self.now = now
        self.rule = ConfirmRule.parse(settings.history.confirm)
        inputs = history.run_inputs(run_id)
        #: A run over the same inputs that was killed or interrupted just before this one.
        self.resumed_run = history.interrupted_predecessor(inputs, run_id) if inputs is not None else None
        #: The newest earlier check of every cited URL, loaded at once by `prefetch`.
        self._latest: dict[str, Check] | None = None

    def prefetch(self, links: Sequence[Link]) -> None:
        if self.settings.history.max_age > 0 or self.settings.history.max_age_broken > 0:
            latest = self.history.latest_many([link.url for link in links if link.verdict is None], self.run_id)
            if self._latest is None:
                self._latest = latest
            else:  # streaming: one call per batch of links read
                self._latest.update(latest)

    @classmethod
    @contextlib.contextmanager
    def open(  # type: ignore[no-untyped-def]
        cls, settings: Settings, paths: Sequence[PathLike], started_at: datetime, now: Callable[[], datetime], on_message: Callable[[str], None]
    ):
        folder = Path(settings.archive.path)
        _ensure_folder(folder)
        lock = ArchiveLock(folder, settings.archive.lock_timeout, on_wait=on_message)
        lock.acquire_blocking()  # ArchiveLocked (exit 5) or ArchiveError (exit 2) propagate
        try:
            with open_history(settings) as history:
                memory = cls(settings, history, lock, history.start_run(inputs_key(paths), started_at), now)
                yield memory
        finally:
            lock.release()

    def extraction_cache(self) -> ExtractionCache:
        """The extraction cache, in the history's own database: one writer, no lock between the two."""
        return ExtractionCache(self.history.db, ExtractOptions(include_code=self.settings.files.include_code))

    def cached(self, link: Link, now: datetime | None = None) -> Result | None:
        """A fresh enough verdict from history, reused instead of a request (`now`: the
        moment to measure ages from, the clock's when not given).

        After an interrupted run, its verdicts younger than `history.resume_within` are
        reused too, so the next run resumes instead of starting over.
        """
        history = self.settings.history
        if now is None:
            now = self.now()
        if self.resumed_run is not None:
            check = self.history.check_in_run(self.resumed_run, link.url)
            if check is not None and self._resumable(check, now):
                return check.as_result(list(link.locations))
        if history.max_age <= 0 and history.max_age_broken <= 0:
            return None
        check = self._latest.get(link.url) if self._latest is not None else self.history.latest(link.url, before_run=self.run_id)
        if check is None or not self._fresh(check, now):
            return None
        return check.as_result(list(link.locations))

    def _resumable(self, check: Check, now: datetime) -> bool:
        """A verdict of the interrupted run this one resumes, young enough to keep."""
        return (now - check.checked_at).total_seconds() <= self.settings.history.resume_within

    def _fresh(self, check: Check, now: datetime) -> bool:
        history = self.settings.history
        limit = history.max_age if check.status in _LIVE else history.max_age_broken
        return limit > 0 and (now - check.checked_at).total_seconds() <= limit and check.status is not Status.SUSPECT

    def reusable_urls(self) -> frozenset[str]:
        """Every URL whose verdict `cached` would give now, found before any document is
        read: extraction that feeds the checkers itself (Ray tasks) leaves these out, and
        the run answers them from history."""
        history, now = self.settings.history, self.now()
        urls: set[str] = set()
        if self.resumed_run is not None:
            for url in self.history.statuses(self.resumed_run):
                check = self.history.check_in_run(self.resumed_run, url)
                if check is not None and self._resumable(check, now):
                    urls.add(url)
        if history.max_age > 0 or history.max_age_broken > 0:
            self._latest = self.history.latest_all(self.run_id)
            urls.update(url for url, check in self._latest.items() if self._fresh(check, now))
        return frozenset(urls)

    def remember(self, result: Result) -> Result:
        """Apply confirmation to a fresh broken verdict, then record it.

        Only a web request can fail transiently: a missing local file or an invalid URL
        is broken at once, whatever `--confirm` says."""
        if not result.cached and result.status in self.settings.fail_on and not self.rule.immediate and is_http(result.url):
            streak = self.history.failure_streak(result.url, self.settings.fail_on, self.run_id)
            result = confirm(result, [check.checked_at for check in streak], self.rule, self.now())
        self.history.record(self.run_id, result)
        return result

    def discard(self) -> None:
        self.history.discard_run(self.run_id)

    def finish(self, report: Report) -> Diff:
        self.history.finish_run(self.run_id, report.finished_at, report.documents, report.links, report.interrupted)
        return self.history.diff(self.run_id, self.settings.fail_on)


#: Verdicts reused for `history.max_age` (any other status waits for `max_age_broken`).
_LIVE = frozenset((Status.OK, Status.REDIRECT_PERMANENT, Status.REDIRECT_TEMPORARY))


def _ensure_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the archive folder {folder}: {exc.strerror or exc}") from None
