"""The SSRF guard: private, loopback, link-local and reserved addresses are refused after
resolution, on every hop, and no packet is sent to them."""

import ipaddress

import pytest

from linkcheck.check.guard import AddressPolicy, address_kind
from linkcheck.models import Status
from tests.farm import redirect, respond
from tests.helpers import check_urls, fast_settings


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"), ("127.9.9.9", "loopback"), ("::1", "loopback"),
        ("10.1.2.3", "private"), ("172.16.0.1", "private"), ("192.168.1.1", "private"), ("fc00::1", "private"),
        ("169.254.169.254", "link-local"), ("fe80::1", "link-local"),
        ("224.0.0.1", "multicast"), ("ff02::1", "multicast"),
        ("0.0.0.0", "private"), ("240.0.0.1", "private"), ("100.64.0.1", "non-public"),
        ("::ffff:127.0.0.1", "loopback"),
        ("93.184.216.34", None), ("2606:2800:220:1::1", None), ("1.1.1.1", None),
    ],
)
def test_address_kinds(address, kind):
    assert address_kind(ipaddress.ip_address(address)) == kind


def test_policy_allow_list_by_host_and_network():
    policy = AddressPolicy(allow=("wiki.corp", "10.1.0.0/16"))
    assert policy.refusal("wiki.corp", ipaddress.ip_address("10.9.9.9")) is None
    assert policy.refusal("other", ipaddress.ip_address("10.1.2.3")) is None
    assert policy.refusal("other", ipaddress.ip_address("10.2.0.1")) == "private"
    assert AddressPolicy(allow_private=True).refusal("x", ipaddress.ip_address("127.0.0.1")) is None


def guarded(farm, allow=()):
    return fast_settings(farm, **{"network.allow_private": False, "network.allow": list(allow)})


def test_loopback_citation_is_excluded_and_no_packet_is_sent(farm):
    site = farm.host().route("/", respond(200))
    result = check_urls([site.url("/")], guarded(farm))[site.url("/")]
    assert result.status is Status.EXCLUDED
    assert "127.0.0.1, a loopback address" in result.error and "--allow-private" in result.error
    assert site.count() == 0


@pytest.mark.parametrize(
    ("location", "address"),
    [("http://169.254.169.254/latest/meta-data/", "169.254.169.254"), ("http://127.0.0.1:1/admin", "127.0.0.1"),
     ("http://[::1]:1/", "::1"), ("http://10.0.0.1/", "10.0.0.1")],
)
def test_a_redirect_cannot_smuggle_a_request_inside(farm, location, address):
    public = farm.host(ip="127.0.0.2").route("/cite", redirect(302, location))
    result = check_urls([public.url("/cite")], guarded(farm, allow=["127.0.0.2"]))[public.url("/cite")]
    assert result.status is Status.EXCLUDED
    assert f"resolves to {address}" in result.error
    assert [(hop.url, hop.status) for hop in result.redirects] == [(public.url("/cite"), 302)]


def test_a_name_that_resolves_inside_is_refused(farm):
    inside = farm.host(ip="127.0.0.1").route("/", respond(200))
    public = farm.host(ip="127.0.0.2").route("/cite", redirect(302, f"http://localhost:{inside.port}/"))
    result = check_urls([public.url("/cite")], guarded(farm, allow=["127.0.0.2"]))[public.url("/cite")]
    assert result.status is Status.EXCLUDED and "localhost resolves to 127.0.0.1" in result.error
    assert inside.count() == 0


def test_allow_private_turns_the_guard_off(farm):
    site = farm.host().route("/", respond(200))
    assert check_urls([site.url("/")], fast_settings(farm, **{"network.allow_private": True}))[site.url("/")].status is Status.OK
