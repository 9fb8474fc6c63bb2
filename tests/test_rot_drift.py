"""Content drift: labelled page pairs (phase 1 -> phase 2), main-text extraction, and the
comparison against a real capture in linkcheck's archive (served by the loopback farm).

The pages are built from tests/fixtures/rot: one site layout (pages/chrome.html) with
slots for everything that changes on its own (dates, counters, ads, menus, banners), and
article bodies (articles/*.html) for what a citation is about.
"""

from __future__ import annotations

import asyncio
import gzip
import re
from datetime import datetime, timezone
from pathlib import Path
from string import Template

import httpx
import pytest

from linkcheck.archive import Archive
from linkcheck.rot import DEFAULT_DRIFT_THRESHOLD, compare, compare_with_archive, main_text, similarity
from linkcheck.rot.drift import shingles, tokens
from tests.farm import redirect, respond

FIXTURES = Path(__file__).parent / "fixtures" / "rot"

NAV_V1 = "".join(f'<li><a href="/{s.lower()}/">{s}</a></li>' for s in ("News", "Coast", "Wildlife", "Engineering", "Archive"))
NAV_V2 = "".join(
    f'<li><a href="/{s.lower()}/">{s}</a></li>'
    for s in ("Home", "Latest", "Coast & Sea", "Nature", "Science", "Podcasts", "Events", "Shop", "Subscribe")
)
SIDEBAR_V1 = "<li>Storm season begins early</li><li>Ten walks along the cliffs</li><li>Seal pups counted</li>"
SIDEBAR_V2 = "<li>Harbour wall repairs finished</li><li>Why the gulls are getting bolder</li><li>Ferry timetable changes</li>"
COOKIE = (
    "<p>We use cookies to improve your experience and to show you relevant advertising. "
    "By continuing to browse you agree to our use of cookies.</p><button>Accept all</button><button>Manage</button>"
)
AD = '<div class="ad-slot"><p>Advertisement</p><p>Sponsored: Sea kayak tours every weekend, book now and save twenty percent.</p></div>'
AD_OTHER = '<div class="promo-box" id="dfp-ad-2"><p>Advertisement</p><p>Sponsored: The waterproof jacket sailors trust, now in six colours.</p></div>'

DEFAULTS = {
    "lang": "en",
    "site": "The Coastal Review",
    "stamp": "2026-03-01T09:15:02Z",
    "cookie": "",
    "nav": NAV_V1,
    "published": "12 March 2024",
    "views": "1,204",
    "updated": "",
    "ad": "",
    "comments": "14",
    "sidebar": SIDEBAR_V1,
    "year": "2024",
    "footer_extra": "",
}


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def article(name: str) -> str:
    return fixture(f"articles/{name}.html")


def page(body: str, **slots: str) -> str:
    """A full page of the Coastal Review around `body` (an article name or HTML)."""
    html = body if body.lstrip().startswith("<") else article(body)
    title = re.search(r"<h1>(.*?)</h1>", html, re.S)
    values = DEFAULTS | {"title": title.group(1) if title else "Untitled", "body": html} | slots
    return Template(fixture("pages/chrome.html")).substitute(values)


def first_paragraph(name: str) -> str:
    html = article(name)
    return html[: html.index("</p>") + 4]


PARKED = """<!doctype html><html><head><title>coastalreview.example is for sale</title></head><body>
<div class="parked"><h1>This domain may be for sale</h1><p>Buy this domain today. Related searches:
cheap flights, beach hotels, kayak rental, insurance quotes, online degrees.</p></div></body></html>"""

ARTICLES = ("tide-pools", "bridges", "bees", "lighthouse")

