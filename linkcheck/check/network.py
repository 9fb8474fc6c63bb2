"""Telling "every citation is dead" from "this machine is offline"."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import httpx

from linkcheck.check.engine import is_reserved_invalid
from linkcheck.check.transport import Client, as_transport

PROBE_TIMEOUT = 5.0


async def network_available(client: Client, probe_urls: Sequence[str], timeout: float = PROBE_TIMEOUT) -> bool:
    """True if any probe URL answers with any HTTP response at all."""
    transport = as_transport(client)
    for url in probe_urls:
        if is_reserved_invalid(url):
            continue
        try:
            async with asyncio.timeout(timeout):
                async with transport.open("HEAD", url):
                    pass
            return True
        except (httpx.HTTPError, httpx.InvalidURL, TimeoutError):
            continue
    return False
