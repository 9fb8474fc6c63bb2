"""The one shared HTTP client, built from the settings (the seam tests replace)."""

from __future__ import annotations

import os
import ssl

from typing import Any

import httpx

from linkcheck.check.guard import AddressPolicy, GuardedTransport
from linkcheck.config import Settings
from linkcheck.errors import ConfigError


_PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")


def address_policy(settings: Settings) -> AddressPolicy:
    return AddressPolicy(allow_private=settings.network.allow_private, allow=tuple(settings.network.allow))


def uses_proxy(settings: Settings) -> bool:
    return bool(settings.network.proxy) or any(os.environ.get(name) for name in _PROXY_VARIABLES)


def make_client(settings: Settings) -> httpx.AsyncClient:
    """A pooled client that never follows redirects itself (the engine does, hop by hop).

    Without a proxy, connections go through the SSRF guard (`guard.GuardedTransport`).
    With one (`network.proxy`, or HTTPS_PROXY/HTTP_PROXY/ALL_PROXY with NO_PROXY honoured),
    httpx's own transports are used and the fetcher checks each host before sending.
    SSL_CERT_FILE/SSL_CERT_DIR are honoured unless `network.ca_bundle` names a bundle.
    """
    check = settings.check
    network = settings.network
    context = ssl_context(network.ca_bundle)
    limits = httpx.Limits(max_connections=check.max_concurrency, max_keepalive_connections=check.max_concurrency)
    options: dict[str, Any] = {
        "follow_redirects": False,
        "timeout": httpx.Timeout(connect=check.connect_timeout, read=check.read_timeout, write=check.read_timeout, pool=None),
        "headers": {"User-Agent": check.user_agent, "Accept": "*/*"},
    }
    if uses_proxy(settings):
        return httpx.AsyncClient(trust_env=True, verify=context, proxy=network.proxy or None, limits=limits, **options)
    return httpx.AsyncClient(transport=GuardedTransport(address_policy(settings), context, limits), trust_env=False, **options)


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
