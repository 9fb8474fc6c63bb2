"""Soft 404s: pages that answer 200 (or redirect to something that does) but are really
"not found" pages.

Three signals, in order:

(a) the redirect: a deep link that ends on the site's home page (`/`, `/index.html`, a
    locale root such as `/en/`), on a generic landing page (a path naming 404, not-found,
    error or search, or a search query), or on one of its own ancestor sections
    (`/products/widget` -> `/products/`) is a soft 404 on that alone. A redirect from a
    deep link to an unrelated shallow page of the same site is weaker: it counts only
    with (c).
(b) the probe: one made-up address of the same shape as the page's final URL, on the host
    that served it (same folder and
    extension, a random token with the last segment's length and character classes; for
    `?id=123`-style URLs the values vary instead). A host that answers it 404/410 is
    honest, so its 200 pages are real. A host that answers it 200 serves a template for
    unknown paths: the cited page is a soft 404 when its main text is that template
    (similarity >= `probe_similarity`). A live article differs from the template, so the
    classic trap (200 for everything) does not produce false positives. One probe per
    (host, shape) per run, shared by concurrent checks.
(c) a "not found" title or h1 (en, de, fr, es, it, pt, nl, ru, ja, zh, ko, pl, sv, tr):
    supporting evidence only, never a verdict on its own. It lets a weak redirect count,
    lowers the probe's bar to `supported_similarity`, and is named in the reason.

Signals named in a verdict: `redirect_home`, `redirect_landing`, `redirect_ancestor`,
`redirect_shallow`, `probe_similar`, `not_found_text`.
"""

from __future__ import annotations

import asyncio
import random
import re
import string
import unicodedata
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

import httpx

from linkcheck.rot.options import DEFAULT_PROBE_SIMILARITY
from linkcheck.models import Redirect
from linkcheck.rot.drift import (
    DEFAULT_COMPARE_LIMIT,
    main_text,
    normalized_words,
    token_similarity,
)
from linkcheck.safehtml import SafeHTMLParser
from linkcheck.signatures import meta_refresh, page_shape, page_wall, script_built
from linkcheck.sites import registrable_domain

if TYPE_CHECKING:
    from linkcheck.check.outcome import Outcome

#: A cited page whose main text is this similar to the probe's is the host's template.
#: The same, when the cited page's own title or h1 says "not found".
DEFAULT_SUPPORTED_SIMILARITY = 0.7
#: Fewer words than this, without a "not found" heading, and the probe proves nothing
#: (a JavaScript shell is empty on every path).
MIN_PROBE_WORDS = 8
#: Bytes of the cited page's (and the probe's) decoded body the detector wants to see.
DEFAULT_BODY_LIMIT = DEFAULT_COMPARE_LIMIT
#: Shortest token a probe uses: `/path/3943` is probed as `/path/` + twelve digits. On a
#: site with dense ids a made-up id of the cited length can be a real page (one 10,000-URL
#: run probed a URL it also cited); twelve random characters name none.
MIN_PROBE_TOKEN = 12
#: Fresh probe addresses tried when one happens to be a URL the run cites.
PROBE_ATTEMPTS = 8

SIGNAL_HOME = "redirect_home"
SIGNAL_LANDING = "redirect_landing"
SIGNAL_ANCESTOR = "redirect_ancestor"
SIGNAL_SHALLOW = "redirect_shallow"
SIGNAL_PROBE = "probe_similar"
SIGNAL_TEXT = "not_found_text"
#: The page every address answers is a sign-in or consent page: blocked, not a soft 404.
SIGNAL_WALL = "wall_page"


@dataclass(frozen=True, slots=True)
class PageSnapshot:
    """A fetched page: the URL asked for, where it ended, the hops, and the (capped,
    content-decoded) body of the final answer."""

    url: str
    final_url: str
    status: int | None
    hops: Sequence[Redirect] = ()
    content_type: str | None = None
    body: bytes | None = None


Fetch = Callable[[str], Awaitable[PageSnapshot | None]]


