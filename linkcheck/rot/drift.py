"""Content drift: is the page still saying what it said when it was cited?

`main_text` keeps what a reader came for (the article) and drops what changes on its
own (navigation, header, footer, asides, scripts, styles, forms, cookie banners, ads,
share bars; dates, times, counters). `similarity` compares two such texts by their
5-word shingles (Jaccard index: shared shingles over all shingles), which is
deterministic and reacts to rewording, not to reordering of boilerplate.
`compare_with_archive` compares a page fetched now with its latest earlier capture in
linkcheck's own archive.

Extraction is the standard library's `html.parser`: no dependency, tolerant of broken
markup, and fast enough for the capped bodies the engine keeps (a 256 KiB page takes a
few milliseconds).
"""

from __future__ import annotations

import asyncio
import os
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from linkcheck.rot.options import DEFAULT_DRIFT_THRESHOLD
from linkcheck.safehtml import SafeHTMLParser

#: Below this similarity a page counts as drifted. On the labelled fixtures
#: (tests/test_rot_drift.py) cosmetic changes (dates, counters, ads, menus, banners) score
#: 1.0, small edits (a corrected sentence, an appended correction, an unmarked ad) 0.9 or
#: more, one paragraph in five rewritten 0.71; two paragraphs in five rewritten 0.46, the
#: article cut to two paragraphs of five 0.44 or less, replaced or cut to a stub 0.21 or
#: less. 0.6 sits in the gap between 0.46 and 0.71, over 0.1 from each side.
#: Bytes of each body `compare_with_archive` compares (the soft-404 body limit: one GET serves both).
DEFAULT_COMPARE_LIMIT = 256 * 1024
#: Words per shingle: long enough that shared stock phrases do not make two texts alike.
SHINGLE_SIZE = 5

_SKIP_TAGS = frozenset(
    {"script", "style", "noscript", "template", "title", "nav", "header", "footer", "aside", "form",
     "iframe", "svg", "button", "select", "textarea", "dialog", "menu", "object", "canvas"}
)  # fmt: skip
_SKIP_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "search", "dialog", "alertdialog"})
_MAIN_TAGS = frozenset({"main", "article"})
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
)
_BLOCK = frozenset(
    {"p", "div", "br", "li", "ul", "ol", "tr", "td", "th", "table", "h1", "h2", "h3", "h4", "h5", "h6",
     "section", "article", "main", "pre", "blockquote", "figcaption", "dd", "dt", "hr", "body"}
)  # fmt: skip
#: Class or id words that mark boilerplate (matched as whole words of `class`/`id`).
_BOILERPLATE_WORDS = frozenset(
    {"ad", "ads", "adv", "advert", "adslot", "banner", "breadcrumb", "breadcrumbs", "byline", "comments",
     "counter", "dateline", "footer", "header", "masthead", "menu", "modal", "nav", "navbar", "navigation",
     "pagination", "pager", "popup", "promo", "related", "share", "sharing", "sidebar", "social", "sponsored",
     "stats", "timestamp", "toolbar", "views", "widget"}
)  # fmt: skip
#: Class or id fragments that mark boilerplate wherever they occur (`cookieBanner`, `gdpr-consent`).
_BOILERPLATE_PARTS = ("cookie", "consent", "gdpr", "advert", "adsbygoogle", "sponsor", "newsletter", "outbrain", "taboola", "doubleclick")
#: Lines that are chrome in any page, whatever markup holds them.
_BOILERPLATE_LINES = frozenset(
    {"advertisement", "sponsored", "anzeige", "publicité", "publicidad", "pubblicità", "share", "tweet", "print",
     "email", "skip to content", "skip to main content", "back to top", "read more", "continue reading"}
)  # fmt: skip
#: When dropping class-marked boilerplate would leave less than this share of the words,
#: the class names were misleading (a theme's `content-sidebar-wrap`): keep them.
_CLASS_FALLBACK_SHARE = 0.25
#: An <article>/<main> with at least this many words is the page's text on its own.
_MAIN_MIN_WORDS = 20

