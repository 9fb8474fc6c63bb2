"""The one shared HTTP client, built from the settings (the seam tests replace)."""

from __future__ import annotations

import os
import ssl

import httpx

from linkcheck.config import Settings
from linkcheck.errors import ConfigError


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
        verify=ssl_context(network.ca_bundle),
        proxy=network.proxy or None,
        timeout=httpx.Timeout(connect=check.connect_timeout, read=check.read_timeout, write=check.read_timeout, pool=None),
        limits=httpx.Limits(max_connections=check.max_concurrency, max_keepalive_connections=check.max_concurrency),
        headers={"User-Agent": check.user_agent, "Accept": "*/*"},
    )


def ssl_context(ca_bundle: str = "") -> ssl.SSLContext:
    """One TLS context for the whole run (building one costs milliseconds of CPU).

    An explicit bundle wins; else SSL_CERT_FILE / SSL_CERT_DIR; else httpx's default store.
    """
    cafile = ca_bundle or os.environ.get("SSL_CERT_FILE") or None
    capath = None if ca_bundle else os.environ.get("SSL_CERT_DIR") or None
    if cafile is None and capath is None:
        return httpx.create_ssl_context()
    try:
        return ssl.create_default_context(cafile=cafile, capath=capath)
    except (OSError, ssl.SSLError) as exc:
        source = "network.ca_bundle" if ca_bundle else "SSL_CERT_FILE/SSL_CERT_DIR"
        raise ConfigError(f"{source}: cannot load CA bundle {cafile or capath}: {exc}") from None