def snapshot_from_outcome(url: str, outcome: Outcome) -> PageSnapshot:
    """The engine's `Outcome` of a GET with a body limit, as the detector reads it."""
    last = outcome.last
    headers = last.headers if last is not None else None
    return PageSnapshot(
        url=url,
        final_url=outcome.final_url or url,
        status=outcome.status if outcome.failure is None else None,
        hops=tuple(outcome.hops),
        content_type=headers.get("content-type") if headers is not None else None,
        body=last.body if last is not None else None,
    )


@dataclass(frozen=True, slots=True)
class Soft404Options:
    """`skip_hosts`: no soft-404 detection; `no_probe_hosts`: redirects and headings only,
    never a probe request. A host entry covers its subdomains (`example.org` covers
    `www.example.org`)."""

    enabled: bool = True
    probe: bool = True
    probe_similarity: float = DEFAULT_PROBE_SIMILARITY
    supported_similarity: float = DEFAULT_SUPPORTED_SIMILARITY
    skip_hosts: frozenset[str] = frozenset()
    no_probe_hosts: frozenset[str] = frozenset()

    def checks(self, host: str) -> bool:
        return self.enabled and not _covered(host, self.skip_hosts)

    def probes(self, host: str) -> bool:
        return self.probe and not _covered(host, self.no_probe_hosts)


def _covered(host: str, names: frozenset[str]) -> bool:
    host = host.lower().rstrip(".")
    return any(host == name or host.endswith("." + name) for name in (n.lower().rstrip(".") for n in names))


@dataclass(frozen=True, slots=True)
class Soft404Verdict:
    """`reason` is the human sentence for the result's `error`; `signals` name the evidence."""

    reason: str
    signals: list[str] = field(default_factory=list)
    #: Not a soft 404 after all: the page the site answers everywhere is a sign-in or
    #: consent page, so the checker could not see the content (`blocked`, `reason` says which).
    blocked: bool = False


@dataclass(frozen=True, slots=True)
class _Probe:
    url: str
    status: int | None
    words: list[str] | None


class Soft404Detector:
    """Lives for one run: judges 2xx pages and remembers one probe per (host, shape).

    `fetch` GETs a URL through the engine's politeness limits (following redirects,
    keeping up to `DEFAULT_BODY_LIMIT` bytes of body) and never raises for what the
    network does; None when nothing came back.
    """

    def __init__(
        self,
        fetch: Fetch,
        options: Soft404Options | None = None,
        *,
        rng: random.Random | None = None,
        is_cited: Callable[[str], bool] = lambda url: False,
    ) -> None:
        """`is_cited`: whether the run cites a URL; a probe is never one of them."""
        self.fetch = fetch
        self.is_cited = is_cited
        self.options = options or Soft404Options()
        self.rng = rng or random.Random()
        self._probes: dict[tuple[str, ...], _Probe | None] = {}
        self._locks: dict[tuple[str, ...], asyncio.Lock] = {}
        #: Probe requests made this run (one per host and shape).
        self.probes_made = 0

    async def check(self, page: PageSnapshot) -> Soft404Verdict | None:
        """A verdict when `page` (which answered 2xx) is a soft 404, else None."""
        host = urlsplit(page.url).hostname or ""
        if not self.options.checks(host) or page.status is None or not 200 <= page.status < 300:
            return None
        html = page.body is not None and _is_html(page.content_type, page.body)
        # The heading is supporting evidence only: read (one parse of the page) when a signal needs it.
        heading = _Lazy(lambda: not_found_heading(page.body, page.content_type) if html and page.body is not None else None)
        refresh = meta_refresh(page.body, page.final_url or page.url) if html else None
        redirect = redirect_signal(page.url, refresh or page.final_url) if page.hops or refresh else None
        if redirect is not None and redirect[0] != SIGNAL_SHALLOW:
            return _verdict(redirect[0], redirect[1], heading.value)
        if redirect is not None and heading.value is not None:
            return _verdict(redirect[0], redirect[1], heading.value)
        # The probe goes where the page was served: a DOI resolver's honesty says nothing about the publisher.
        served = page.final_url or page.url
        if not html or page.body is None or not self.options.probes(urlsplit(served).hostname or ""):
            return None
        probe = await self._probe(served)
        if probe is None or probe.words is None:
            return None  # no probe, or an honest 404/410, or nothing comparable
        words = _without_echo(normalized_words(main_text(page.body, page.content_type)), page.url, page.final_url)
        if not words:
            return None
        score = token_similarity(words, probe.words)
        found = heading.value
        enough = len(words) >= MIN_PROBE_WORDS or found is not None
        if (score >= self.options.probe_similarity and enough) or (
            found is not None and score >= self.options.supported_similarity
        ):
            if script_built(page.body, page.content_type) is not None:
                return None  # one app shell looks like every other: comparing two says nothing
            from linkcheck.archive.content import charset_of

            wall = page_wall(page_shape(page.body, charset_of(page.content_type, page.body)))
            if wall is not None:
                return Soft404Verdict(wall.message, [SIGNAL_WALL], blocked=True)
            reason = (
                f"answers {page.status} with the page a made-up address on this site also gets "
                f"({probe.url}, similarity {score:.2f}): a \u201cnot found\u201d page served as success"
            )
            return _verdict(SIGNAL_PROBE, reason, found)
        return None

    async def _probe(self, url: str) -> _Probe | None:
        plan = probe_plan(url)
        if plan is None:
            return None
        key, make = plan
        if key in self._probes:
            return self._probes[key]
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            if key not in self._probes:
                probe_url = self._uncited(make)
                self.probes_made += probe_url is not None
                self._probes[key] = await self._fetch_probe(probe_url) if probe_url is not None else None
            return self._probes[key]

    def _uncited(self, make: Callable[[random.Random], str]) -> str | None:
        """A probe address that is not a URL of the run (drawn afresh a few times)."""
        for _ in range(PROBE_ATTEMPTS):
            probe_url = make(self.rng)
            if not self.is_cited(probe_url):
                return probe_url
        return None

    async def _fetch_probe(self, probe_url: str) -> _Probe | None:
        try:
            snapshot = await self.fetch(probe_url)
        except (httpx.HTTPError, OSError, TimeoutError):
            return None
        if snapshot is None or snapshot.status is None:
            return None
        words = None
        if 200 <= snapshot.status < 300 and snapshot.body is not None and _is_html(snapshot.content_type, snapshot.body):
            text = main_text(snapshot.body, snapshot.content_type)
            words = _without_echo(normalized_words(text), probe_url, snapshot.final_url)
        return _Probe(probe_url, snapshot.status, words)


