"""Telling "every citation is dead" from "this machine is offline"."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import httpx

from linkcheck.check.engine import is_reserved_invalid

PROBE_TIMEOUT = 5.0


async def network_available(client: httpx.AsyncClient, probe_urls: Sequence[str], timeout: float = PROBE_TIMEOUT) -> bool:
    """True if any probe URL answers with any HTTP response at all."""
    for url in probe_urls:
        if is_reserved_invalid(url):
            continue
        try:
            async with asyncio.timeout(timeout):
                response = await client.head(url, follow_redirects=False)
                await response.aclose()
            return True
        except (httpx.HTTPError, TimeoutError, ValueError):
            continue
    return False
