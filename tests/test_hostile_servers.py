"""Fault injection: servers that misbehave on purpose. Each behaviour is asserted for its
status, its reason, bounded time and bounded memory."""

import time
import tracemalloc

import pytest

from linkcheck.models import Status
from tests.farm import raw, redirect, respond, trickle
from tests.helpers import check_urls, fast_settings
from tests.hostile import BROKEN_CHUNKED, MALFORMED_STATUS, EndlessBody, GzipBomb, ManyHeaders, ResetMidBody

MEMORY_BOUND = 64 * 1024 * 1024
TIME_BOUND = 10.0


def run_bounded(urls, settings):
    tracemalloc.start()
    started = time.monotonic()
    try:
        results = check_urls(urls, settings)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    elapsed = time.monotonic() - started
    assert elapsed < TIME_BOUND, f"took {elapsed:.1f}s"
    assert peak < MEMORY_BOUND, f"peak memory {peak / 2**20:.0f} MiB"
    return results


def settings_for(farm, **extra):
    values = {"check.retries": 0, "check.url_timeout": "4s", "check.read_timeout": "1s"}
    values.update(extra)
    return fast_settings(farm, **values)


# (behaviour, path suffix, expected status, a fragment of the reason)
CASES = {
    "endless-body": (EndlessBody(), "", Status.OK, None),  # a GET check reads a capped prefix only
    "endless-body-anchor": (EndlessBody(), "#part", Status.FRAGMENT_MISSING, "no anchor #part"),
    "trickle": (trickle(b"<p>" + b"z" * 10_000, bytes_per_second=500), "#x", Status.ERROR, "gave up after 4s"),
    "gzip-bomb": (GzipBomb(), "#x", Status.ERROR, "compression bomb"),
    "header-flood": (ManyHeaders(10_000), "", Status.ERROR, "headers exceed 100 kB"),
    "header-count": (ManyHeaders(1_000), "", Status.ERROR, "the server sent 1003 headers (limit 256)"),
    "malformed-status": (raw(MALFORMED_STATUS), "", Status.ERROR, "malformed response"),
    "broken-chunked": (raw(BROKEN_CHUNKED), "#x", Status.ERROR, "malformed response"),
    "reset-mid-body": (ResetMidBody(), "#x", Status.ERROR, "connection"),
    # 300 kB of unfinished tags: every page parser (anchors, soft-404 headings, page text)
    # must stay linear, or one page would stall the event loop for minutes.
    "tag-soup-page": (respond(200, "<a " * 100_000), "#x", Status.FRAGMENT_MISSING, "no anchor #x"),
    "redirect-to-file": (redirect(302, "file:///etc/passwd"), "", Status.ERROR, "non-HTTP URL refused: file:"),
    "redirect-to-javascript": (redirect(302, "javascript:alert(1)"), "", Status.ERROR, "redirect"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_behaviour(farm, name):
    behaviour, suffix, status, reason = CASES[name]
    site = farm.host().route("/evil", behaviour)
    url = site.url("/evil") + suffix
    result = run_bounded([url], settings_for(farm))[url]
    assert result.status is status, (name, result)
    if reason:
        assert reason in result.error, (name, result.error)


def test_endless_body_check_reads_only_the_cap(farm):
    site = farm.host().route("/evil", EndlessBody())
    url = site.url("/evil")
    result = run_bounded([url], settings_for(farm, **{"check.method": "get", "check.get_body_limit": 4096}))[url]
    assert result.status is Status.OK


@pytest.mark.parametrize(("tls", "reason"), [("expired", "certificate has expired"), ("self-signed", "self-signed certificate"), ("untrusted", "unable to get local issuer")])
def test_bad_certificates(farm, tls, reason):
    site = farm.host(tls=tls).route("/", respond(200))
    result = run_bounded([site.url("/")], settings_for(farm))[site.url("/")]
    assert result.status is Status.ERROR and "TLS certificate not trusted" in result.error and reason in result.error


def test_redirect_to_metadata_endpoint_is_refused_by_the_guard(farm):
    site = farm.host(ip="127.0.0.2").route("/evil", redirect(302, "http://169.254.169.254/latest/meta-data/"))
    settings = settings_for(farm, **{"network.allow_private": False, "network.allow": ["127.0.0.2"]})
    result = run_bounded([site.url("/evil")], settings)[site.url("/evil")]
    assert result.status is Status.EXCLUDED and "169.254.169.254, a link-local address" in result.error


def test_redirect_to_a_name_resolving_to_loopback_is_refused(farm):
    inside = farm.host().route("/", respond(200))
    site = farm.host(ip="127.0.0.2").route("/evil", redirect(302, f"http://localhost:{inside.port}/"))
    settings = settings_for(farm, **{"network.allow_private": False, "network.allow": ["127.0.0.2"]})
    result = run_bounded([site.url("/evil")], settings)[site.url("/evil")]
    assert result.status is Status.EXCLUDED and inside.count() == 0


def test_count_of_hostile_behaviours():
    """The closing note quotes this figure."""
    assert len(CASES) + 3 + 2 + 1 == 18