# ---------------------------------------------------------------- the labels
#: Changes that leave the cited text as it was: never drift.
# fmt: off
COSMETIC: dict[str, tuple[dict[str, str], dict[str, str]]] = {
    "publication date and copyright year": ({}, {"published": "3 April 2025", "year": "2025", "stamp": "2026-07-09T17:44:10Z"}),
    "view and comment counters": ({}, {"views": "58,991", "comments": "212"}),
    "ad block added": ({}, {"ad": AD}),
    "ad block replaced": ({"ad": AD}, {"ad": AD_OTHER}),
    "navigation menu redesigned": ({}, {"nav": NAV_V2}),
    "last-updated line added": ({}, {"updated": "<p>Last updated: 4 June 2025, 16:20</p>"}),
    "cookie banner and sidebar": ({}, {"cookie": COOKIE, "sidebar": SIDEBAR_V2}),
    "footer widgets": ({}, {"footer_extra": "<div class='newsletter'><p>Get our weekly letter from the coast</p></div>"}),
    "everything cosmetic at once": (
        {"ad": AD},
        {"published": "3 April 2025", "views": "58,991", "comments": "212", "ad": AD_OTHER, "nav": NAV_V2,
         "updated": "<p>Updated 2 hours ago</p>", "cookie": COOKIE, "sidebar": SIDEBAR_V2, "year": "2025"},
    ),
}
# fmt: on


CORRECTION = (
    "<p>Correction: an earlier version of this article gave the wrong year for the event it describes. "
    "The text has been amended, and we thank the reader who wrote in to point out the mistake.</p>"
)
UNMARKED_AD = "<p>Advertisement</p><p>Sea kayak tours every weekend: book now and save twenty percent on your first trip.</p>"


def paragraphs(name: str) -> list[str]:
    return re.findall(r"<p>.*?</p>", article(name), re.S)


def heading(name: str) -> str:
    return re.search(r"<h1>.*?</h1>", article(name), re.S).group(0)


#: Edits to the article itself that keep what it says (the text may be cited as it stands).
EDITS = {
    "one sentence corrected": lambda body: body.replace(" the ", " this ", 1),
    "correction note appended": lambda body: body + CORRECTION,
    "ad paragraph without markup": lambda body: body.replace("</p>", "</p>" + UNMARKED_AD, 1),
    "inline read-more links": lambda body: body.replace("</p>", "</p><p>Read more: Why the gulls are getting bolder</p>", 2),
}


def rewritten(count: int) -> str:
    """The tide-pools article with its last `count` paragraphs (of five) rewritten."""
    original, rewrite = paragraphs("tide-pools"), paragraphs("tide-pools-rewritten")
    return heading("tide-pools") + "".join(original[: 5 - count] + rewrite[5 - count :])


def labelled_pairs() -> list[tuple[str, str, str, bool]]:
    """(case, phase-1 page, phase-2 page, drifted?) for every labelled case."""
    cases = []
    for name in ARTICLES:
        for change, (before, after) in COSMETIC.items():
            cases.append((f"{name}: {change}", page(name, **before), page(name, **after), False))
        for change, edit in EDITS.items():
            cases.append((f"{name}: {change}", page(name), page(edit(article(name))), False))
        kept = heading(name) + "".join(paragraphs(name)[:2])
        cases.append((f"{name}: cut to its first two paragraphs of five", page(name), page(kept), True))
    cases.append(("tide-pools: one paragraph of five rewritten", page("tide-pools"), page(rewritten(1)), False))
    for count in (2, 3, 5):
        cases.append((f"tide-pools: {count} paragraphs of five rewritten", page("tide-pools"), page(rewritten(count)), True))
    for name, other in zip(ARTICLES, ARTICLES[1:] + ARTICLES[:1], strict=True):
        cases.append((f"{name}: replaced by another article", page(name), page(other), True))
        cases.append((f"{name}: cut to a removal notice", page(name), page(
            "<h1>Article removed</h1><p>This article has been removed at the request of the author. "
            "We apologise for any inconvenience.</p>"), True))  # fmt: skip
        teaser = first_paragraph(name) + "<p class='paywall-note'>Subscribe to keep reading. Already a member? Sign in.</p>"
        cases.append((f"{name}: cut to a paywall teaser", page(name), page(teaser), True))
        cases.append((f"{name}: domain sold and parked", page(name), PARKED, True))
    return cases


