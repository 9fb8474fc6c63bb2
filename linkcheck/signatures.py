"""What an answer *is*, beyond its status code: a bot wall, a rate limit, a legal block, a
login or consent page, a parked domain, a page built by scripts.

Every rule here is a pure function of what came back (status, headers, a capped body,
the URLs of the redirect chain), so the classifier and the soft-404 judge share one
reading of a page and the rules can be tested as tables. The signatures are the ones
the vendors and public link-checker issue trackers describe (see README's "How checking
works"); each names what it recognised, so a user can tell a Cloudflare challenge from an
origin's own 403.

Precision comes first. A false "broken" fails someone's CI; so a wall is recognised only
by markers that appear on the wall page itself: a normal article that merely *loads* a
challenge script (Cloudflare and Imperva inject one into every page they serve) is not a
wall, which is why those weak markers count only on a page that shows almost nothing.
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urlsplit

import ahocorasick_rs

from linkcheck.safehtml import SafeHTMLParser
from linkcheck.sites import registrable_domain

#: Bytes of a body the rules look at: every wall, lander and shell says what it is early.
SCAN_LIMIT = 64 * 1024
#: A page with fewer visible words than this "shows almost nothing" (an interstitial).
NEARLY_EMPTY_WORDS = 20
#: An interstitial with its own wording (Cloudflare's "Just a moment...", Amazon's robot
#: check) stays under this many visible words; an article is far longer.
INTERSTITIAL_WORDS = 150
#: A page with a password field and fewer words than this is a sign-in form, whatever
#: its title says.
SIGN_IN_WORDS = 40
#: Parking and for-sale landers are short; an article *about* domain sales is not.
LANDER_WORDS = 300
#: A for-sale phrase only in the running text (not the title or a heading) counts on a
#: page this short: a lander's list of "related searches", not an article.
LANDER_TEXT_WORDS = 80


class BlockReason(str, enum.Enum):
    """Why the checker could not see a page (the first words of a `blocked` reason)."""

    BOT_WALL = "bot wall"
    RATE_LIMIT = "rate limited"
    LEGAL = "legal block"
    LOGIN = "login wall"
    CONSENT = "consent wall"
    SCRIPT = "script-built"


@dataclass(frozen=True, slots=True)
class Wall:
    """Something stood between the checker and the page."""

    reason: BlockReason
    detail: str
    vendor: str | None = None

    @property
    def message(self) -> str:
        named = f"{self.reason.value} ({self.vendor})" if self.vendor else self.reason.value
        return f"{named}: {self.detail}"


# ------------------------------------------------------------------ page shape


@dataclass(frozen=True, slots=True)
class PageShape:
    """What a reader without scripts would see of an HTML page."""

    title: str
    words: int
    scripts: int
    #: An empty element that scripts fill (`<div id="root"></div>`, `<app-root>`).
    empty_mount: bool
    #: A `<noscript>` (or visible text) asking for JavaScript.
    asks_for_script: bool
    password_field: bool
    #: First visible text, lower-cased, for phrase markers.
    text: str
    #: The text of the h1 and h2 headings, lower-cased.
    headings: str = ""


_MOUNT_IDS = frozenset({"root", "app", "__next", "__nuxt", "svelte", "application", "main-app", "react-root", "ember-app", "q-app"})
_MOUNT_TAGS = frozenset({"app-root", "my-app", "ng-app"})
_HIDDEN = frozenset({"script", "style", "template", "noscript", "svg", "head"})
_ASKS_FOR_SCRIPT = re.compile(
    r"(enable|turn on|activate)\s+javascript|javascript\s+(is\s+)?(required|disabled|must be enabled)|"
    r"requires\s+javascript|needs?\s+javascript|without\s+javascript",
    re.I,
)


class _ShapeParser(SafeHTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.title: list[str] = []
        self.headings: list[str] = []
        self._heading = False
        self.text: list[str] = []
        self.noscript: list[str] = []
        self.words = 0
        self.scripts = 0
        self.password = False
        self._hidden: list[str] = []
        self._in_title = False
        self._mount: tuple[str, int] | None = None  # (tag, depth) of an open mount element
        self._mount_content = False
        self.empty_mount = False
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body" and "head" in self._hidden:
            self._hidden = [open_tag for open_tag in self._hidden if open_tag != "head"]  # `</head>` left out
        values = {name: (value or "") for name, value in attrs}
        if tag == "script":
            self.scripts += 1
        if tag == "input" and values.get("type", "").lower() == "password":
            self.password = True
        if tag == "title":
            self._in_title = True
        if tag in ("h1", "h2"):
            self._heading = True
        if self._mount is not None:
            self._mount_content = True
        elif tag in _MOUNT_TAGS or (tag == "div" and values.get("id", "").lower() in _MOUNT_IDS):
            self._mount, self._mount_content = (tag, self._depth), False
        if tag in _HIDDEN:
            self._hidden.append(tag)
        if tag not in _VOID:
            self._depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if tag in ("h1", "h2"):
            self._heading = False
            self.headings.append(" ")
        if self._hidden and self._hidden[-1] == tag:
            self._hidden.pop()
        if tag not in _VOID:
            self._depth = max(0, self._depth - 1)
        if self._mount is not None and tag == self._mount[0] and self._depth <= self._mount[1]:
            self.empty_mount = self.empty_mount or not self._mount_content
            self._mount = None

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title.append(data)
            return
        if self._hidden:
            if self._hidden[-1] == "noscript":
                self.noscript.append(data)
            return
        if data.strip() and self._mount is not None:
            self._mount_content = True
        if self._heading:
            self.headings.append(data)
        count = len(data.split())
        if count:
            self.words += count
            if sum(len(part) for part in self.text) < 4096:
                self.text.append(data)


_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"})


def page_shape(body: bytes, charset: str = "utf-8") -> PageShape:
    """The shape of the first `SCAN_LIMIT` bytes of an HTML body."""
    try:
        text = body[:SCAN_LIMIT].decode(charset, errors="replace")
    except LookupError:
        text = body[:SCAN_LIMIT].decode("utf-8", errors="replace")
    parser = _ShapeParser()
    parser.feed_document(text)
    if parser._mount is not None and not parser._mount_content:  # an unclosed, empty mount at the end
        parser.empty_mount = True
    visible = " ".join(" ".join(parser.text).split())
    asks = bool(_ASKS_FOR_SCRIPT.search(" ".join(parser.noscript))) or (
        parser.words < INTERSTITIAL_WORDS and bool(_ASKS_FOR_SCRIPT.search(visible))
    )
    return PageShape(
        title=" ".join("".join(parser.title).split()),
        words=parser.words,
        scripts=parser.scripts,
        empty_mount=parser.empty_mount,
        asks_for_script=asks,
        password_field=parser.password,
        text=visible.lower(),
        headings=" ".join("".join(parser.headings).split()).lower(),
    )


def is_html(content_type: str | None, body: bytes | None) -> bool:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media:
        return media in ("text/html", "application/xhtml+xml")
    return body is not None and re.match(rb"\s*<(!doctype html|html)", body[:512], re.I) is not None


# ------------------------------------------------------------------ bot walls

#: (vendor, pattern): found only on the vendor's wall page, never on a page it lets through.
_STRONG_MARKERS: list[tuple[str, re.Pattern[bytes]]] = [
    ("Cloudflare", re.compile(
        rb"<title>\s*(just a moment\.\.\.|attention required! \| cloudflare|access denied \| [^<]*cloudflare)|"
        rb"checking (your browser|if the site connection is secure)|"
        rb"window\._cf_chl_opt|cf-browser-verification|cf-error-details|cf_chl_prog|"
        rb"sorry, you have been blocked", re.I)),
    ("Akamai", re.compile(rb"reference(\s|&#32;)*(#|&#35;|&#x23;)(\s|&#32;)*\d+(\.|&#46;)[0-9a-f]+(\.|&#46;)\d+|errors\.edgesuite\.net", re.I)),
    ("Imperva/Incapsula", re.compile(rb"incapsula incident id|request unsuccessful\. incapsula", re.I)),
    ("Sucuri", re.compile(rb"sucuri website firewall|sucuri_cloudproxy_js|cloudproxy@sucuri\.net", re.I)),
    ("DataDome", re.compile(rb"geo\.captcha-delivery\.com|ct\.captcha-delivery\.com|interstitial\.captcha-delivery", re.I)),
    ("PerimeterX", re.compile(rb"px-captcha|captcha\.px-cdn\.net|press\s*(&amp;|&)\s*hold to confirm", re.I)),
    ("AWS WAF", re.compile(rb"awswafintegration|aws-waf-token|<h2>\s*request blocked\.\s*</h2>", re.I)),
    ("Amazon", re.compile(rb"api-services-support@amazon\.com|<title[^>]*>\s*robot check\s*</title>", re.I)),
    ("F5 BIG-IP", re.compile(rb"the requested url was rejected\. please consult with your administrator", re.I)),
    ("Wordfence", re.compile(rb"generated by wordfence|your access to this site has been limited by the site owner", re.I)),
    ("ModSecurity", re.compile(rb"mod_security|modsecurity", re.I)),
    ("Vercel", re.compile(rb"vercel security checkpoint", re.I)),
    ("DDoS-Guard", re.compile(rb"ddos-guard\.net/|<title>\s*ddos-guard\s*</title>", re.I)),
    ("Imperva/Distil", re.compile(rb"<title>\s*pardon our interruption", re.I)),
    ("Radware", re.compile(rb"radware bot manager|validate\.perfdrive\.com", re.I)),
    ("Reblaze", re.compile(rb"rbzns|window\.rbzid", re.I)),
    ("Fastly", re.compile(rb"<title>\s*client challenge\s*</title>", re.I)),
]  # fmt: skip

#: (vendor, pattern): the proof-of-work walls open-source sites put up against scrapers in 2025.
#: Their page is recognised by what only it carries: its own assets in an attribute (a blog
#: post quoting the path has it escaped in text) and the challenge's payload. It explains
#: itself at length (Anubis's "Why am I seeing this?" runs to ~250 words), so the bound is
#: `CHALLENGE_PAGE_WORDS`, not the interstitial's.
_CHALLENGE_PAGE_MARKERS: list[tuple[str, re.Pattern[bytes]]] = [
    ("Anubis", re.compile(
        rb"""<script[^>]*\bid=["']?anubis_challenge\b|(src|href)\s*=\s*["'][^"'>]*/\.within\.website/x/cmd/anubis/""", re.I)),
    ("go-away", re.compile(rb"""(src|href)\s*=\s*["'][^"'>]*/go-away/cmd/go-away/assets/""", re.I)),
]  # fmt: skip
#: The Anubis and go-away pages stay under this many visible words; an article is longer.
CHALLENGE_PAGE_WORDS = 600

