"""Reference rot, not only link rot: pages that answer but no longer hold what was cited.

Three independent parts, each usable alone:

`soft404` — is a 2xx page really a "not found" page?
    detector = Soft404Detector(fetch, Soft404Options())   # one per run (it caches probes)
    verdict = await detector.check(PageSnapshot(url, final_url, status, hops, content_type, body))
    # -> Soft404Verdict(reason, signals) or None; reason goes into Result.error
  `fetch(url) -> PageSnapshot | None` is the engine's: a GET through the politeness
  limiter that follows redirects and keeps `DEFAULT_BODY_LIMIT` bytes of decoded body
  (`snapshot_from_outcome(url, outcome)` turns the engine's Outcome into one). The
  detector calls it at most once per (host, URL shape) per run, on the host that served
  the page, and only for HTML pages that answered 2xx without a decisive redirect.

`drift` — has the cited page's text changed since it was archived?
    main_text(html, content_type) -> str; similarity(a, b) -> float (0..1)
    compare(old_html, new_html, threshold) -> DriftResult(similarity, drifted)
    await compare_with_archive(url, html_now, archive_dir, threshold, content_type=, before=, body_limit=)
    # -> the JSON report's `drift` dict, or None without an earlier live capture. Pass the
    # run's start as `before` (so this run's own capture is not the reference) and the
    # limit the body was read with as `body_limit` (both sides are cut to it).

`suggest` — an archived copy for a broken citation.
    await suggest(url, near, archive_dir=, client=, memento_timegate=, wayback_api=)
    # -> SuggestOutcome(suggestion: the JSON report's `suggestion` dict | None, notes: list[str])
    await check_cited_copy(archive_url, client, archive_date=)   # -> suggestion dict | None

Nothing here raises for what the network does; `compare_with_archive` raises
ArchiveError only for an archive that exists but cannot be read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from linkcheck._lazy import lazy_exports

if TYPE_CHECKING:
    from linkcheck.rot.copies import (
        DEFAULT_MEMENTO_TIMEGATE,
        DEFAULT_SUGGEST_TIMEOUT,
        DEFAULT_WAYBACK_API,
        SuggestOutcome,
        check_cited_copy,
        suggest,
    )
    from linkcheck.rot.drift import (
        DEFAULT_DRIFT_THRESHOLD,
        DriftResult,
        compare,
        compare_with_archive,
        main_text,
        similarity,
    )
    from linkcheck.rot.soft404 import (
        DEFAULT_BODY_LIMIT,
        DEFAULT_PROBE_SIMILARITY,
        DEFAULT_SUPPORTED_SIMILARITY,
        Fetch,
        PageSnapshot,
        Soft404Detector,
        Soft404Options,
        Soft404Verdict,
        snapshot_from_outcome,
    )

#: Imported on first use: the settings read the defaults in `linkcheck.rot.options` without
#: pulling in the HTTP code the suggestions need.
_HOMES = {
    "DEFAULT_DRIFT_THRESHOLD": "linkcheck.rot.drift",
    "DriftResult": "linkcheck.rot.drift",
    "compare": "linkcheck.rot.drift",
    "compare_with_archive": "linkcheck.rot.drift",
    "main_text": "linkcheck.rot.drift",
    "similarity": "linkcheck.rot.drift",
    "DEFAULT_BODY_LIMIT": "linkcheck.rot.soft404",
    "DEFAULT_PROBE_SIMILARITY": "linkcheck.rot.soft404",
    "DEFAULT_SUPPORTED_SIMILARITY": "linkcheck.rot.soft404",
    "Fetch": "linkcheck.rot.soft404",
    "PageSnapshot": "linkcheck.rot.soft404",
    "Soft404Detector": "linkcheck.rot.soft404",
    "Soft404Options": "linkcheck.rot.soft404",
    "Soft404Verdict": "linkcheck.rot.soft404",
    "snapshot_from_outcome": "linkcheck.rot.soft404",
    "DEFAULT_MEMENTO_TIMEGATE": "linkcheck.rot.copies",
    "DEFAULT_SUGGEST_TIMEOUT": "linkcheck.rot.copies",
    "DEFAULT_WAYBACK_API": "linkcheck.rot.copies",
    "SuggestOutcome": "linkcheck.rot.copies",
    "check_cited_copy": "linkcheck.rot.copies",
    "suggest": "linkcheck.rot.copies",
}


__getattr__ = lazy_exports(__name__, globals(), _HOMES)


__all__ = [
    "DEFAULT_BODY_LIMIT",
    "DEFAULT_DRIFT_THRESHOLD",
    "DEFAULT_MEMENTO_TIMEGATE",
    "DEFAULT_PROBE_SIMILARITY",
    "DEFAULT_SUGGEST_TIMEOUT",
    "DEFAULT_SUPPORTED_SIMILARITY",
    "DEFAULT_WAYBACK_API",
    "DriftResult",
    "Fetch",
    "PageSnapshot",
    "Soft404Detector",
    "Soft404Options",
    "Soft404Verdict",
    "SuggestOutcome",
    "check_cited_copy",
    "compare",
    "compare_with_archive",
    "main_text",
    "similarity",
    "snapshot_from_outcome",
    "suggest",
]
