"""The site of a host: its registrable domain on the Public Suffix List.

One notion of "the site" for per-site politeness (`check/spread`), soft-404 probing
(`rot/soft404`) and `fix --cross-site`, so the three draw the boundary in the same place.
The list is the copy bundled with `publicsuffixlist` (nothing is downloaded), private
section included: `alice.github.io` and `bob.github.io` are two sites, as the list's
hosting suffixes mean them to be. The answer is lowercase ASCII (IDNA A-labels, the form
`urls.normalize` writes), so a Unicode host and its `xn--` form have one site.
"""

from __future__ import annotations

import functools
import ipaddress
from urllib.parse import urlsplit

from publicsuffixlist import PublicSuffixList

from linkcheck.urls import InvalidURL, normalize


def registrable_domain(host: str) -> str:
    """`news.bbc.co.uk` -> `bbc.co.uk`, `alice.github.io` -> itself.

    An IP address is its own site (in canonical form, without brackets, so `[::1]` and
    `::1` agree); a host that is itself a public suffix (`co.uk`, `github.io`) or a single
    label (`localhost`) has no larger site than itself.
    """
    return _registrable(host.strip().rstrip(".").lower())


@functools.lru_cache(maxsize=65536)
def _registrable(host: str) -> str:
    """Cached: spread asks for every URL's site, and hosts repeat."""
    address = _address(host)
    if address is not None:
        return address
    name = _ascii(host)
    return _suffix_list().privatesuffix(name) or name


def same_site(cited: str, final: str) -> bool:
    """Whether following the redirect from `cited` to `final` keeps the citation on its site:
    the same registrable domain and port, and the same scheme or an http -> https upgrade
    (a downgrade is never the same site)."""
    try:
        a, b = urlsplit(cited), urlsplit(final)
        ports = (a.port, b.port)
    except ValueError:
        return False
    scheme_ok = a.scheme == b.scheme or (a.scheme == "http" and b.scheme == "https")
    if not scheme_ok or not a.hostname or not b.hostname:
        return False
    if ports[0] != ports[1]:  # normalized URLs carry no default port
        return False
    return registrable_domain(a.hostname) == registrable_domain(b.hostname)


def _address(host: str) -> str | None:
    """The canonical text of an IP address host, or None for a name."""
    try:
        return ipaddress.ip_address(host.removeprefix("[").removesuffix("]")).compressed
    except ValueError:
        return None


def _ascii(host: str) -> str:
    """The A-label form, through `urls.normalize` so IDNA is done one way (UTS #46)."""
    if host.isascii():
        return host
    try:
        return urlsplit(normalize(f"http://{host}/")).hostname or host
    except InvalidURL:
        return host  # not a valid IDN: the list still answers for its ASCII labels


@functools.cache
def _suffix_list() -> PublicSuffixList:
    """Parsed once, on first use (about 50 ms), not at import."""
    return PublicSuffixList()