class _Lazy:
    """A value computed on first use, at most once."""

    def __init__(self, compute: Callable[[], str | None]) -> None:
        self._compute: Callable[[], str | None] | None = compute
        self._value: str | None = None

    @property
    def value(self) -> str | None:
        if self._compute is not None:
            self._value, self._compute = self._compute(), None
        return self._value


def _verdict(signal: str, reason: str, heading: str | None) -> Soft404Verdict:
    if heading is None:
        return Soft404Verdict(reason, [signal])
    return Soft404Verdict(f"{reason}; the page says \u201c{heading}\u201d", [signal, SIGNAL_TEXT])


def _is_html(content_type: str | None, body: bytes) -> bool:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media:
        return media in ("text/html", "application/xhtml+xml")
    return bool(re.match(rb"\s*<(!doctype html|html)", body[:512], re.I))


# ----------------------------------------------------------------- (c) headings


_NOT_FOUND_PHRASES = [
    # en
    "page not found", "not found", "404", "page does not exist", "page doesn't exist", "page cannot be found",
    "page can't be found", "page could not be found", "page no longer exists", "no such page", "nothing found",
    # de, fr, es, it, pt, nl
    "seite nicht gefunden", "nicht gefunden", "seite existiert nicht", "page introuvable", "introuvable",
    "page non trouvée", "page n'existe pas", "page n'existe plus", "página no encontrada", "no encontrada",
    "no encontrado", "la página no existe", "no se encontró", "pagina non trovata", "non trovata", "non trovato",
    "la pagina non esiste", "página não encontrada", "não encontrada", "não encontrado", "página não existe",
    "pagina niet gevonden", "niet gevonden", "pagina bestaat niet",
    # ru, pl, sv, tr
    "страница не найдена", "не найдена", "не найдено", "страница не существует", "nie znaleziono",
    "strona nie istnieje", "sidan hittades inte", "sidan finns inte", "sayfa bulunamadı",
    # ja, zh, ko
    "ページが見つかりません", "見つかりません", "お探しのページ", "ページは存在しません", "页面不存在", "找不到页面",
    "页面未找到", "找不到网页", "网页不存在", "頁面不存在", "找不到頁面", "페이지를 찾을 수 없습니다", "찾을 수 없습니다",
]  # fmt: skip