def drift_counts(threshold: float = DEFAULT_DRIFT_THRESHOLD) -> dict[str, object]:
    """Run the labelled table; the counts the README quotes."""
    found = missed = false_positives = true_negatives = 0
    lowest_cosmetic, highest_drift = 1.0, 0.0
    for _, before, after, drifted in labelled_pairs():
        result = compare(before, after, threshold)
        if drifted:
            found += result.drifted
            missed += not result.drifted
            highest_drift = max(highest_drift, result.similarity)
        else:
            false_positives += result.drifted
            true_negatives += not result.drifted
            lowest_cosmetic = min(lowest_cosmetic, result.similarity)
    return {
        "drifted pages": found + missed, "found": found, "missed": missed,
        "cosmetic pages": false_positives + true_negatives, "false positives": false_positives,
        "lowest cosmetic similarity": round(lowest_cosmetic, 3), "highest drifted similarity": round(highest_drift, 3),
    }  # fmt: skip


def test_labelled_drift_table():
    for case, before, after, drifted in labelled_pairs():
        result = compare(before, after)
        assert result.drifted == drifted, f"{case}: similarity {result.similarity:.3f}"
    counts = drift_counts()
    print("\ndrift labelled counts:", counts)
    assert counts["missed"] == 0 and counts["false positives"] == 0
    assert counts["found"] == 23 and counts["cosmetic pages"] == 53


def test_the_default_threshold_sits_in_the_gap_with_margin():
    counts = drift_counts()
    assert counts["lowest cosmetic similarity"] - DEFAULT_DRIFT_THRESHOLD >= 0.1
    assert DEFAULT_DRIFT_THRESHOLD - counts["highest drifted similarity"] >= 0.1


# ------------------------------------------------------------------ main_text


def test_main_text_keeps_the_article_and_drops_the_chrome():
    text = main_text(page("bees", ad=AD, cookie=COOKIE, nav=NAV_V2, updated="<p>Last updated: 4 June 2025</p>"))
    assert text.startswith("why honeybees dance\na forager that has found")
    for chrome in ("cookies", "sponsored", "podcasts", "most read", "privacy", "share", "tweet", "views", "last updated", "search the archive"):
        assert chrome not in text, chrome
    assert "rendered" not in text and "datalayer" not in text  # scripts and styles


def test_main_text_normalizes_dates_times_and_numbers():
    one = main_text("<p>The bridge was opened on 5 May 1932 at 10:30 and cost 1,250,000 pounds to build in the end.</p>")
    two = main_text("<p>The bridge was opened on May 6, 1933 at 11:45 and cost 2.400.000 pounds to build in the end.</p>")
    assert one == two
    assert "_date_" in one and "_num_" in one


def test_main_text_reads_bytes_in_their_charset_and_plain_text():
    html = "<html><body><main><p>Société générale, ½ €, ça coûte cher.</p></main></body></html>"
    assert main_text(html.encode("cp1252"), "text/html; charset=windows-1252") == main_text(html)
    assert main_text(b"Plain text\n\nwith  lines", "text/plain") == "plain text\nwith lines"


def test_main_text_falls_back_when_class_names_would_empty_the_page():
    html = "<div class='content-sidebar-wrap'><p>" + "All the words of the article live in here. " * 10 + "</p></div>"
    assert main_text(html).count("all the words") == 10


def test_main_text_survives_broken_markup():
    assert "still here" in main_text("<div><p>still here<span></div></b></article><nav>menu")
    assert main_text("") == ""


def test_similarity_is_deterministic_and_symmetric():
    a, b = main_text(page("bees")), main_text(page("bridges"))
    assert similarity(a, a) == 1.0
    assert similarity(a, b) == similarity(b, a) < 0.05
    assert similarity("", "") == 1.0 and similarity("some words", "") == 0.0
    assert shingles(tokens("one two")) == {("one", "two")}


# ------------------------------------------------------- against the archive

CAPTURED = datetime(2025, 1, 10, 12, 0, 0, tzinfo=timezone.utc)


def capture(folder: Path, urls: list[str], when: datetime = CAPTURED) -> None:
    async def run() -> None:
        async with httpx.AsyncClient() as client, Archive(folder, clock=lambda: when) as archive:
            for url in urls:
                assert await archive.capture(client, url) is not None

    asyncio.run(run())


