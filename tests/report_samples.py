"""Reports for the report-format tests, with a pinned clock: every status, several locations per
URL, every kind of position (line, PDF page, DOCX paragraph, notebook cell, EPUB chapter), an
interrupted run, and a hostile result whose URL, error and file try to break each format."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from linkcheck.models import Diff, Location, Notice, Redirect, Report, Result, Status

STARTED = datetime(2026, 11, 29, 14, 0, 0, tzinfo=UTC)
FINISHED = STARTED + timedelta(seconds=9)


def _at(seconds: int) -> datetime:
    return STARTED + timedelta(seconds=seconds)


def sample_results() -> list[Result]:
    """One result per status (two for dead), in no particular order."""
    return [
        Result(
            "https://example.org/ok", Status.OK, 200, "https://example.org/ok", checked_at=_at(1), duration_ms=84,
            locations=[Location("docs/intro.md", 3, 1), Location("README.md", 10, 5)],
        ),
        Result(
            "https://example.org/old", Status.REDIRECT_PERMANENT, 200, "https://example.org/new",
            [Redirect("https://example.org/old", 301)], "moved permanently (301)", _at(1), 120,
            [Location("docs/intro.md", 12, 5)],
        ),
        Result(
            "https://example.org/temp", Status.REDIRECT_TEMPORARY, 200, "https://example.org/temp-target",
            [Redirect("https://example.org/temp", 302)], None, _at(2), 95, [Location("docs/guide.md", 4, 2)],
        ),
        Result(
            "https://example.org/missing", Status.DEAD, 404, "https://example.org/missing", error="404 Not Found",
            checked_at=_at(2), duration_ms=60,
            locations=[Location("docs/intro.md", 25, 3), Location("docs/guide.md", 7, 10), Location("docs/intro.md", 20, 1)],
        ),
        Result(
            "https://doi.org/10.1000/xyz", Status.DEAD, 404, "https://doi.org/10.1000/xyz", error="DOI not found (404)",
            checked_at=_at(3), duration_ms=210, locations=[Location("docs/guide.md", 15, 8, cited_as="doi:10.1000/xyz")],
        ),
        Result(
            "https://down.example/", Status.ERROR, None, None, error="connection refused",
            checked_at=STARTED - timedelta(hours=2), duration_ms=1500, locations=[Location("docs/guide.md", 9, 1)], cached=True,
        ),
        Result(
            "https://paywall.example/article", Status.BLOCKED, 403, "https://paywall.example/article",
            error="403 Forbidden after 3 attempts", checked_at=_at(4), duration_ms=700,
            locations=[Location("papers/report.pdf", None, None, page=3)],
        ),
        Result(
            "https://example.org/deep/link", Status.SOFT404, 200, "https://example.org/",
            [Redirect("https://example.org/deep/link", 302)], "redirects a deep link to the home page", _at(5), 130,
            [Location("analysis.ipynb", 4, 1, cell=2)],
        ),
        Result(
            "https://example.org/page#results", Status.FRAGMENT_MISSING, 200, "https://example.org/page",
            error="anchor #results not found in the page", checked_at=_at(5), duration_ms=90,
            locations=[Location("notes.docx", None, None, paragraph=14)],
        ),
        Result(
            "https://internal.example/x", Status.EXCLUDED, error="excluded by urls.exclude",
            locations=[Location("docs/guide.md", 1, 1)],
        ),
        Result(
            "mailto:someone@example.org", Status.UNSUPPORTED, error="scheme mailto: is not checked",
            locations=[Location("README.md", 2, 3)],
        ),
        Result(
            "http://[broken", Status.INVALID, error="invalid IPv6 URL",
            locations=[Location("book.epub", 8, 3, part="OEBPS/ch1.xhtml")],
        ),
        Result(
            "https://flaky.example/", Status.SUSPECT, None, None, error="connection timed out",
            checked_at=_at(6), duration_ms=5000, locations=[Location("docs/intro.md", 30, 1)],
            failing_since=datetime(2026, 11, 28, 9, 30, tzinfo=UTC),
        ),
    ]


def sample_report() -> Report:
    results = sample_results()
    return Report(
        results=results,
        started_at=STARTED,
        finished_at=FINISHED,
        documents=7,
        links=sum(len(result.locations) for result in results),
        notices=[Notice("docs/image.png", "skipped: binary file")],
    )


def diff_report() -> Report:
    """The sample run as run 42 of a history, compared with run 41."""
    report = sample_report()
    report.run_id = 42
    report.diff = Diff(
        previous_run=41,
        new_broken=["https://example.org/missing", "https://down.example/"],
        fixed=["https://example.org/ok"],
        still_broken=["https://doi.org/10.1000/xyz"],
        new_citations=["https://example.org/temp"],
    )
    return report


def interrupted_report() -> Report:
    results = [result for result in sample_results() if result.status in (Status.OK, Status.DEAD)]
    return Report(results, STARTED, STARTED + timedelta(seconds=2), documents=3, links=5, interrupted=True)


def empty_report() -> Report:
    return Report([], STARTED, STARTED, documents=0, links=0)


#: Everything a hostile document could put in a URL, an error or a file name.
HOSTILE = (
    "</script><script>alert(1)</script>\"'\n::error::pwned%0A\r\n::warning file=x::y"
    "\x1b[31mred\x1b[0m | `tick` ](javascript:alert(1)) <b>*bold*</b> &amp; @here $x$"
    "\x00\x07\x0b\x0c\ufffe"
)
HOSTILE_URL = "https://evil.example/" + HOSTILE
HOSTILE_ERROR = "=cmd|' /C calc'!A0 " + HOSTILE
HOSTILE_FILE = "docs/<script>alert(1)</script>,x:y\n::error::f.md"
#: A URL that is itself a spreadsheet formula (status invalid).
FORMULA_URL = "=cmd|' /C calc'!A0"


def injection_report() -> Report:
    results = [
        Result(
            HOSTILE_URL, Status.DEAD, 404, HOSTILE_URL, error=HOSTILE_ERROR, checked_at=_at(1), duration_ms=10,
            locations=[Location(HOSTILE_FILE, 1, 2), Location("clean.md", 5, 1, text=HOSTILE)],
        ),
        Result(
            "https://ok.example/" + HOSTILE, Status.REDIRECT_PERMANENT, 200, "https://ok.example/new" + HOSTILE,
            error="@SUM(1+1)", checked_at=_at(2), duration_ms=20, locations=[Location(HOSTILE_FILE, 3, 4)],
        ),
        Result(FORMULA_URL, Status.INVALID, error="-2+3", locations=[Location("clean.md", 9, 1)]),
        Result(
            "javascript:alert(1)", Status.UNSUPPORTED, error="+scheme javascript: is not checked",
            locations=[Location("clean.md", 11, 1)],
        ),
    ]
    return Report(
        results, STARTED, FINISHED, documents=2, links=5, notices=[Notice(HOSTILE_FILE, "skipped: " + HOSTILE)]
    )


#: The capture a drifted page was compared with, and when it was taken.
DRIFT_SINCE = "2026-10-01T08:00:00Z"
DRIFTED_URL = "https://news.example/article"
DRIFT_COPY = "https://web.archive.org/web/20261001080000/https://news.example/article"
DEAD_URL = "https://gone.example/paper"
DEAD_COPY = "https://web.archive.org/web/20260915120000/https://gone.example/paper"


def rot_results() -> list[Result]:
    """What reference rot looks like: a drifted page (live, 200, but rewritten) with an
    archived copy, a dead page with an archived copy, a page compared and unchanged, and
    citations excluded for two reasons."""
    return [
        Result(
            DRIFTED_URL, Status.OK, 200, DRIFTED_URL, checked_at=_at(1), duration_ms=80,
            locations=[Location("docs/news.md", 4, 12)],
            drift={"similarity": 0.31, "drifted": True, "compared_to": DRIFT_SINCE, "capture": "<urn:uuid:1>"},
            suggestion={"archive_url": DRIFT_COPY, "captured_at": DRIFT_SINCE, "source": "wayback"},
        ),
        Result(
            DEAD_URL, Status.DEAD, 404, DEAD_URL, error="404 Not Found", checked_at=_at(2), duration_ms=40,
            locations=[Location("docs/news.md", 9, 1), Location("docs/refs.md", 2, 3)],
            suggestion={"archive_url": DEAD_COPY, "captured_at": "2026-09-15T12:00:00Z", "source": "memento"},
        ),
        Result(
            "https://stable.example/", Status.OK, 200, "https://stable.example/", checked_at=_at(2), duration_ms=30,
            locations=[Location("docs/news.md", 1, 1)],
            drift={"similarity": 0.97, "drifted": False, "compared_to": "2026-09-01T10:00:00Z", "capture": "<urn:uuid:2>"},
        ),
        Result(
            "http://127.0.0.1:8000/", Status.EXCLUDED,
            error="refused: 127.0.0.1 is a loopback address (private networks are not checked; --allow-private or network.allow permits them)",
            locations=[Location("docs/refs.md", 5, 1)],
        ),
        Result(
            "http://10.0.0.7/wiki", Status.EXCLUDED,
            error="refused: 10.0.0.7 is a private address (private networks are not checked; --allow-private or network.allow permits them)",
            locations=[Location("docs/refs.md", 6, 1)],
        ),
        Result(
            "https://skip.example/", Status.EXCLUDED, error="excluded by pattern 'skip\\.example'",
            locations=[Location("docs/refs.md", 7, 1)],
        ),
    ]


def rot_report() -> Report:
    results = rot_results()
    return Report(results, STARTED, FINISHED, documents=2, links=sum(len(result.locations) for result in results))
