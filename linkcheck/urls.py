"""From a target as written to the URL we check: normalization and classification.

`normalize` gives every spelling of the same resource one canonical form, so links
deduplicate and reports name one URL: scheme and host lowercased, international hosts
in IDNA (UTS #46), default ports dropped, `/` for an empty http(s) path, percent-encoding
made uniform (uppercase hex, unreserved characters decoded, what must be encoded encoded,
never `%2F` and other reserved escapes decoded), dot segments removed. The path and query
are encoded the way httpx encodes them, so the URL we report is the URL we request.

Two choices worth knowing:
- a scheme-less `www.example.org/x` (as people write it in prose) means
  `https://www.example.org/x`, and so does a scheme-relative `//example.org/x` when
  there is no base to take the scheme from: the web is https now;
- ASCII hosts may contain only letters, digits, `-`, `_` and `.` (DNS names and IPv4),
  so a typo such as `example.com,foo` is reported as invalid rather than as dead.
"""

from __future__ import annotations

import ipaddress
import re
import string
from typing import Literal
from urllib.parse import SplitResult, quote, urljoin, urlsplit

import idna

Kind = Literal["http", "local", "unsupported"]

#: The scheme given to scheme-less `www.` targets and to `//host` without a base.
DEFAULT_SCHEME = "https"
_DEFAULT_PORTS = {"http": 80, "https": 443}
_HTTP = frozenset({"http", "https"})

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")  # RFC 3986 section 3.1
_WWW = re.compile(r"www\.", re.IGNORECASE)
_HOST_CHARS = re.compile(r"[a-z0-9_.\-]+")
_HOST_LABELS = re.compile(r"[^.]+(?:\.[^.]+)*\.?")  # no empty label, one trailing dot allowed
_LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_UNRESERVED = frozenset(string.ascii_letters + string.digits + "-._~")

# Characters left as they are (besides letters, digits and `_.-~`); httpx's choices.
_SUB_DELIMS = "!$&'()*+,;="
_USERINFO_SAFE = _SUB_DELIMS + ":%"
_PATH_SAFE = _SUB_DELIMS + ":/[]@%"
_QUERY_SAFE = _SUB_DELIMS + ":/?[]@%"
_FRAGMENT_SAFE = string.punctuation  # only spaces, controls and non-ASCII get encoded


