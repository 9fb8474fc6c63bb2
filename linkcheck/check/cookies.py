"""Cookies within one run: what a site sets, it gets back, as a browser would send it.

Some sites answer a client without their cookie with a redirect to the same page that
sets it (a consent or load-balancer cookie), and a client that drops cookies sees a
redirect loop where a reader sees the page. The jar is the standard library's
`http.cookiejar`, whose rules are RFC 6265's (domain and path matching, `Secure`,
expiry), so a cookie goes only to the hosts it was set for; it lives for one run and
is never written anywhere: reports, logs and the archive never see it.
"""

from __future__ import annotations

import email.message
import http.cookiejar
import urllib.request
from collections.abc import Mapping


class RunCookies:
    """One run's jar. `version` grows whenever a response sets a cookie."""

    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.version = 0

    def header_for(self, url: str) -> str | None:
        """The `Cookie` header for a request to `url`, or None (the common case costs nothing)."""
        if not self.version:
            return None
        request = urllib.request.Request(url)
        self.jar.add_cookie_header(request)
        return request.get_header("Cookie")

    def remember(self, url: str, headers: Mapping[str, str]) -> None:
        """Keep the cookies a response to `url` sets."""
        values = _all_values(headers, "set-cookie")
        if not values:
            return
        message = email.message.Message()
        for value in values:
            message["Set-Cookie"] = value
        self.jar.extract_cookies(_Response(message), urllib.request.Request(url))  # type: ignore[arg-type]
        self.version += 1


class _Response:
    """What `CookieJar.extract_cookies` reads of a response: its headers."""

    def __init__(self, message: email.message.Message) -> None:
        self.message = message

    def info(self) -> email.message.Message:
        return self.message


def _all_values(headers: Mapping[str, str], name: str) -> list[str]:
    """Every value of a repeated header, from httpx's `Headers` or aiohttp's multidict."""
    if name not in headers:
        return []
    for method in ("get_list", "getall"):
        getter = getattr(headers, method, None)
        if getter is not None:
            return list(getter(name))
    value = headers.get(name)
    return [value] if value else []
