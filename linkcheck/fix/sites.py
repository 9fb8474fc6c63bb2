"""Is a redirect's target on the same site as the URL cited?

"Same site" means the same registrable domain (`docs.python.org` and `www.python.org`
are both `python.org`), the same port, and the same scheme or an http -> https upgrade
(a downgrade to http is never "the same site"). Without the Public Suffix List (no
dependency for it), the registrable domain is the last two labels, or three under the
second-level suffixes countries use (`co.uk`, `ac.jp`, `com.au` …) and under the hosting
suffixes where every subdomain belongs to someone else (`github.io`, `readthedocs.io` …).
IP addresses must match exactly.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

#: Second-level labels that countries register under (`example.co.uk`).
_SECOND_LEVEL = frozenset({"ac", "co", "com", "edu", "gov", "govt", "net", "org", "mil", "nic", "ne", "or", "go", "gob", "nhs", "sch", "ltd", "plc"})
#: Suffixes under which each subdomain is a different owner (from the PSL's private section).
_HOSTING = frozenset(
    {
        "github.io", "gitlab.io", "readthedocs.io", "netlify.app", "pages.dev", "vercel.app",
        "herokuapp.com", "blogspot.com", "wordpress.com", "substack.com", "medium.com",
        "appspot.com", "azurewebsites.net", "cloudfront.net", "s3.amazonaws.com", "web.app",
        "firebaseapp.com", "neocities.org", "glitch.me", "surge.sh", "bitbucket.io", "codeberg.page",
    }
)


def same_site(cited: str, final: str) -> bool:
    """Whether following the redirect from `cited` to `final` keeps the citation on its site."""
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


def registrable_domain(host: str) -> str:
    """`docs.python.org` -> `python.org`, `www.bbc.co.uk` -> `bbc.co.uk` (see the module notes)."""
    host = host.lower().rstrip(".")
    try:
        ipaddress.ip_address(host.strip("[]"))
        return host
    except ValueError:
        pass
    labels = host.split(".")
    if host.startswith("www."):
        labels = labels[1:]
    keep = 2
    if len(labels) >= 4 and ".".join(labels[-3:]) in _HOSTING:
        keep = 4
    elif len(labels) >= 3 and (".".join(labels[-2:]) in _HOSTING or (len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL)):
        keep = 3
    return ".".join(labels[-keep:])