def _fold(text: str) -> str:
    """Lower case, accents and the curly apostrophe folded, spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", text.replace("\u2019", "'"))
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(unicodedata.normalize("NFC", stripped).casefold().split())


def _phrase_pattern(phrase: str) -> str:
    folded = re.escape(_fold(phrase))
    return rf"(?<!\w){folded}(?!\w)" if re.match(r"[\w']", phrase[0]) and ord(phrase[0]) < 0x3000 else folded


_NOT_FOUND = re.compile("|".join(_phrase_pattern(p) for p in sorted(_NOT_FOUND_PHRASES, key=len, reverse=True)))


def says_not_found(text: str) -> bool:
    """True when a title or heading says "not found" in one of the languages above."""
    return _NOT_FOUND.search(_fold(text)) is not None


class _Headings(SafeHTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._current: list[str] | None = None
        self._tag = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("title", "h1") and self._current is None:
            self._current, self._tag = [], tag

    def handle_endtag(self, tag: str) -> None:
        if tag == self._tag and self._current is not None:
            self.found.append(" ".join("".join(self._current).split()))
            self._current = None

    def handle_data(self, data: str) -> None:
        if self._current is not None:
            self._current.append(data)


def not_found_heading(body: bytes | str, content_type: str | None = None) -> str | None:
    """The page's title or first h1 that says "not found", if any (as written)."""
    from linkcheck.archive.content import charset_of

    text = body if isinstance(body, str) else body.decode(charset_of(content_type, body), errors="replace")
    parser = _Headings()
    parser.feed_document(text)
    return next((heading[:120] for heading in parser.found if heading and says_not_found(heading)), None)


# -------------------------------------------------------------- (a) redirects

_INDEX = re.compile(r"^(?:index|default|home)(?:\.\w{1,5})?$", re.I)
#: `en`, `de-DE`, `pt_BR`, `zh-Hans`: a language root, not a page.
_LOCALE = re.compile(r"^[a-z]{2}(?:[-_](?:[a-z]{2}|hans|hant|latn|cyrl))?$", re.I)
#: Path words of an error page (any host: a redirect to another site's 404 page is one too).
_ERROR_WORDS = frozenset({"404", "410", "error", "errors", "missing", "gone", "erreur", "fehler"})
#: Path words of a search page (same site only: a short link may well point at a search).
_SEARCH_WORDS = frozenset({"search", "suche", "recherche", "busqueda", "buscar"})
_SEARCH_KEYS = frozenset({"s", "q", "query", "search", "error"})
_TRACKING = re.compile(r"^(?:utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|ref|source|share|_ga)$", re.I)


def _segments(path: str) -> list[str]:
    """Path segments, percent-decoded, without a trailing index file."""
    segments = [unquote(s) for s in path.split("/") if s]
    if segments and _INDEX.match(segments[-1]):
        segments.pop()
    return segments


#: ISO 639-1 language codes: `/en/` is a locale root, `/ok/` is a page.
_LANGUAGES = frozenset(
    "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz ee "
    "el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is "
    "it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms "
    "mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk "
    "sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi "
    "yo za zh zu".split()
)


def _without_locale(segments: list[str]) -> list[str]:
    if segments and _LOCALE.match(segments[0]) and segments[0][:2].lower() in _LANGUAGES:
        return segments[1:]
    return segments


def _meaningful_query(query: str) -> list[tuple[str, str]]:
    return [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if not _TRACKING.match(k)]


def _ids(query: str) -> list[str]:
    """Query values that name something (they hold a digit: `p=123`, `id=a7`)."""
    return [value for _, value in _meaningful_query(query) if any(c.isdigit() for c in value)]


def _slug_words(segment: str) -> set[str]:
    stem = re.sub(r"\.\w{1,5}$", "", segment.lower())
    return {word for word in re.split(r"[^\w]+|_", stem) if len(word) >= 3 and not word.isdigit()}


