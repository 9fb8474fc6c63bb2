"""The one shared HTTP client, built from the settings (the seam tests replace).

Callers see an `httpx.AsyncClient` whatever carries the requests:

- by default, aiohttp (`transport.AiohttpTransport`): one pool for the run, the SSRF
  guard as its resolver, and the fetcher's hot path straight on its session
  (`send.AiohttpSender`); see `aio` for why;
- through a proxy (`network.proxy`, or HTTPS_PROXY/HTTP_PROXY/ALL_PROXY with NO_PROXY
  honoured), httpx's own transports, and the fetcher checks each host before sending;
- `backend="httpx"` (or aiohttp missing) keeps httpx+httpcore with the guard as its
  network layer (`guard.GuardedTransport`), as before aiohttp.

Tests that mock with respx hand the engine a plain `httpx.AsyncClient` instead.
"""

from __future__ import annotations

import http.cookiejar
import os
import ssl
from typing import Any, Literal

import httpx

from linkcheck.check.guard import AddressPolicy, GuardedTransport
from linkcheck.check.options import CheckConfig
from linkcheck.errors import ConfigError

_PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")

Backend = Literal["auto", "aiohttp", "httpx"]


class CheckClient(httpx.AsyncClient):
    """httpx's client, plus the aiohttp transport it runs on (the fetcher's fast path), if any."""

    direct_transport: httpx.AsyncBaseTransport | None = None


class NoCookies(http.cookiejar.CookieJar):
    """A jar that keeps nothing: no cookie is carried from one request to the next.

    A checker's verdict on a URL must not depend on which URLs were checked before it
    (nor leak one page's session to another), and parsing every Set-Cookie costs CPU.
    """

    def set_cookie(self, cookie: http.cookiejar.Cookie) -> None:
        return None

    def extract_cookies(self, response: Any, request: Any) -> None:
        return None


def address_policy(settings: CheckConfig) -> AddressPolicy:
    return AddressPolicy(allow_private=settings.network.allow_private, allow=tuple(settings.network.allow))


def uses_proxy(settings: CheckConfig) -> bool:
    return bool(settings.network.proxy) or any(os.environ.get(name) for name in _PROXY_VARIABLES)


def make_client(settings: CheckConfig, backend: Backend = "auto") -> httpx.AsyncClient:
    """A pooled client that never follows redirects itself (the engine does, hop by hop).

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
        "cookies": NoCookies(),
    }
    if uses_proxy(settings):
        return CheckClient(trust_env=True, verify=context, proxy=network.proxy or None, limits=limits, **options)
    if backend != "httpx" and _aiohttp_available():
        from linkcheck.check.aio import ACCEPT_ENCODING, SessionOptions
        from linkcheck.check.transport import AiohttpTransport

        transport = AiohttpTransport(
            SessionOptions(
                policy=address_policy(settings),
                ssl_context=context,
                connect_timeout=check.connect_timeout,
                read_timeout=check.read_timeout,
                max_connections=check.max_concurrency,
            )
        )
        # httpx would offer br/zstd when their packages happen to be installed; we decode gzip/deflate only.
        options["headers"]["Accept-Encoding"] = ACCEPT_ENCODING
        client = CheckClient(transport=transport, trust_env=False, **options)
        client.direct_transport = transport
        return client
    return CheckClient(transport=GuardedTransport(address_policy(settings), context, limits), trust_env=False, **options)


def _aiohttp_available() -> bool:
    try:
        import aiohttp  # noqa: F401
    except ImportError:
        return False
    return True


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