_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|"
    "januar|februar|märz|mai|juni|juli|oktober|dezember|"
    "janvier|février|mars|avril|juin|juillet|août|septembre|octobre|novembre|décembre|"
    "enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre|"
    "gennaio|febbraio|aprile|maggio|giugno|luglio|settembre|ottobre|dicembre|"
    "janeiro|fevereiro|março|maio|junho|julho|setembro|outubro|dezembro|"
    "januari|februari|maart|mei|augustus"
)
#: Lines this short holding a date (a byline, "last updated …") or a number ("1,204 views")
#: are dropped: they come and go without the text changing.
_DATE_LINE_WORDS = 8
_NUMBER_LINE_WORDS = 5
_DATE = "_date_"
_NUM = "_num_"
#: Every date and time form we normalize, as one alternation (one pass per line).
_DATE_PATTERN = re.compile(
    "|".join(
        (
            r"\d{4}-\d{1,2}-\d{1,2}(?:[t ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:z|[+-]\d{2}:?\d{2})?)?",
            r"\d{1,2}[./-]\d{1,2}[./-]\d{2,4}",
            rf"\d{{1,2}}(?:st|nd|rd|th|er|º)?\.?\s+(?:of\s+|de\s+)?(?:{_MONTHS})\.?(?:,?\s+(?:de\s+)?\d{{4}})?\b",
            rf"\b(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?\b",
            rf"\b(?:{_MONTHS})\.?\s+\d{{4}}\b",
            r"\d{1,2}:\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?",
            r"\b(?:\d+|an?|one)\s+(?:second|minute|hour|day|week|month|year)s?\s+ago\b",
            r"\d{4}年\d{1,2}月\d{1,2}日",
        )
    ),
    re.I,
)
_MAY_HOLD_DATE = re.compile(r"\d| ago\b")
_NUMBER = re.compile(r"\d+(?:[.,\u00a0\u202f]\d+)*")
#: CJK characters are words of their own (no spaces between them).
_TOKEN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]|\w+")


@dataclass(frozen=True, slots=True)
class DriftResult:
    similarity: float
    drifted: bool


class _Extractor(SafeHTMLParser):
    """One pass: every text run, with whether it sits in skipped markup, in class-marked
    boilerplate, or inside <main>/<article>."""

    def __init__(self) -> None:
        super().__init__()
        #: (text, skipped by tag/role, skipped by class/id, inside main); "\n" runs separate blocks.
        self.runs: list[tuple[str, bool, bool, bool]] = []
        self._stack: list[tuple[str, bool, bool, bool]] = []
        self._skip = self._boiler = self._main = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK:
            self.runs.append(("\n", False, False, False))
        if tag in _VOID:
            return
        values = {name: (value or "") for name, value in attrs}
        skip = (
            tag in _SKIP_TAGS
            or values.get("role", "").lower() in _SKIP_ROLES
            or values.get("aria-hidden", "").lower() == "true"
            or "hidden" in values
        )
        boiler = _is_boilerplate(values.get("class", "") + " " + values.get("id", ""))
        main = tag in _MAIN_TAGS or values.get("role", "").lower() == "main"
        self._stack.append((tag, skip, boiler, main))
        self._skip += skip
        self._boiler += boiler
        self._main += main

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK:
            self.runs.append(("\n", False, False, False))

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCK:
            self.runs.append(("\n", False, False, False))
        if not any(entry[0] == tag for entry in self._stack):
            return  # a stray end tag: ignore it
        while self._stack:
            name, skip, boiler, main = self._stack.pop()
            self._skip -= skip
            self._boiler -= boiler
            self._main -= main
            if name == tag:
                break

    def handle_data(self, data: str) -> None:
        self.runs.append((data, self._skip > 0, self._boiler > 0, self._main > 0))


def _is_boilerplate(names: str) -> bool:
    lowered = names.lower()
    if any(part in lowered for part in _BOILERPLATE_PARTS):
        return True
    return any(word in _BOILERPLATE_WORDS for word in re.split(r"[^a-z0-9]+", lowered))


def main_text(html: str | bytes, content_type: str | None = None) -> str:
    """The page's main text, boilerplate removed and dates, times and numbers normalized
    (`_date_`, `_num_`), one block per line, lower case. Plain text and PDF bodies are
    normalized the same way; an undecodable body gives what could be read."""
    from linkcheck.archive.content import body_text, charset_of
    from linkcheck.archive.options import media_type

    media = media_type(content_type)
    if isinstance(html, bytes):
        if media == "application/pdf" or html.startswith(b"%PDF-"):
            return _normalize(body_text(html, content_type))
        html = html.decode(charset_of(content_type, html), errors="replace")
    if media == "text/plain":
        return _normalize(html)
    return _normalize(_extract(html))


def _extract(html: str) -> str:
    extractor = _Extractor()
    extractor.feed_document(html)
    runs = [run for run in extractor.runs if not run[1]]
    in_main = [run for run in runs if run[3] or run[0] == "\n"]
    if _word_count(in_main) >= _MAIN_MIN_WORDS:
        runs = in_main
    unmarked = [run for run in runs if not run[2]]
    if _word_count(unmarked) >= _CLASS_FALLBACK_SHARE * _word_count(runs):
        runs = unmarked
    return "".join(run[0] for run in runs)


