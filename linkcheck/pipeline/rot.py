"""Reference rot hooked into the engine: soft 404s, content drift and archived-copy
suggestions (linkcheck.rot), as the engine's `EngineHooks`."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from linkcheck.config import Settings
from linkcheck.models import Link, Notice, Result, Status

if TYPE_CHECKING:  # the HTTP stack is imported where a request is about to be made
    from linkcheck.check.transport import Client

    from linkcheck.check.engine import Engine, EngineHooks, PageVerdict
    from linkcheck.check.outcome import Outcome
    from linkcheck.pipeline.memory import Memory

__all__ = ["ReferenceRot", "WorkerRot", "cited_copy"]


class WorkerRot:
    """The rot hooks of an engine in another process (a forked worker, a Ray owner): built
    there from what pickles (the settings and the run's start), with no history (its
    database connection is the run's own)."""

    def __init__(self, settings: Settings, started_at: datetime) -> None:
        self.settings = settings
        self.started_at = started_at

    def __call__(self, engine: Engine, client: Client) -> EngineHooks:
        return ReferenceRot(self.settings, client, engine.notices, self.started_at, None).hooks(engine)


class ReferenceRot:
    """Soft 404s, content drift and archived copies (linkcheck.rot), hooked into the engine.

    A page is judged only when it answered 2xx; its body is fetched with GET for that. A
    broken or drifted citation gets the best archived copy: one the document itself cites
    (wikitext `archive-url`), else the local archive, else a Memento TimeGate or the
    Wayback Machine (unless `rot.offline_suggestions`). What a service could not answer
    becomes one notice, and the run completes either way.
    """

    def __init__(
        self,
        settings: Settings,
        client: Client,
        notices: list[Notice],
        started_at: datetime,
        memory: Memory | None,
    ) -> None:
        self.settings = settings
        #: The engine judged for: its probe asks for template pages (set by `hooks`).
        self.engine: Engine | None = None
        self.client = client
        self.notices = notices
        self.started_at = started_at
        self.memory = memory
        self.detector: Any = None
        self._said: set[str] = set()
        #: The archive drift is compared with, when it has a catalog (looked up once: what this
        #: run archives is newer than its start, so it is never compared with anyway).
        self._drift_archive: Path | None = None

    def hooks(self, engine: Engine) -> EngineHooks:
        """The hooks for `engine` (an engine's `HooksFactory`): soft-404 probes are its own."""
        from linkcheck.check.engine import EngineHooks

        rot = self.settings.rot
        self.engine = engine
        judge, body_limit = None, 0
        if rot.soft404 or rot.drift:
            from linkcheck.rot import DEFAULT_BODY_LIMIT, Soft404Detector, Soft404Options

            judge, body_limit = self.judge, DEFAULT_BODY_LIMIT
            if rot.soft404:
                options = Soft404Options(
                    probe=rot.soft404_probe,
                    probe_similarity=rot.soft404_similarity,
                    skip_hosts=frozenset(host.lower() for host in rot.soft404_skip_hosts),
                )
                self.detector = Soft404Detector(self._probe, options, is_cited=engine.cited.__contains__)
        if rot.drift and (Path(self.settings.archive.path) / "catalog.sqlite").is_file():
            self._drift_archive = Path(self.settings.archive.path)
        return EngineHooks(judge=judge, judge_body_limit=body_limit, suggest=self.suggest if rot.suggestions else None)

    async def _probe(self, url: str) -> Any:
        from linkcheck.rot import DEFAULT_BODY_LIMIT, snapshot_from_outcome

        assert self.engine is not None  # the detector exists only once `hooks` has run
        return snapshot_from_outcome(url, await self.engine.probe(url, DEFAULT_BODY_LIMIT))

    async def judge(self, url: str, outcome: Outcome) -> PageVerdict:
        from linkcheck.check.engine import PageVerdict
        from linkcheck.rot import DEFAULT_BODY_LIMIT, compare_with_archive, snapshot_from_outcome

        if self.detector is not None:
            verdict = await self.detector.check(snapshot_from_outcome(url, outcome))
            if verdict is not None:
                return PageVerdict(status=Status.BLOCKED if verdict.blocked else Status.SOFT404, error=verdict.reason)
        last = outcome.last
        archive_dir = self._drift_archive
        if archive_dir is None or last is None or last.body is None:
            return PageVerdict()
        from linkcheck.archive import ArchiveError

        try:
            drift = await compare_with_archive(
                url, last.body, archive_dir, self.settings.rot.drift_threshold,
                content_type=last.headers.get("content-type") if last.headers else None,
                before=self.started_at, body_limit=DEFAULT_BODY_LIMIT, storage_url=self.settings.archive.url or None,
            )  # fmt: skip
        except ArchiveError as exc:
            self._note(archive_dir.as_posix(), f"drift not compared: {exc}")
            return PageVerdict()
        return PageVerdict(drift=drift)

    async def suggest(self, link: Link, result: Result) -> dict[str, Any] | None:
        from linkcheck.rot import suggest

        cited = await cited_copy(link, self.client)
        if cited is not None:
            return cited
        rot = self.settings.rot
        online = not rot.offline_suggestions
        outcome = await suggest(
            link.request_url,
            self._first_seen(link.url) or result.checked_at or self.started_at,
            archive_dir=self.settings.archive.path,
            client=self.client,
            memento_timegate=(rot.memento_timegate or None) if online else None,
            wayback_api=(rot.wayback_api or None) if online else None,
        )
        for note in outcome.notes:
            self._note("suggestions", note)
        return outcome.suggestion

    def _first_seen(self, url: str) -> datetime | None:
        """The citation's date, as well as linkcheck knows it: the first time it checked the URL."""
        if self.memory is None:
            return None
        timeline = self.memory.history.timeline(url)
        return timeline[0].checked_at if timeline else None

    def _note(self, where: str, message: str) -> None:
        key = f"{where}: {message.split(':', 1)[0]}"
        if key not in self._said:
            self._said.add(key)
            self.notices.append(Notice(where, message))


async def cited_copy(link: Link, client: Client) -> dict[str, Any] | None:
    """The first archived copy the documents cite for `link` that answers, as a suggestion."""
    from linkcheck.rot import check_cited_copy

    for archive_url, archive_date in link.archived_copies:
        cited = await check_cited_copy(archive_url, client, archive_date=archive_date)
        if cited is not None:
            return cited
    return None
