"""Checking: the async engine, its politeness limits, retries and the classification table.

The names below are imported on first use: a run answered entirely from history, and the
parent process of a run spread over workers, never need the HTTP stack.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from linkcheck._lazy import lazy_exports

if TYPE_CHECKING:
    from linkcheck.check.client import make_client
    from linkcheck.check.engine import Engine
    from linkcheck.check.network import network_available

__all__ = ["Engine", "make_client", "network_available"]
_HOMES = {"Engine": "linkcheck.check.engine", "make_client": "linkcheck.check.client", "network_available": "linkcheck.check.network"}


__getattr__ = lazy_exports(__name__, globals(), _HOMES)