def test_compare_with_archive_labels_real_drift_and_cosmetic_change(farm, tmp_path):
    site = farm.host()
    site.route("/cosmetic", respond(200, page("lighthouse")))
    site.route("/rewritten", respond(200, gzip.compress(page("tide-pools").encode()), {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"}))
    site.route("/old-address", redirect(301, "/replaced")).route("/replaced", respond(200, page("bridges")))
    capture(tmp_path, [site.url("/cosmetic"), site.url("/rewritten"), site.url("/old-address")])

    cosmetic = asyncio.run(compare_with_archive(site.url("/cosmetic"), page("lighthouse", published="2 May 2026", views="99", nav=NAV_V2, ad=AD), tmp_path))
    assert cosmetic is not None and cosmetic["drifted"] is False and cosmetic["similarity"] >= 0.9
    assert cosmetic["compared_to"] == "2025-01-10T12:00:00Z"
    assert re.fullmatch(r"<urn:uuid:[0-9a-f-]{36}>", cosmetic["capture"])

    rewritten = asyncio.run(compare_with_archive(site.url("/rewritten"), page("tide-pools-rewritten"), tmp_path))
    assert rewritten == {"similarity": rewritten["similarity"], "drifted": True, "compared_to": "2025-01-10T12:00:00Z", "capture": rewritten["capture"]}
    assert rewritten["similarity"] < DEFAULT_DRIFT_THRESHOLD

    # A capture that went through redirects is compared with the page it ended on.
    replaced = asyncio.run(compare_with_archive(site.url("/old-address"), page("bees").encode(), tmp_path, content_type="text/html"))
    assert replaced is not None and replaced["drifted"] is True


def test_compare_with_archive_takes_the_latest_earlier_capture_and_reads_revisits(farm, tmp_path):
    site = farm.host().route("/p", respond(200, page("bees")))
    capture(tmp_path, [site.url("/p")], datetime(2024, 5, 1, tzinfo=timezone.utc))
    capture(tmp_path, [site.url("/p")], datetime(2025, 5, 1, tzinfo=timezone.utc))  # unchanged: a revisit
    capture(tmp_path, [site.url("/p")], datetime(2026, 5, 1, tzinfo=timezone.utc))
    compared = asyncio.run(compare_with_archive(site.url("/p"), page("bees"), tmp_path, before=datetime(2026, 1, 1, tzinfo=timezone.utc)))
    assert compared is not None and compared["compared_to"] == "2025-05-01T00:00:00Z" and compared["similarity"] == 1.0


def test_compare_with_archive_without_an_earlier_live_capture_is_none(farm, tmp_path):
    site = farm.host().route("/gone", respond(404, "<h1>Not here</h1>")).route("/p", respond(200, page("bees")))
    assert asyncio.run(compare_with_archive(site.url("/p"), page("bees"), tmp_path / "nothing-here")) is None
    capture(tmp_path, [site.url("/gone"), site.url("/p")])
    assert asyncio.run(compare_with_archive(site.url("/gone"), page("bees"), tmp_path)) is None  # a 404 is no reference
    assert asyncio.run(compare_with_archive(site.url("/elsewhere"), page("bees"), tmp_path)) is None
    assert asyncio.run(compare_with_archive(site.url("/p"), page("bees"), tmp_path, before=CAPTURED)) is None


@pytest.mark.parametrize("threshold", [0.5, DEFAULT_DRIFT_THRESHOLD, 0.7])
def test_thresholds_across_the_gap_give_the_same_labels(threshold):
    counts = drift_counts(threshold)
    assert counts["missed"] == 0 and counts["false positives"] == 0


def test_compare_with_archive_cuts_both_sides_to_the_body_limit(farm, tmp_path):
    long_page = page("".join(article(name) for name in ("tide-pools", "bridges", "bees", "lighthouse", "sourdough"))).encode()
    site = farm.host().route("/long", respond(200, long_page))
    capture(tmp_path, [site.url("/long")])
    read_now = long_page[:4096]  # what the engine kept of the body this time
    same = asyncio.run(compare_with_archive(site.url("/long"), read_now, tmp_path, body_limit=4096))
    assert same is not None and same["similarity"] == 1.0 and same["drifted"] is False
    uneven = asyncio.run(compare_with_archive(site.url("/long"), read_now, tmp_path, body_limit=None))
    assert uneven is not None and uneven["drifted"] is True  # why the limit matters
