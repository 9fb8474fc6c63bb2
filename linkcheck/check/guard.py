"""The SSRF guard: no request to loopback, private, link-local, multicast or reserved
addresses unless the user allows it.

A document (or a redirect, or a DNS answer) may point linkcheck at a CI runner's internal
services or a cloud metadata endpoint (169.254.169.254). The check happens *after* name
resolution, in the connection layer, for every connection — so every redirect hop too —
and the connection is then made to the very address that was checked, so a second DNS
answer cannot swap it (DNS rebinding). A refused citation is `excluded` with the reason;
no packet is sent to it.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import socket
from collections.abc import Sequence
from dataclasses import dataclass, field

import httpcore

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class BlockedAddress(httpcore.ConnectError):
    """A connection the guard refused, carried as the cause of an httpx.ConnectError."""

    def __init__(self, host: str, address: str, kind: str) -> None:
        super().__init__(f"{host} resolves to {address}, a {kind} address")
        self.host = host
        self.address = address
        self.kind = kind


def address_kind(address: IPAddress) -> str | None:
    """Why an address is not public ('loopback', 'private' …), or None for a public one."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address_kind(address.ipv4_mapped)
    for kind, test in (
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("private", address.is_private),
        ("unspecified", address.is_unspecified),
        ("reserved", address.is_reserved),
    ):
        if test:
            return kind
    return None if address.is_global else "non-public"


@dataclass(frozen=True)
class AddressPolicy:
    """Which addresses may be connected to. `allow` names hosts or networks (CIDR) let through."""

    allow_private: bool = False
    allow: Sequence[str] = ()
    _networks: tuple[IPNetwork, ...] = field(init=False, default=())
    _hosts: frozenset[str] = field(init=False, default=frozenset())

    def __post_init__(self) -> None:
        networks, hosts = [], set()
        for entry in self.allow:
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                hosts.add(entry.lower().rstrip("."))
        object.__setattr__(self, "_networks", tuple(networks))
        object.__setattr__(self, "_hosts", frozenset(hosts))

    def refusal(self, host: str, address: IPAddress) -> str | None:
        """None if connecting to `address` (for `host`) is allowed, else the address's kind."""
        if self.allow_private or host.lower().rstrip(".") in self._hosts:
            return None
        if any(address in network for network in self._networks):
            return None
        return address_kind(address)


async def lookup(host: str, port: int, timeout: float | None) -> list[IPAddress]:
    """Every distinct address of `host` (a literal is its own answer).

    Raises socket.gaierror when the name does not resolve and TimeoutError when the
    resolver is slower than `timeout`: the plain errors, for each client to wrap its way.
    """
    literal = host.strip("[]")
    try:
        return [ipaddress.ip_address(literal)]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    async with asyncio.timeout(timeout):
        # socket.getaddrinfo in a thread, as asyncio's loop does: uvloop's own resolver
        # would answer differently (and around anything that replaces socket.getaddrinfo).
        infos = await loop.run_in_executor(None, functools.partial(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM))
    seen: list[IPAddress] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if address not in seen:
            seen.append(address)
    return seen


async def resolve_checked(host: str, port: int, policy: AddressPolicy, timeout: float | None) -> list[IPAddress]:
    """The addresses of `host` if every one is allowed; raises BlockedAddress otherwise.

    One bad answer taints the name: a rebinding attacker returns a mix.
    """
    addresses = await lookup(host, port, timeout)
    for address in addresses:
        kind = policy.refusal(host, address)
        if kind is not None:
            raise BlockedAddress(host, str(address), kind)
    return addresses


async def check_host(host: str, port: int, policy: AddressPolicy, timeout: float | None) -> BlockedAddress | None:
    """The guard for requests that go through a proxy: resolve here, refuse before sending."""
    try:
        addresses = await lookup(host, port, timeout)
    except (OSError, TimeoutError):
        return None  # let the proxy report what it finds
    for address in addresses:
        kind = policy.refusal(host, address)
        if kind is not None:
            return BlockedAddress(host, str(address), kind)
    return None