def _word_count(runs: Sequence[tuple[str, bool, bool, bool]]) -> int:
    return sum(len(run[0].split()) for run in runs)


def _normalize(text: str) -> str:
    lines = []
    for raw in unicodedata.normalize("NFKC", text).casefold().splitlines():
        line = " ".join(raw.split())
        if not line or line.strip(" :·|•-") in _BOILERPLATE_LINES:
            continue
        words = normalized_words(line)
        # A short line around a date or a number is a byline, a timestamp or a counter.
        if (_DATE in words and len(words) <= _DATE_LINE_WORDS) or (_NUM in words and len(words) <= _NUMBER_LINE_WORDS):
            continue
        if words:
            lines.append(" ".join(words))
    return "\n".join(lines)


def normalized_words(text: str) -> list[str]:
    """The words of a text with dates and times as `_date_` and numbers as `_num_`
    (NFKC, lower case); `main_text` is made of these."""
    text = unicodedata.normalize("NFKC", text).casefold()
    if _MAY_HOLD_DATE.search(text):
        text = _NUMBER.sub(f" {_NUM} ", _DATE_PATTERN.sub(f" {_DATE} ", text))
    return tokens(text)


def tokens(text: str) -> list[str]:
    """Words of a text as `similarity` counts them (CJK characters one by one)."""
    return _TOKEN.findall(text.casefold())


def shingles(words: Sequence[str], size: int = SHINGLE_SIZE) -> set[tuple[str, ...]]:
    """Every run of `size` consecutive words; a shorter text is one shingle of all its words."""
    if len(words) < size:
        return {tuple(words)} if words else set()
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


def token_similarity(a: Sequence[str], b: Sequence[str], size: int = SHINGLE_SIZE) -> float:
    """Jaccard index of the two word sequences' shingles: 1.0 identical, 0.0 nothing shared."""
    first, second = shingles(a, size), shingles(b, size)
    if not first and not second:
        return 1.0
    return len(first & second) / len(first | second)


def similarity(a: str, b: str) -> float:
    """How alike two texts (e.g. from `main_text`) are, from 0.0 to 1.0, by 5-word shingles."""
    return token_similarity(tokens(a), tokens(b))


def compare(
    old_html: str | bytes,
    new_html: str | bytes,
    threshold: float = DEFAULT_DRIFT_THRESHOLD,
    *,
    old_content_type: str | None = None,
    new_content_type: str | None = None,
) -> DriftResult:
    """Drifted when the main texts' similarity is below `threshold`."""
    score = similarity(main_text(old_html, old_content_type), main_text(new_html, new_content_type))
    return DriftResult(similarity=score, drifted=score < threshold)


async def compare_with_archive(
    url: str,
    html_now: str | bytes,
    archive_dir: str | os.PathLike[str],
    threshold: float = DEFAULT_DRIFT_THRESHOLD,
    *,
    content_type: str | None = None,
    before: datetime | None = None,
    body_limit: int | None = DEFAULT_COMPARE_LIMIT,
    storage_url: str | None = None,
) -> dict[str, object] | None:
    """the JSON report's `drift` field: `html_now` against the latest capture of `url` taken
    before `before` (default: now) whose page answered 2xx.

    Both bodies are cut to `body_limit` bytes (pass the limit `html_now` was read with),
    so a long page read partly now is not compared with all of it archived. None when the
    archive has no such capture (or there is no archive). Raises ArchiveError when the
    archive exists but its catalog or WARC file cannot be read. `storage_url`: where the
    archive keeps its WARC files when not in the folder (`archive.url`).
    """
    from linkcheck.models import iso_utc
    from linkcheck.rot._archive import latest_before, read_page

    found = await asyncio.to_thread(latest_before, archive_dir, url, before)
    if found is None:
        return None
    body, old_type = await asyncio.to_thread(read_page, archive_dir, found, storage_url)
    if body_limit is not None:
        body = body[:body_limit]
        html_now = html_now[:body_limit] if isinstance(html_now, bytes) else html_now
    old_text, new_text = await asyncio.to_thread(
        lambda: (main_text(body, old_type), main_text(html_now, content_type))
    )
    score = similarity(old_text, new_text)
    return {
        "similarity": round(score, 3),
        "drifted": score < threshold,
        "compared_to": iso_utc(found.when),
        "capture": found.final.record_id,
    }
