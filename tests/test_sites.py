"""One notion of the site (linkcheck.sites): the registrable domain on the Public Suffix List."""

import pytest

from linkcheck.sites import registrable_domain, same_site


@pytest.mark.parametrize(
    ("host", "site"),
    [
        ("alice.github.io", "alice.github.io"),  # the PSL's private section is honoured
        ("www.alice.github.io", "alice.github.io"),
        ("proj.readthedocs.io", "proj.readthedocs.io"),
        ("someone.blogspot.com", "someone.blogspot.com"),
        ("news.bbc.co.uk", "bbc.co.uk"),
        ("example.com.au", "example.com.au"),
        ("www.example.com.au", "example.com.au"),
        ("docs.python.org", "python.org"),
        ("www.python.org", "python.org"),
        ("bücher.example.de", "example.de"),
        ("xn--bcher-kva.example.de", "example.de"),
        ("www.bücher.de", "xn--bcher-kva.de"),  # IDN: one answer, in A-label form
        ("www.xn--bcher-kva.de", "xn--bcher-kva.de"),
        ("BÜCHER.de", "xn--bcher-kva.de"),
        ("www.例子.中国", "xn--fsqu00a.xn--fiqs8s"),
        ("127.0.0.1", "127.0.0.1"),  # addresses stay whole
        ("10.1.2.3", "10.1.2.3"),
        ("::1", "::1"),
        ("[::1]", "::1"),
        ("[2001:DB8:0:0::1]", "2001:db8::1"),
        ("co.uk", "co.uk"),  # a public suffix is its own site
        ("github.io", "github.io"),
        ("com", "com"),
        ("localhost", "localhost"),
        ("Docs.Python.ORG.", "python.org"),  # uppercase and a trailing dot
        ("", ""),
    ],
)
def test_registrable_domain(host: str, site: str) -> None:
    assert registrable_domain(host) == site


@pytest.mark.parametrize(
    ("cited", "final", "same"),
    [
        ("https://news.bbc.co.uk/a", "https://www.bbc.co.uk/b", True),
        ("https://alice.github.io/x", "https://bob.github.io/x", False),
        ("https://a.co.uk/", "https://b.co.uk/", False),
        ("https://bücher.de/", "https://www.xn--bcher-kva.de/", True),
        ("http://[::1]/a", "https://[::1]/b", True),
        ("https://example.org/a", "http://example.org/a", False),  # a downgrade
        ("https://example.org/a", "https://example.org:8443/a", False),
    ],
)
def test_same_site(cited: str, final: str, same: bool) -> None:
    assert same_site(cited, final) is same
