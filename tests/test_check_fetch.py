"""Single request paths of the fetcher, with respx: HEAD->GET fallback, every redirect status,
loops, hop limits, retries and Retry-After."""

import asyncio

import httpx
import pytest
import respx

from linkcheck.check.fetch import Fetcher, FetchPolicy
from linkcheck.check.limits import Limiter
from linkcheck.check.outcome import FailureKind

URL = "https://example.org/page"


def fetcher(client, **overrides):
    policy = dict(max_redirects=5, retries=2, backoff_base=0.01, backoff_max=0.02, retry_after_max=2.0, get_body_limit=1024)
    policy.update(overrides)
    return Fetcher(client, Limiter(8, lambda host: (2, 0.0)), FetchPolicy(**policy))


def fetch(url=URL, **overrides):
    async def run():
        async with httpx.AsyncClient() as client:
            return await fetcher(client, **overrides).fetch(url)

    return asyncio.run(run())


@respx.mock
def test_head_ok_needs_no_get():
    head = respx.head(URL).respond(200)
    get = respx.get(URL).respond(200)
    outcome = fetch()
    assert outcome.status == 200 and outcome.failure is None
    assert head.call_count == 1 and get.call_count == 0


@pytest.mark.parametrize("head_status", [400, 403, 404, 405, 406, 410, 500, 501])
@respx.mock
def test_unreliable_head_falls_back_to_get(head_status):
    respx.head(URL).respond(head_status)
    get = respx.get(URL).respond(200, text="hello")
    outcome = fetch()
    assert outcome.status == 200
    assert get.call_count == 1
    assert outcome.last.method == "GET"


@respx.mock
def test_head_that_closes_the_connection_falls_back_to_get():
    respx.head(URL).mock(side_effect=httpx.RemoteProtocolError("Server disconnected without sending a response."))
    respx.get(URL).respond(200)
    assert fetch().status == 200


@respx.mock
def test_get_only_policy_never_sends_head():
    head = respx.head(URL).respond(200)
    respx.get(URL).respond(200)
    assert fetch(head_first=False).status == 200
    assert head.call_count == 0


@pytest.mark.parametrize("code", [301, 302, 303, 307, 308])
@respx.mock
def test_each_redirect_status_is_followed_and_recorded(code):
    respx.head(URL).respond(code, headers={"Location": "/moved"})
    respx.head("https://example.org/moved").respond(200)
    outcome = fetch()
    assert outcome.status == 200
    assert outcome.final_url == "https://example.org/moved"
    assert [(hop.url, hop.status) for hop in outcome.hops] == [(URL, code)]


@respx.mock
def test_redirect_loop_is_detected():
    respx.head(URL).respond(302, headers={"Location": "https://example.org/b"})
    respx.head("https://example.org/b").respond(302, headers={"Location": URL})
    outcome = fetch()
    assert outcome.failure.kind is FailureKind.REDIRECT_LOOP
    assert len(outcome.hops) == 2


@respx.mock
def test_hop_limit():
    for i in range(10):
        respx.head(f"https://example.org/{i}").respond(301, headers={"Location": f"/{i + 1}"})
    outcome = fetch("https://example.org/0", max_redirects=3)
    assert outcome.failure.kind is FailureKind.TOO_MANY_REDIRECTS
    assert len(outcome.hops) == 4


@pytest.mark.parametrize("location", ["file:///etc/passwd", "javascript:alert(1)", "data:text/html,hi"])
@respx.mock
def test_redirect_to_non_http_scheme_is_refused(location):
    respx.head(URL).respond(302, headers={"Location": location})
    outcome = fetch()
    assert outcome.failure.kind is FailureKind.BAD_REDIRECT


@respx.mock
def test_redirect_without_location():
    respx.head(URL).respond(301)
    assert fetch().failure.kind is FailureKind.BAD_REDIRECT


@respx.mock
def test_503_then_200_is_retried():
    route = respx.get(URL)
    route.side_effect = [httpx.Response(503, headers={"Retry-After": "0"}), httpx.Response(200)]
    outcome = fetch(head_first=False)
    assert outcome.status == 200
    assert route.call_count == 2


@respx.mock
def test_429_persisting_stops_after_the_retry_budget():
    route = respx.get(URL).respond(429)
    outcome = fetch(retries=2, head_first=False)
    assert outcome.status == 429
    assert route.call_count == 3


@pytest.mark.parametrize("head_status", [429, 503, 999])
@respx.mock
def test_a_wall_status_on_head_is_asked_again_with_get_at_once(head_status):
    """A bot wall's challenge page is in the body HEAD lacks: GET it, without retrying HEAD."""
    head = respx.head(URL).respond(head_status)
    get = respx.get(URL).respond(200)
    outcome = fetch()
    assert outcome.status == 200
    assert head.call_count == 1 and get.call_count == 1


@respx.mock
def test_a_retry_after_beyond_the_cap_is_not_waited_out():
    route = respx.get(URL).respond(429, headers={"Retry-After": "3600"})
    outcome = fetch(retries=3, head_first=False, retry_after_max=2.0)
    assert outcome.status == 429 and route.call_count == 1
    assert outcome.last.retry_after == 3600.0 and outcome.last.retry_at is not None


@respx.mock
def test_a_challenge_is_not_retried():
    route = respx.get(URL).respond(503, headers={"cf-mitigated": "challenge", "Server": "cloudflare"})
    outcome = fetch(retries=3, head_first=False)
    assert outcome.status == 503 and route.call_count == 1


@respx.mock
def test_timeouts_are_retried_then_reported():
    route = respx.head(URL).mock(side_effect=httpx.ReadTimeout("slow"))
    outcome = fetch(retries=1)
    assert outcome.failure.kind is FailureKind.TIMEOUT
    assert route.call_count == 2


@respx.mock
def test_404_is_not_retried():
    respx.head(URL).respond(404)
    get = respx.get(URL).respond(404)
    assert fetch().status == 404
    assert get.call_count == 1


@respx.mock
def test_dns_failure_is_nxdomain():
    import socket

    def fail(request):
        try:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        except socket.gaierror as cause:
            raise httpx.ConnectError("[Errno -2] Name or service not known") from cause

    respx.head(URL).mock(side_effect=fail)
    assert fetch().failure.kind is FailureKind.NXDOMAIN


@respx.mock
def test_get_body_is_read_only_up_to_the_cap():
    respx.head(URL).respond(405)
    respx.get(URL).respond(200, content=b"x" * 100_000)
    assert fetch(get_body_limit=10).status == 200