def _is_error_page(segments: list[str]) -> bool:
    for segment in segments:
        lowered = segment.lower()
        if "notfound" in re.sub(r"[^a-z]", "", lowered) or set(re.split(r"[^a-z0-9]+", lowered)) & _ERROR_WORDS:
            return True
    return False


def _is_search_page(segments: list[str], query: str) -> bool:
    if any(set(re.split(r"[^a-z0-9]+", segment.lower())) & _SEARCH_WORDS for segment in segments):
        return True
    return len(segments) <= 1 and any(key.lower() in _SEARCH_KEYS for key, _ in _meaningful_query(query))


#: Hosts whose every link is a redirect by design (short links, persistent identifiers): a
#: short link to a home page is a link to that home page.
_FORWARDERS = frozenset(
    {"bit.ly", "t.co", "goo.gl", "tinyurl.com", "ow.ly", "buff.ly", "is.gd", "rebrand.ly", "lnkd.in", "youtu.be",
     "amzn.to", "fb.me", "trib.al", "dlvr.it", "shorturl.at", "cutt.ly", "tiny.cc", "t.ly", "go.microsoft.com",
     "aka.ms", "purl.org", "w3id.org", "hdl.handle.net", "n2t.net", "identifiers.org", "arks.org", "perma.cc",
     "web.archive.org", "feedproxy.google.com", "news.google.com", "l.facebook.com", "out.reddit.com"}
)  # fmt: skip


def _is_deep(segments: list[str], query: str) -> bool:
    """A page's address rather than a short link's token: two segments or more, a slug
    (`some-story`, `page.html`) or an id in the query. A URL carrying another URL in its
    query (`/url?q=https://…`, `/out?to=…`) is a redirector, whatever its shape."""
    if re.search(r"=(https?(:|%3a)|www\.)", query, re.I):
        return False
    if len(segments) >= 2 or _ids(query):
        return True
    return bool(segments) and (re.search(r"[-_.~]", segments[-1]) is not None or len(segments[-1]) > 12)


def _is_forwarder(host: str) -> bool:
    host = host.lower().removeprefix("www.")
    return host in _FORWARDERS or registrable_domain(host) in _FORWARDERS


def redirect_signal(cited: str, final: str) -> tuple[str, str] | None:
    """Signal (a) for a cited URL that redirected to `final`: (signal, reason) or None."""
    try:
        before, after = urlsplit(cited), urlsplit(final)
    except ValueError:
        return None
    cited_segments, final_segments = _segments(before.path), _segments(after.path)
    cited_depth = _without_locale(cited_segments)
    if not cited_depth and not _ids(before.query):
        return None  # the cited URL is itself a home page
    same_site = registrable_domain(before.hostname or "") == registrable_domain(after.hostname or "")
    landing = (_is_error_page(final_segments) and not _is_error_page(cited_segments)) or (
        same_site and _is_search_page(final_segments, after.query) and not _is_search_page(cited_segments, before.query)
    )
    if landing:
        return SIGNAL_LANDING, f"redirected to a generic \u201cnot found\u201d or search page ({final}) instead of the cited page"
    home = not _without_locale(final_segments) and not _ids(after.query)  # `/?lang=en` is still the home page
    if not same_site:
        if home and _is_deep(cited_depth, before.query) and not _is_forwarder(before.hostname or ""):
            return SIGNAL_HOME, f"a deep link redirected to another site's home page ({final}): the cited page is gone"
        return None
    if home:
        return SIGNAL_HOME, f"a deep link redirected to the site's home page ({final}): the cited page is gone"
    same_host = (before.hostname or "").removeprefix("www.") == (after.hostname or "").removeprefix("www.")
    ancestor = len(final_segments) < len(cited_segments) and cited_segments[: len(final_segments)] == final_segments
    if same_host and ancestor and not _meaningful_query(after.query):
        return SIGNAL_ANCESTOR, f"redirected to the section page {final} instead of the cited page"
    final_depth = _without_locale(final_segments)
    if len(cited_depth) < 2 or len(final_depth) > 1 or ancestor:
        return None
    if not _slug_words(cited_depth[-1]) & _slug_words(final_depth[-1] if final_depth else ""):
        return SIGNAL_SHALLOW, f"a deep link redirected to an unrelated top-level page ({final})"
    return None


