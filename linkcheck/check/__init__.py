"""Checking: the async engine, its politeness limits, retries and the classification table."""

from linkcheck.check.client import make_client
from linkcheck.check.engine import Engine
from linkcheck.check.network import network_available

__all__ = ["Engine", "make_client", "network_available"]