#: (vendor, pattern): scripts these services inject into every page they serve; a wall only
#: on a page that shows almost nothing (or that answered an error).
_WEAK_MARKERS: list[tuple[str, re.Pattern[bytes]]] = [
    ("Cloudflare", re.compile(rb"/cdn-cgi/challenge-platform/", re.I)),
    ("Imperva/Incapsula", re.compile(rb"_incapsula_resource", re.I)),
    ("DataDome", re.compile(rb"captcha-delivery\.com|js\.datadome\.co", re.I)),
    ("PerimeterX", re.compile(rb"_pxappid|/_px/|perimeterx", re.I)),
    ("AWS WAF", re.compile(rb"\.awswaf\.com", re.I)),
    ("a CAPTCHA", re.compile(rb"g-recaptcha|h-captcha|hcaptcha\.com/1/api\.js|challenges\.cloudflare\.com/turnstile", re.I)),
    ("a CAPTCHA", re.compile(rb"verify (that )?you are (a )?human|are you a robot\?|prove you('|&#39;)?re not a robot", re.I)),
]  # fmt: skip


#: Lower-case bytes one of the markers above needs: a page with none of them (nearly every
#: page) costs a few substring searches instead of eighteen case-blind regexes.
_WALL_KEYS = (
    b"cdn-cgi", b"_cf_chl", b"cf-browser-verification", b"cf-error-details", b"cf_chl", b"just a moment",
    b"checking your browser", b"checking if the site", b"attention required", b"you have been blocked",
    b"access denied", b"reference #", b"reference&#", b"edgesuite", b"incapsula", b"sucuri", b"captcha",
    b"datadome", b"px-", b"_pxappid", b"/_px/", b"perimeterx", b"& hold", b"&amp; hold", b"awswaf", b"aws-waf",
    b"request blocked", b"api-services-support@amazon", b"robot check", b"requested url was rejected",
    b"wordfence", b"limited by the site owner", b"mod_security", b"modsecurity", b"security checkpoint",
    b"ddos-guard", b"turnstile", b"pardon our interruption", b"radware", b"perfdrive", b"rbzns", b"rbzid",
    b"client challenge", b"human", b"robot", b"anubis", b"/go-away/",
)  # fmt: skip