class InvalidURL(ValueError):
    """A target that cannot be made into a URL; the message is a short human reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


#: An http(s) URL already in canonical form: lowercase host of valid labels, no port, no
#: userinfo, no escapes, only characters that never need encoding, a path. Most citations
#: are; for them the full normalization below would return the URL unchanged.
_CANONICAL = re.compile(
    r"(https?)://[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)*(?::([1-9][0-9]{0,4}))?"
    r"/[A-Za-z0-9\-._~!$&'()*+,;=:@/]*(?:\?[A-Za-z0-9\-._~!$&'()*+,;=:@/?]+)?(?:#[A-Za-z0-9\-._~!$&'()*+,;=:@/?]+)?"
)
_DOT_SEGMENT = re.compile(r"/\.\.?(?:/|$|[?#])")


def normalize(target: str, base: str | None = None) -> str:
    """The canonical form of `target`, resolved against `base` if it is relative.

    Raises InvalidURL for an empty target, a relative one without a base, a missing or
    malformed host, a bad port or an IDNA failure. Idempotent: normalize(normalize(x)) ==
    normalize(x).
    """
    if is_canonical(target):
        return target  # the fast path (tests compare it with the full path on real citations)
    url = target.strip()
    if not url:
        raise InvalidURL("empty URL")
    if _WWW.match(url):
        url = f"{DEFAULT_SCHEME}://{url}"
    if not url.isascii() and not _is_text(url):
        raise InvalidURL("contains a lone surrogate, not text")
    if not _SCHEME.match(url):
        if base is not None:
            url = _join(base, url)
        elif url.startswith("//") and not url.startswith("///"):
            url = f"{DEFAULT_SCHEME}:{url}"
        else:
            raise InvalidURL("relative URL with no base")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise InvalidURL(_reason(exc)) from None
    scheme = parts.scheme.lower()
    if not url[len(scheme) + 1 :].startswith("//"):
        if scheme in _HTTP:
            raise InvalidURL(f"missing host after {scheme}:")
        return f"{scheme}:{url[len(scheme) + 1 :]}"  # mailto:, tel:, data: … stay as written
    netloc = _netloc(scheme, parts, port)
    path = _remove_dot_segments(_percent(parts.path, _PATH_SAFE))
    if not path and scheme in _HTTP:
        path = "/"
    result = f"{scheme}://{netloc}{path}"
    if parts.query:
        result += "?" + _percent(parts.query, _QUERY_SAFE)
    if parts.fragment:
        result += "#" + quote(parts.fragment, safe=_FRAGMENT_SAFE)
    return result


def is_canonical(target: str) -> bool:
    """Whether `target` is an absolute http(s) URL that `normalize` returns unchanged."""
    match = _CANONICAL.fullmatch(target)
    if match is None or _DOT_SEGMENT.search(target):
        return False
    port = match.group(2)
    return port is None or (int(port) <= 65535 and int(port) != _DEFAULT_PORTS[match.group(1)])


def scheme_of(url: str) -> str:
    """The lowercased scheme of `url` ('' if it has none; `www.` targets are https)."""
    text = url.strip()
    if _WWW.match(text):
        return DEFAULT_SCHEME
    match = _SCHEME.match(text)
    return match.group()[:-1].lower() if match else ""


def is_http(url: str) -> bool:
    """Whether `url` is checked over HTTP(S) (including scheme-less `www.` targets)."""
    return scheme_of(url) in _HTTP


def classify_target(target: str) -> Kind:
    """'http' for web URLs, 'local' for relative paths and #anchors, else 'unsupported'.

    A one-letter scheme is a Windows drive (`C:\\docs\\x.md`), so it is local.
    """
    text = target.strip()
    scheme = scheme_of(text)
    if scheme in _HTTP or (not scheme and text.startswith("//")):
        return "http"
    if len(scheme) <= 1:
        return "local"
    return "unsupported"


def _is_text(url: str) -> bool:
    try:
        url.encode()
    except UnicodeEncodeError:
        return False
    return True


def _join(base: str, url: str) -> str:
    try:
        absolute = normalize(base)
    except InvalidURL as exc:
        raise InvalidURL(f"bad base URL {base!r}: {exc.reason}") from None
    try:
        return urljoin(absolute, url)
    except ValueError as exc:
        raise InvalidURL(_reason(exc)) from None


def _netloc(scheme: str, parts: SplitResult, port: int | None) -> str:
    userinfo, at, _ = parts.netloc.rpartition("@")
    host = _host(parts)
    if not host and scheme in _HTTP:
        raise InvalidURL("missing host")
    netloc = f"{_percent(userinfo, _USERINFO_SAFE)}@" if at else ""
    netloc += host
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        netloc += f":{port}"
    return netloc


def _host(parts: SplitResult) -> str:
    """The host in canonical form: IPv6 compressed in brackets, names lowercased or IDNA."""
    host = parts.hostname or ""
    if "[" in parts.netloc:
        try:
            return f"[{ipaddress.IPv6Address(host).compressed}]"
        except ValueError:
            raise InvalidURL(f"invalid IPv6 address {host!r}") from None
    if host.isascii():
        if host and not _HOST_CHARS.fullmatch(host):
            raise InvalidURL(f"host {host!r} has illegal characters")
        if host and not _HOST_LABELS.fullmatch(host):
            raise InvalidURL(f"host {host!r} has an empty label")
        return host
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError) as exc:
        raise InvalidURL(f"host {host!r} is not a valid international domain name ({exc})") from None


def _percent(text: str, safe: str) -> str:
    """Encode what must be encoded, uppercase escapes, decode escaped unreserved characters."""
    text = quote(_LONE_PERCENT.sub("%25", text), safe=safe)
    return _ESCAPE.sub(_fix_escape, text)


def _fix_escape(match: re.Match[str]) -> str:
    char = chr(int(match.group()[1:], 16))
    return char if char in _UNRESERVED else match.group().upper()


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4 for an absolute path (urllib does it only inside urljoin)."""
    if not path.startswith("/") or "." not in path:
        return path
    segments = path.split("/")
    resolved: list[str] = []
    for segment in segments[1:]:
        if segment == "..":
            if resolved:
                resolved.pop()
        elif segment != ".":
            resolved.append(segment)
    if segments[-1] in (".", ".."):
        resolved.append("")
    return "/" + "/".join(resolved)


def _reason(exc: ValueError) -> str:
    """A short reason from urllib's message (it raises ValueError for several problems)."""
    message = str(exc)
    if "port" in message.lower():
        return f"bad port ({message})"
    if "IPv4" in message or "IPv6" in message:
        return f"invalid IP address in host ({message})"
    return message
