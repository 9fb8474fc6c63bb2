"""The one HTTP client of a run, built from the check options: `aio.AiohttpTransport`.

One pool for the run, the SSRF guard as its resolver, the head and connection limits,
the timeouts, and proxies (`network.proxy`, or HTTPS_PROXY/HTTP_PROXY/ALL_PROXY with
NO_PROXY honoured; through a proxy the engine checks each host before sending). Every
caller reaches it through `transport.Transport.open`; tests and library users may hand
in their own `httpx.AsyncClient` instead (`transport.as_transport`).
"""

from __future__ import annotations

import os
import ssl

import httpx

from linkcheck.check.guard import AddressPolicy
from linkcheck.check.options import CheckConfig
from linkcheck.check.transport import Transport
from linkcheck.errors import ConfigError

_PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")


def address_policy(settings: CheckConfig) -> AddressPolicy:
    return AddressPolicy(allow_private=settings.network.allow_private, allow=tuple(settings.network.allow))


def uses_proxy(settings: CheckConfig) -> bool:
    return bool(settings.network.proxy) or any(os.environ.get(name) for name in _PROXY_VARIABLES)


def make_client(settings: CheckConfig) -> Transport:
    """The run's transport; it never follows redirects (the engine does, hop by hop).

    SSL_CERT_FILE/SSL_CERT_DIR are honoured unless `network.ca_bundle` names a bundle.
    Raises ConfigError for a proxy that is not http:// or https://.
    """
    from linkcheck.check.aio import AiohttpTransport, Proxies, SessionOptions  # aiohttp is imported when a run starts

    check = settings.check
    proxies = Proxies.configured(settings.network.proxy)
    unsupported = proxies.unsupported()
    if unsupported is not None:
        named = (name for name in _PROXY_VARIABLES if os.environ.get(name) == unsupported)
        source = "network.proxy" if settings.network.proxy else next(named, "the proxy environment")
        raise ConfigError(f"{source}: {unsupported!r} is not an http:// or https:// proxy (SOCKS proxies are not supported)")
    return AiohttpTransport(
        SessionOptions(
            policy=address_policy(settings),
            ssl_context=ssl_context(settings.network.ca_bundle),
            connect_timeout=check.connect_timeout,
            read_timeout=check.read_timeout,
            max_connections=check.max_concurrency,
            user_agent=check.user_agent,
            proxies=proxies,
        )
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