#: The keys of the walls that answer 2xx (interstitials and near-empty challenge pages):
#: the only ones looked for on a page that answered success, which nearly every page did.
_SUCCESS_WALL_KEYS = (
    b"cdn-cgi", b"cf_chl", b"just a moment", b"checking your browser", b"incapsula", b"sucuri", b"captcha",
    b"_pxappid", b"/_px/", b"hold to confirm", b"awswaf", b"robot check", b"url was rejected", b"turnstile",
    b"pardon our interruption", b"perfdrive", b"rbzid", b"client challenge", b"human", b"robot", b"anubis",
    b"/go-away/",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Scan:
    """Which marker keys a body holds, found in one pass over its first `SCAN_LIMIT` bytes.

    Every recogniser below first asks whether one of its keys is there; the classifier
    scans a page once and hands the result to all of them (`scan(body)`), so a page with
    no marker at all (nearly every page) costs one Aho-Corasick pass, not forty substring
    searches.
    """

    found: frozenset[bytes]

    def has(self, keys: frozenset[bytes]) -> bool:
        return not self.found.isdisjoint(keys)


def scan(body: bytes | None) -> Scan:
    """The marker keys in `body` (lower-cased bytes; every key is ASCII)."""
    if not body:
        return _NOTHING
    keys, automaton = _automaton()
    matches = automaton.find_matches_as_indexes(body[:SCAN_LIMIT].lower(), overlapping=True)
    return Scan(frozenset(keys[index] for index, _, _ in matches)) if matches else _NOTHING


@functools.cache
def _automaton() -> tuple[tuple[bytes, ...], ahocorasick_rs.BytesAhoCorasick]:
    """Every key once, and one automaton over them (overlapping: a key inside another counts)."""
    keys = tuple(dict.fromkeys(all_keys()))
    return keys, ahocorasick_rs.BytesAhoCorasick(keys)


def all_keys() -> tuple[bytes, ...]:
    """Every key a recogniser here asks `scan` for."""
    return (*_WALL_KEYS, *_SUCCESS_WALL_KEYS, *_PARKED_KEYS, *_CONSENT_KEYS, _PASSWORD)


_NOTHING = Scan(frozenset())
_PASSWORD = b"password"


def bot_wall(
    status: int | None, headers: Mapping[str, str] | None, body: bytes | None, host: str = "", scanned: Scan | None = None
) -> Wall | None:
    """A bot wall recognised by its headers or its page, whatever the status code
    (`scanned`: the body's `scan`, when the caller has it)."""
    headers = headers or {}
    error = status is not None and not 200 <= status < 300
    by_header = _header_wall(status, headers, error)
    if by_header is not None:
        return by_header
    if status == 999:
        vendor = "LinkedIn" if registrable_domain(host) == "linkedin.com" else None
        return Wall(BlockReason.BOT_WALL, "non-standard status 999 (request denied to automated clients); the page may be alive", vendor)
    if not body:
        return None
    head = body[:SCAN_LIMIT]
    if not (scanned or scan(body)).has(_WALL_KEY_SET if error else _SUCCESS_WALL_KEY_SET):
        return None
    vendor, most_words = _wall_marker(head)
    if vendor is None:
        return None
    if not error:
        words = page_shape(body).words if is_html(headers.get("content-type"), body) else 0
        if words >= most_words:
            return None  # a real page that carries the vendor's script
    code = f" ({status})" if status is not None else ""
    return Wall(BlockReason.BOT_WALL, f"the site answered{code} with a challenge page instead of the content; the page may be alive", vendor)


def _wall_marker(head: bytes) -> tuple[str | None, int]:
    """The vendor whose wall marker `head` carries, and how many visible words a page with
    that marker may show and still be the wall (beyond it, a real page carrying the script)."""
    for markers, most_words in (
        (_CHALLENGE_PAGE_MARKERS, CHALLENGE_PAGE_WORDS),
        (_STRONG_MARKERS, INTERSTITIAL_WORDS),
        (_WEAK_MARKERS, NEARLY_EMPTY_WORDS),
    ):
        vendor = next((vendor for vendor, pattern in markers if pattern.search(head)), None)
        if vendor is not None:
            return vendor, most_words
    return None, 0


def _header_wall(status: int | None, headers: Mapping[str, str], error: bool) -> Wall | None:
    code = f" ({status})" if status is not None else ""
    if headers.get("cf-mitigated", "").strip().lower() == "challenge":
        return Wall(BlockReason.BOT_WALL, f"challenge{code} (cf-mitigated: challenge); the page may be alive", "Cloudflare")
    action = headers.get("x-amzn-waf-action", "").strip().lower()
    if action in ("captcha", "challenge", "block"):
        return Wall(BlockReason.BOT_WALL, f"{action}{code} (x-amzn-waf-action); the page may be alive", "AWS WAF")
    if headers.get("x-vercel-mitigated", "").strip().lower() in ("challenge", "deny"):
        return Wall(BlockReason.BOT_WALL, f"challenge{code} (x-vercel-mitigated); the page may be alive", "Vercel")
    if not error:
        return None
    if "x-sucuri-block" in headers:
        return Wall(BlockReason.BOT_WALL, f"blocked{code} (x-sucuri-block); the page may be alive", "Sucuri")
    if "x-datadome" in headers or "x-dd-b" in headers:
        return Wall(BlockReason.BOT_WALL, f"blocked{code} (x-datadome); the page may be alive", "DataDome")
    if any(name.lower().startswith("x-kpsdk-") for name in headers):
        return Wall(BlockReason.BOT_WALL, f"challenge{code} (x-kpsdk); the page may be alive", "Kasada")
    if "ddos-guard" in headers.get("server", "").lower():
        return Wall(BlockReason.BOT_WALL, f"challenge{code} (Server: ddos-guard); the page may be alive", "DDoS-Guard")
    if status == 403 and "akamaighost" in headers.get("server", "").lower():
        return Wall(BlockReason.BOT_WALL, f"access denied{code} by the edge (Server: AkamaiGHost); the page may be alive", "Akamai")
    return None


# ------------------------------------------------------------ walls by redirect

#: Query keys that carry "come back here afterwards".
_RETURN_KEYS = frozenset(
    {"next", "return", "returnurl", "return_url", "returnto", "return_to", "redirect", "redirect_uri", "redirect_url",
     "redirect_to", "redirectto", "continue", "dest", "destination", "goto", "service", "target", "back", "came_from",
     "origin", "success_url", "done", "wreply", "retpath"}
)  # fmt: skip
_LOGIN_SEGMENTS = re.compile(
    r"^(log[-_]?in|log[-_]?on|sign[-_]?in|signon|sso|auth|authenticate|authorize|oauth2?|cas|saml|session|sessions|"
    r"servicelogin|identifier|account|accounts|myaccount|my-account|user|users|member|members|subscribe|paywall|register)$",
    re.I,
)
_LOGIN_HOST = re.compile(r"^(login|logon|signin|auth|sso|accounts?|id|idp|myaccount|secure|passport)\.", re.I)
_CONSENT_HOST = re.compile(r"^(consent|guce|cmp)\.", re.I)  # consent.google.com, guce.yahoo.com
_CONSENT_PATH = re.compile(r"consent|cookie|gdpr|privacy[-_]?(choices|settings|gate)|collectconsent", re.I)


def redirect_wall(cited: str, final: str, shape: PageShape | None) -> Wall | None:
    """A login or consent page that a cited URL was redirected to (`shape`: the final page's,
    when it was HTML)."""
    try:
        before, after = urlsplit(cited), urlsplit(final)
    except ValueError:
        return None
    host = (after.hostname or "").lower()
    carries = _carries_back(after.query, cited)
    segments = [unquote(s) for s in after.path.split("/") if s]
    if _CONSENT_HOST.match(host) or (carries and any(_CONSENT_PATH.search(s) for s in segments)):
        return Wall(BlockReason.CONSENT, f"redirected to a consent page ({_short(final)}) before the content; the page may be alive")
    login_path = any(_LOGIN_SEGMENTS.match(s) for s in segments[:3])
    if (login_path and (carries or _LOGIN_HOST.match(host) or _looks_like_login(segments))) or (
        shape is not None and _sign_in_page(shape)
    ) or (carries and _LOGIN_HOST.match(host)):
        return Wall(BlockReason.LOGIN, f"redirected to a sign-in page ({_short(final)}); the page may be alive behind it")
    if carries and "continue" in {key.lower() for key, _ in parse_qsl(after.query)}:
        return Wall(BlockReason.CONSENT, f"redirected to an interstitial ({_short(final)}) that returns to the cited page; the page may be alive")
    if carries and before.hostname and registrable_domain(before.hostname) != registrable_domain(host):
        return Wall(BlockReason.LOGIN, f"redirected to {_short(final)}, which returns to the cited page afterwards (a sign-in or subscription wall)")
    return None


_SIGN_IN_WORDS = re.compile(
    r"\b(sign|log)[ -]?in\b|\blogin\b|\banmelden\b|\bconnexion\b|\bse connecter\b|iniciar sesi[oó]n|\baccedi\b|\binloggen\b|войти",
    re.I,
)


def _sign_in_page(shape: PageShape) -> bool:
    """A page with a password field that is about signing in (a forum page with a login
    box in its header is not)."""
    if not shape.password_field:
        return False
    if shape.words < SIGN_IN_WORDS or _SIGN_IN_WORDS.search(shape.title):
        return True
    # A sidebar "Log in" widget sits on every page of many sites: a heading counts on a short page only.
    return shape.words < INTERSTITIAL_WORDS and bool(_SIGN_IN_WORDS.search(shape.headings))


_CONSENT_WORDS = re.compile(
    r"before you continue|cookie (consent|settings|preferences|choices|notice)|(consent|agree) to (the use of )?cookies|"
    r"(manage|your) consent|consent (preferences|settings|management)|accept (all )?cookies|your privacy choices|"
    r"privacy (settings|preferences)|we value your privacy|bevor sie fortfahren|datenschutzeinstellungen|"
    r"avant de continuer|antes de continuar|prima di continuare|voordat je verdergaat",
    re.I,
)
#: A short page: only on one of these does a heading (not the title) say "consent wall".
_SHORT_PAGE_BYTES = 16 * 1024
_TITLE = re.compile(rb"<title[^>]*>([^<]{0,300})", re.I)
#: Every `_CONSENT_WORDS` match holds one of these: a page without any is no consent wall.
_CONSENT_KEYS = (
    b"consent", b"cookie", b"privacy", b"before you continue", b"fortfahren", b"datenschutzeinstellungen", b"continuer",
    b"continuar", b"continuare", b"verdergaat",
)  # fmt: skip


def _consent_hint(head: bytes, scanned: Scan) -> bool:
    """Whether a page may be a consent wall, without parsing it: its title says so, or it is
    short and names consent at all (every page links a privacy policy: that alone is no hint)."""
    if not scanned.has(_CONSENT_KEY_SET):
        return False
    title = _TITLE.search(head)
    if title is not None and _CONSENT_WORDS.search(title.group(1).decode("utf-8", "replace")):
        return True
    return len(head) < _SHORT_PAGE_BYTES and scanned.has(_CONSENT_KEY_SET)


def page_wall_in(body: bytes | None, content_type: str | None, url: str, scanned: Scan | None = None) -> Wall | None:
    """`page_wall` for a fetched body, unless the cited URL is itself a sign-in or consent
    page (a citation of `/login` is answered by a login page: that is the source)."""
    if not body or not is_html(content_type, body):
        return None
    head = body[:SCAN_LIMIT]
    scanned = scanned or scan(body)
    if _PASSWORD not in scanned.found and not _consent_hint(head, scanned):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    segments = [unquote(s) for s in parts.path.split("/") if s]
    if _looks_like_login(segments) or _CONSENT_HOST.match(parts.hostname or "") or any(_CONSENT_PATH.search(s) for s in segments):
        return None
    return page_wall(page_shape(body))


def page_wall(shape: PageShape) -> Wall | None:
    """A sign-in or consent page served in place of the content (the same page at every
    address: a soft-404 probe would match it)."""
    if _sign_in_page(shape):
        return Wall(BlockReason.LOGIN, "the site answers with a sign-in page; the page may be alive behind it")
    # The wall says so in its title; a heading only on a page with little else (a server-rendered
    # cookie banner's "We value your privacy" heading sits on top of real articles).
    if (shape.words < LANDER_WORDS and _CONSENT_WORDS.search(shape.title)) or (
        shape.words < INTERSTITIAL_WORDS and _CONSENT_WORDS.search(shape.headings)
    ):
        return Wall(BlockReason.CONSENT, "the site answers with a consent page before any content; the page may be alive")
    return None


def _looks_like_login(segments: list[str]) -> bool:
    return any(re.match(r"^(log[-_]?in|sign[-_]?in|log[-_]?on|servicelogin|sso|auth)$", s, re.I) for s in segments)


def _carries_back(query: str, cited: str) -> bool:
    """Whether a "come back" parameter holds the cited URL or its path."""
    parts = urlsplit(cited)
    path = parts.path.rstrip("/")
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key.lower() not in _RETURN_KEYS:
            continue
        value = unquote(value)
        if cited.split("#")[0] in value or (path and path in value) or (parts.hostname and parts.hostname in value):
            return True
    return False


def _short(url: str) -> str:
    return url if len(url) <= 120 else url[:117] + "..."


# ------------------------------------------------------------------ parked domains

_PARKING_HOSTS = re.compile(
    r"(^|\.)(sedoparking\.com|sedo\.com|parkingcrew\.net|bodis\.com|afternic\.com|hugedomains\.com|dan\.com|"
    r"above\.com|parklogic\.com|domainmarket\.com|undeveloped\.com|parked\.com|park\.io|brandbucket\.com|"
    r"buydomains\.com|uniregistry\.com|squadhelp\.com|atom\.com|domainnamesales\.com|epik\.com)$",
    re.I,
)
_PARKING_SCRIPTS = re.compile(
    rb"""(src|href|action)\s*=\s*["']?(https?:)?//([\w-]+\.)*(sedoparking\.com|parkingcrew\.net|bodis\.com|"""
    rb"""afternic\.com|hugedomains\.com|dan\.com|above\.com|parklogic\.com|domainmarket\.com|parked\.com|"""
    rb"""img\.sedoparking\.com)[/"' >]|window\.location\.href\s*=\s*["']/lander|/caf\.js|parking\.js|/parking-lander/""",
    re.I,
)
_PARKED_PHRASES = re.compile(
    r"(this|the) (domain|website|site|web ?site)( name)?( [\w.-]+)? (is|may be) for sale|domain (is )?for sale|"
    r"buy this domain|make an offer on this domain|this domain is parked|parked (for )?free,? courtesy of|"
    r"(this )?domain (name )?(has )?expired|domain (is )?pending renewal|expired domain|renew (this|your) domain|"
    r"this domain (name )?(was )?(recently )?registered (at|with|by)|domain parking|is a parked domain|"
    r"the domain owner (may|might) be|interested in this domain|inquire about this domain",
    re.I,
)


#: Lower-case bytes every parking marker above contains one of.
_PARKED_KEYS = (
    b"for sale", b"parked", b"parking", b"expired", b"sedo", b"bodis", b"afternic", b"hugedomains", b"dan.com",
    b"above.com", b"parklogic", b"domainmarket", b"/lander", b"caf.js", b"renew", b"registered", b"this domain", b"domain owner",
)  # fmt: skip


def _parked_by_redirect(cited: str, final: str, body: bytes | None, content_type: str | None) -> str | None:
    """A redirect to a marketplace, or to the `ww1.` host a parking service puts its lander on."""
    try:
        before, after = urlsplit(cited), urlsplit(final)
    except ValueError:
        return None
    host, cited_host = (after.hostname or "").lower(), (before.hostname or "").lower()
    if host != cited_host and _PARKING_HOSTS.search(host):
        return f"the domain now redirects to a domain marketplace or parking service ({host})"
    ww = re.match(r"^ww\d+\.(.+)$", host)
    same_path = before.path.rstrip("/") == after.path.rstrip("/")
    if ww and ww.group(1) == cited_host.removeprefix("www.") and same_path and cited_host != host:
        shape = page_shape(body) if body and is_html(content_type, body) else None
        if shape is None or shape.words < LANDER_WORDS:
            return f"redirected to {host}, the pattern of a parking service's lander"
    return None


def parked(
    cited: str, final: str, status: int | None, body: bytes | None, content_type: str | None, scanned: Scan | None = None
) -> str | None:
    """Why the cited site no longer belongs to its publisher (a parking or for-sale lander,
    a registrar's expired page), or None."""
    if final != cited:
        redirected = _parked_by_redirect(cited, final, body, content_type)
        if redirected is not None:
            return redirected
    if status is None or not 200 <= status < 300 or not body or not is_html(content_type, body):
        return None
    head = body[:SCAN_LIMIT]
    if not (scanned or scan(body)).has(_PARKED_KEY_SET):
        return None
    script = _PARKING_SCRIPTS.search(head)
    if script is None and _PARKED_PHRASES.search(head.decode("utf-8", "replace")) is None:
        return None  # the common case: no marker at all, no parse
    shape = page_shape(body)
    if shape.words >= LANDER_WORDS:
        return None  # an article that mentions domain sales, not a lander
    if script is not None:
        return "the page is a domain-parking lander (it loads a parking service's scripts)"
    # The lander says it in its title or heading; an article mentions it in passing.
    phrase = _PARKED_PHRASES.search(shape.title.lower()) or _PARKED_PHRASES.search(shape.headings)
    if phrase is None and shape.words < LANDER_TEXT_WORDS:
        phrase = _PARKED_PHRASES.search(shape.text)
    if phrase is not None:
        return f"the page is a parking or for-sale lander (\u201c{phrase.group(0)}\u201d)"
    return None


# ------------------------------------------------------------------ script-built pages


def script_built(body: bytes | None, content_type: str | None) -> PageShape | None:
    """The page's shape when its content is built by scripts (an app shell), else None."""
    if not body or not is_html(content_type, body):
        return None
    head = body[:SCAN_LIMIT]
    if b"<script" not in head.lower():
        return None
    shape = page_shape(body)
    if shape.words >= INTERSTITIAL_WORDS:
        return None
    if shape.empty_mount or shape.asks_for_script or (shape.words < NEARLY_EMPTY_WORDS and shape.scripts >= 1):
        return shape
    return None


def may_show_nothing(body: bytes | None) -> bool:
    """Cheap: could this body be an app shell without a title or a word of its own? (A page
    with a titled head, or a long one, cannot.) Spares the parse on nearly every page."""
    if not body or len(body) > _SHORT_PAGE_BYTES:
        return False
    lowered = body.lower()
    if b"<script" not in lowered:
        return False
    title = _TITLE.search(body)
    return title is None or not title.group(1).strip()


_META_REFRESH = re.compile(
    rb"""<meta[^>]+http-equiv\s*=\s*["']?refresh["']?[^>]*content\s*=\s*["']?\s*(\d+)\s*[;,]\s*(?:url\s*=\s*)?["']?([^"'>\s]+)""",
    re.I,
)
#: A refresh within this many seconds is a redirect in all but name (a longer one is a notice).
META_REFRESH_SECONDS = 5


def meta_refresh(body: bytes | None, base: str) -> str | None:
    """Where a page sends its reader at once with `<meta http-equiv="refresh">`, absolute."""
    if not body:
        return None
    head = body[:SCAN_LIMIT]
    lowered = head.lower()
    if b"http-equiv" not in lowered or b"refresh" not in lowered:
        return None
    match = _META_REFRESH.search(head)
    if match is None or int(match.group(1)) > META_REFRESH_SECONDS:
        return None
    from urllib.parse import urljoin

    target = urljoin(base, match.group(2).decode("ascii", "replace").strip())
    return target if target.split("#")[0] != base.split("#")[0] else None


def shows_nothing(shape: PageShape) -> bool:
    """An app shell without a title or a word of its own: nothing can be said of it."""
    return not shape.title and shape.words == 0


# ------------------------------------------------------------------ legal and quota


def blocked_by(headers: Mapping[str, str] | None) -> str | None:
    """The `Link: <…>; rel="blocked-by"` target of a 451 answer (RFC 7725), if given."""
    value = (headers or {}).get("link", "")
    for part in value.split(","):
        match = re.match(r'\s*<([^>]*)>\s*;(.*)$', part)
        if match and re.search(r'rel\s*=\s*"?[^";]*\bblocked-by\b', match.group(2), re.I):
            return match.group(1).strip()
    return None


_WALL_KEY_SET = frozenset(_WALL_KEYS)
_SUCCESS_WALL_KEY_SET = frozenset(_SUCCESS_WALL_KEYS)
_PARKED_KEY_SET = frozenset(_PARKED_KEYS)
_CONSENT_KEY_SET = frozenset(_CONSENT_KEYS)
