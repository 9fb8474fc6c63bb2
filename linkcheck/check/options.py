"""What checking can be told: the `[check]` and `[network]` settings, their defaults, and
the shape of the configuration the engine reads.

The checking stage owns these; `linkcheck.config` composes them into `Settings` (with
config.toml, the environment and the flags) and the engine never imports it: it takes
anything shaped like `CheckConfig`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from linkcheck._version import __version__
from linkcheck.fields import setting

DEFAULT_MAX_CONCURRENCY = 64
DEFAULT_HOST_CONCURRENCY = 4
DEFAULT_HOST_INTERVAL = 0.0
DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_READ_TIMEOUT = 20.0
DEFAULT_URL_TIMEOUT = 120.0
DEFAULT_RETRIES = 2
DEFAULT_BACKOFF_BASE = 1.0
DEFAULT_BACKOFF_MAX = 30.0
DEFAULT_RETRY_AFTER_MAX = 60.0
DEFAULT_MAX_REDIRECTS = 10
DEFAULT_GET_BODY_LIMIT = 256 * 1024
DEFAULT_ANCHOR_BODY_LIMIT = 8 * 1024 * 1024
DEFAULT_MAX_HEADERS = 256
DEFAULT_MAX_DECOMPRESSION_RATIO = 100.0
DEFAULT_ACCEPT = ["200-299"]
DEFAULT_USER_AGENT = f"Mozilla/5.0 (compatible; linkcheck/{__version__}; +https://pypi.org/project/linkcheck/)"
DEFAULT_PROBE_URLS = ["https://example.com/", "https://www.wikipedia.org/"]
DEFAULT_ALLOW_PRIVATE = False


@dataclass
class CheckSettings:
    max_concurrency: int = setting(DEFAULT_MAX_CONCURRENCY, "int+", "requests in flight at once, all hosts")
    host_concurrency: int = setting(DEFAULT_HOST_CONCURRENCY, "int+", "requests in flight at once to one host")
    host_interval: float = setting(DEFAULT_HOST_INTERVAL, "duration", "minimum time between requests to one host")
    connect_timeout: float = setting(DEFAULT_CONNECT_TIMEOUT, "duration", "time to open a connection")
    read_timeout: float = setting(DEFAULT_READ_TIMEOUT, "duration", "time to wait for each read")
    url_timeout: float = setting(DEFAULT_URL_TIMEOUT, "duration", "time for one URL, all hops and retries")
    retries: int = setting(DEFAULT_RETRIES, "int0", "retries of a transient failure (timeouts, resets, 429, 502-504)")
    backoff_base: float = setting(DEFAULT_BACKOFF_BASE, "duration", "first retry wait; doubles each time, with jitter")
    backoff_max: float = setting(DEFAULT_BACKOFF_MAX, "duration", "longest wait between retries")
    retry_after_max: float = setting(DEFAULT_RETRY_AFTER_MAX, "duration", "longest Retry-After we honour")
    max_redirects: int = setting(DEFAULT_MAX_REDIRECTS, "int0", "redirect hops before giving up")
    get_body_limit: int = setting(DEFAULT_GET_BODY_LIMIT, "int0", "bytes of a GET body read while checking")
    max_headers: int = setting(DEFAULT_MAX_HEADERS, "int+", "response headers accepted; more is an error (header flood)")
    max_decompression_ratio: float = setting(DEFAULT_MAX_DECOMPRESSION_RATIO, "ratio", "largest inflation of a gzip/deflate body past 1 MiB; more is an error (compression bomb)")
    max_urls: int = setting(0, "int0", "unique URLs checked in one run at most; the rest are excluded (0: no limit)")
    fragments: bool = setting(True, "bool", "check that a cited #anchor exists in the fetched HTML page")
    respect_robots: bool = setting(False, "bool", "skip URLs the site's robots.txt disallows for our User-Agent (off: a citation is not a crawl)")
    anchor_body_limit: int = setting(DEFAULT_ANCHOR_BODY_LIMIT, "int0", "bytes of an HTML page read to look for #anchors")
    accept: list[str] = setting(DEFAULT_ACCEPT, "status_ranges", "HTTP codes that count as alive, e.g. [\"200-299\", \"429\"]")
    user_agent: str = setting(DEFAULT_USER_AGENT, "str", "User-Agent header")
    headers: list[str] = setting([], "list[header]", "headers sent to every host, \"Name: value\" (secrets belong in [hosts.\"NAME\"].headers, sent to that host only)")
    method: str = setting("head", "method", "first request method: head (GET fallback) or get")
    github_token: str = setting("", "str", "token for GitHub's API: github.com repositories, files and issues are then checked through it (empty: the GITHUB_TOKEN environment variable, if set)")
    github_api: str = setting("https://api.github.com", "str", "GitHub's API (a GitHub Enterprise server's /api/v3)")
    workers: int = setting(0, "int0", "worker processes that check on this machine, for a run of at least 2,000 URLs (0: one per core but one, so none below three cores: the run's own process checks)")
    ray: str = setting("", "str", "check on a Ray cluster (linkcheck[distributed]): local (a throwaway cluster on this machine for the run), auto (the cluster this machine is in), ray://HOST:PORT or HOST:PORT (join one); empty: this machine only")


@dataclass
class NetworkSettings:
    proxy: str = setting("", "str", "proxy URL; empty uses HTTPS_PROXY/HTTP_PROXY/NO_PROXY")
    ca_bundle: str = setting("", "str", "CA bundle file; empty uses SSL_CERT_FILE or the system store")
    allow_private: bool = setting(DEFAULT_ALLOW_PRIVATE, "bool", "allow requests to loopback, private, link-local and reserved addresses (intranet documentation)")
    allow: list[str] = setting([], "list[str]", "hosts or networks (CIDR) allowed even when private, e.g. [\"wiki.corp\", \"10.1.0.0/16\"]")
    probe_urls: list[str] = setting(DEFAULT_PROBE_URLS, "list[str]", "reached when every citation failed, to tell an outage from dead links; empty disables")

def parse_status_range(text: str) -> range:
    """`"200-299"` or `"429"` as a range of HTTP status codes."""
    match = re.fullmatch(r"\s*(\d{3})\s*(?:(?:-|\.\.=?)\s*(\d{3}))?\s*", str(text))
    if not match:
        raise ValueError(f"{text!r} is not an HTTP status or range such as 200-299")
    low = int(match.group(1))
    high = int(match.group(2) or low)
    if not 100 <= low <= high <= 599:
        raise ValueError(f"{text!r} is not a range of HTTP statuses (100-599)")
    return range(low, high + 1)



class CheckConfig(Protocol):
    """What the engine, its client and its workers read of the settings."""

    check: CheckSettings
    network: NetworkSettings

    def host_limits(self, hostname: str) -> tuple[int, float]:
        """(concurrency, interval) for one host."""
        ...

    def host_headers(self, hostname: str) -> dict[str, str]:
        """Headers for exactly this host (expanded), never sent elsewhere."""
        ...
