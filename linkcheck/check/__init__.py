"""Checking: the async engine, its politeness limits, retries and the classification table.

The names below are imported on first use: a run answered entirely from history, and the
parent process of a run spread over workers, never need the HTTP stack.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from linkcheck.check.client import make_client
    from linkcheck.check.engine import Engine
    from linkcheck.check.network import network_available

__all__ = ["Engine", "make_client", "network_available"]
_HOMES = {"Engine": "linkcheck.check.engine", "make_client": "linkcheck.check.client", "network_available": "linkcheck.check.network"}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