# ------------------------------------------------------------------ (b) probe

_SCRIPT_EXTENSIONS = frozenset({"php", "asp", "aspx", "jsp", "jspx", "cgi", "pl", "cfm", "do", "py", "shtml"})


def _classes(text: str) -> str:
    found = {("d" if c.isdigit() else "u" if c.isupper() else "l") if c.isalnum() else "s" for c in text}
    return "".join(sorted(found))


def _mimic(text: str, rng: random.Random) -> str:
    """A random string with `text`'s length and character classes, never `text` itself."""
    alnum = [c for c in text if c.isalnum()]
    if not alnum:
        return ""
    padded = text + alnum[-1] * max(0, MIN_PROBE_TOKEN - len(text))
    while True:
        made = "".join(
            rng.choice(string.digits) if c.isdigit()
            else rng.choice(string.ascii_uppercase) if c.isupper()
            else rng.choice(string.ascii_lowercase) if c.isalpha()
            else c
            for c in padded
        )  # fmt: skip
        if made != text:
            return made


def probe_target(url: str, rng: random.Random) -> tuple[tuple[str, ...], str] | None:
    """The probe for a cited URL: (shape key, made-up URL), or None when the URL has no
    segment or value to vary (a home page)."""
    plan = probe_plan(url)
    return None if plan is None else (plan[0], plan[1](rng))


def probe_plan(url: str) -> tuple[tuple[str, ...], Callable[[random.Random], str]] | None:
    """The probe's shape key, and how to make its address: the random part is drawn only
    for a shape not probed yet (most pages share their host's one probe)."""
    parts = urlsplit(url)
    origin = (parts.scheme.lower(), parts.netloc.lower())
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    values = [(k, v) for k, v in pairs if not _TRACKING.match(k) and any(c.isalnum() for c in v)]
    # Vary the identifiers (`id=4821`), not the settings beside them (`lang=en`).
    ids = [(k, v) for k, v in values if any(c.isdigit() for c in v)] or values
    trailing = parts.path.endswith("/") and parts.path.strip("/") != ""
    folder, _, last = parts.path.rstrip("/").rpartition("/") if parts.path.strip("/") else ("", "", "")
    stem, dot, extension = unquote(last).rpartition(".") if re.search(r"\.\w{1,5}$", last) else (unquote(last), "", "")
    endpoint = not last or extension.lower() in _SCRIPT_EXTENSIONS or not re.search(r"[\d\W_]", stem)
    if ids and endpoint:
        shape = ",".join(sorted(k for k, _ in ids)) + "=" + ",".join(_classes(v) for _, v in ids)

        def query_probe(rng: random.Random) -> str:
            varied = [(k, _mimic(v, rng) if (k, v) in ids else v) for k, v in pairs]
            return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(varied), ""))

        return ("query", *origin, parts.path, shape), query_probe
    if not stem or not any(c.isalnum() for c in stem):
        return None

    def path_probe(rng: random.Random) -> str:
        token = quote(_mimic(stem, rng), safe="-_.~") + (dot + extension)
        path = f"{folder}/{token}" + ("/" if trailing else "")
        return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))

    return ("path", *origin, folder, extension.lower(), str(trailing), _classes(stem)), path_probe


def _without_echo(words: list[str], *urls: str) -> list[str]:
    """The words minus the URL the page echoes back ("/blog/abc could not be found"), so a
    template that names the requested path still matches itself."""
    runs: list[list[str]] = []
    for url in urls:
        parts = urlsplit(url)
        last = parts.path.rstrip("/").rpartition("/")[2]
        for text in (url, parts.path + ("?" + parts.query if parts.query else ""), parts.path, last):
            for variant in {text, unquote(text)}:
                run = normalized_words(variant)
                if len(run) >= 2 or (len(run) == 1 and len(run[0]) >= 6 and not run[0].startswith("_")):
                    runs.append(run)
    runs.sort(key=len, reverse=True)
    kept: list[str] = []
    i = 0
    while i < len(words):
        for run in runs:
            if words[i : i + len(run)] == run:
                i += len(run)
                break
        else:
            kept.append(words[i])
            i += 1
    return kept
