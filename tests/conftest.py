"""Shared fixtures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.farm import Farm


@pytest.fixture
def farm() -> Iterator[Farm]:
    """A started web farm of loopback HTTP(S) servers; stopped (promptly) after the test."""
    with Farm() as f:
        yield f
    assert not f.errors, f"the farm raised while serving: {f.errors!r}"


_LOOPBACK_NAMES = {"localhost", "localhost.", "127.0.0.1", "::1"}


@pytest.fixture(autouse=True)
def _no_dns_beyond_loopback(monkeypatch):
    """Nothing in the tests leaves loopback: a lookup of any other name fails like NXDOMAIN
    here instead of reaching the machine's resolver."""
    import ipaddress
    import socket

    real_getaddrinfo = socket.getaddrinfo

    def loopback_only(host, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else str(host)
        try:
            allowed = ipaddress.ip_address(name.strip("[]")).is_loopback
        except ValueError:
            allowed = name.lower() in _LOOPBACK_NAMES
        if not allowed:
            raise socket.gaierror(socket.EAI_NONAME, f"Name or service not known (tests stay on loopback: {name})")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", loopback_only)


@pytest.fixture(autouse=True)
def _loopback_allowed(monkeypatch):
    """Every linkcheck run in the tests talks to the farm on loopback, which the SSRF guard
    refuses by default; the guard's own tests turn it back on explicitly."""
    monkeypatch.setenv("LINKCHECK_NETWORK_ALLOW_PRIVATE", "true")


@pytest.fixture(autouse=True)
def _no_online_archives(monkeypatch):
    """Suggestions never ask the real Memento or Wayback services from a test; the tests of
    suggestions point them at fake services on loopback."""
    monkeypatch.setenv("LINKCHECK_ROT_OFFLINE_SUGGESTIONS", "true")
