"""The one shared HTTP client, built from the settings (the seam tests replace)."""

from __future__ import annotations

import httpx

from linkcheck.config import Settings


def make_client(settings: Settings) -> httpx.AsyncClient:
    """A pooled client that never follows redirects itself (the engine does, hop by hop).

    `trust_env` keeps the standard variables working: HTTPS_PROXY/HTTP_PROXY/NO_PROXY and
    SSL_CERT_FILE/SSL_CERT_DIR, unless the settings name a proxy or CA bundle explicitly.
    """
    check = settings.check
    network = settings.network
    return httpx.AsyncClient(
        follow_redirects=False,
        trust_env=True,
        verify=network.ca_bundle or True,
        proxy=network.proxy or None,
        timeout=httpx.Timeout(connect=check.connect_timeout, read=check.read_timeout, write=check.read_timeout, pool=None),
        limits=httpx.Limits(max_connections=check.max_concurrency, max_keepalive_connections=check.max_concurrency),
        headers={"User-Agent": check.user_agent, "Accept": "*/*"},
    )
