"""URL normalization and classification: tables of cases, the reasons, idempotency."""

from __future__ import annotations

import re
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linkcheck.urls import DEFAULT_SCHEME, InvalidURL, classify_target, is_http, normalize, scheme_of


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        # scheme and host lowercased, empty path becomes "/"
        ("HTTP://Example.ORG", "http://example.org/"),
        ("https://EXAMPLE.org/Path/Keeps/Case", "https://example.org/Path/Keeps/Case"),
        ("  https://example.org/trimmed  ", "https://example.org/trimmed"),
        # default ports dropped, others kept
        ("https://example.org:443/a", "https://example.org/a"),
        ("http://example.org:80", "http://example.org/"),
        ("http://example.org:443/", "http://example.org:443/"),
        ("https://example.org:8443/", "https://example.org:8443/"),
        ("https://example.org:/x", "https://example.org/x"),
        # international hosts in IDNA (UTS #46 maps case and width first)
        ("https://例え.jp/", "https://xn--r8jz45g.jp/"),
        ("https://Bücher.example/", "https://xn--bcher-kva.example/"),
        ("https://ÄÖ.DE/", "https://xn--4ca0b.de/"),
        ("https://faß.de/", "https://xn--fa-hia.de/"),
        ("https://[2001:DB8:0:0::1]:8080/", "https://[2001:db8::1]:8080/"),
        ("http://127.0.0.1:8000/x", "http://127.0.0.1:8000/x"),
        ("https://under_score.example.org/", "https://under_score.example.org/"),
        # percent-encoding: uppercase hex, unreserved decoded, reserved escapes kept
        ("https://example.org/%7euser/%41%2f%2Fb", "https://example.org/~user/A%2F%2Fb"),
        ("https://example.org/a b/ü?q=日本 x", "https://example.org/a%20b/%C3%BC?q=%E6%97%A5%E6%9C%AC%20x"),
        ("https://example.org/é%C3%A9", "https://example.org/%C3%A9%C3%A9"),
        ("https://example.org/100%", "https://example.org/100%25"),
        ("https://example.org/?q=%zz&r=%e2%82%ac", "https://example.org/?q=%25zz&r=%E2%82%AC"),
        ('https://example.org/a"b<c>d{e}|', "https://example.org/a%22b%3Cc%3Ed%7Be%7D%7C"),
        ("https://example.org/keep:@!$&'()*+,;=[]/", "https://example.org/keep:@!$&'()*+,;=[]/"),
        ("https://example.org/?a=1&b=/x?y", "https://example.org/?a=1&b=/x?y"),
        ("https://user:p@ss@example.org/", "https://user:p%40ss@example.org/"),
        # dot segments removed, also when written as escapes
        ("https://example.org/a/./b/../c/.", "https://example.org/a/c/"),
        ("https://example.org/../../x", "https://example.org/x"),
        ("https://example.org/a/%2e%2E/b", "https://example.org/b"),
        ("https://example.org//double//slash", "https://example.org//double//slash"),
        # fragment kept as written except spaces and non-ASCII
        ("https://example.org/#Section%20One", "https://example.org/#Section%20One"),
        ("https://example.org/#a b/ü", "https://example.org/#a%20b/%C3%BC"),
        ("https://example.org/#", "https://example.org/"),
        ("https://example.org?q", "https://example.org/?q"),
        # scheme-less targets people write
        ("www.example.org/x", f"{DEFAULT_SCHEME}://www.example.org/x"),
        ("WWW.Example.org", "https://www.example.org/"),
        ("//cdn.example.org/lib.js", "https://cdn.example.org/lib.js"),
        # other schemes
        ("ftp://FTP.Example.org:21/pub/", "ftp://ftp.example.org:21/pub/"),
        ("file:///home/me/a%20b.md", "file:///home/me/a%20b.md"),
        ("MAILTO:Someone@Example.org", "mailto:Someone@Example.org"),
        ("tel:+81-78-000-0000", "tel:+81-78-000-0000"),
    ],
)
def test_normalize(target: str, expected: str) -> None:
    assert normalize(target) == expected


@pytest.mark.parametrize(
    ("target", "base", "expected"),
    [
        ("../b.html#s", "https://example.org/docs/a/index.html", "https://example.org/docs/b.html#s"),
        ("guide.html", "https://tidewatch.example.net/stations/", "https://tidewatch.example.net/stations/guide.html"),
        ("/root", "https://example.org/a/b", "https://example.org/root"),
        ("#frag", "https://example.org/a", "https://example.org/a#frag"),
        ("?q=1", "https://example.org/a", "https://example.org/a?q=1"),
        ("//cdn.example.org/x", "http://example.org/", "http://cdn.example.org/x"),
        ("x y.html", "www.example.org/dir/", "https://www.example.org/dir/x%20y.html"),
        ("https://other.example/", "https://example.org/", "https://other.example/"),
    ],
)
def test_normalize_resolves_against_base(target: str, base: str, expected: str) -> None:
    assert normalize(target, base) == expected


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("", "empty URL"),
        ("   ", "empty URL"),
        ("docs/x.md", "relative URL with no base"),
        ("#anchor", "relative URL with no base"),
        ("http://", "missing host"),
        ("https://:80/", "missing host"),
        ("https://user@/", "missing host"),
        ("http:example.org", "missing host"),
        ("https://example.org:99999/", "bad port"),
        ("https://example.org:http/", "bad port"),
        ("http://exa mple.org/", "illegal characters"),
        ("https://example.com,foo/", "illegal characters"),
        ("https://ex<ample.org/", "illegal characters"),
        ("https://%41.example/", "illegal characters"),
        ("https://a..b/", "empty label"),
        ("https://例え_x.jp/", "international domain name"),
        ("https://-例え.jp/", "international domain name"),
        ("http://[::g]/", "IP"),
        ("http://[", "IP"),
        ("https://example.org/\udc80", "surrogate"),
    ],
)
def test_invalid(target: str, reason: str) -> None:
    with pytest.raises(InvalidURL, match=reason):
        normalize(target)


def test_invalid_base_is_named() -> None:
    with pytest.raises(InvalidURL, match="bad base URL 'docs/'"):
        normalize("x.html", "docs/")


def test_invalid_url_is_a_value_error_with_a_reason() -> None:
    with pytest.raises(ValueError) as info:
        normalize("http://")
    assert isinstance(info.value, InvalidURL)
    assert info.value.reason == str(info.value) == "missing host"


@pytest.mark.parametrize(
    ("target", "kind"),
    [
        ("https://example.org/", "http"),
        ("HTTP://example.org/", "http"),
        ("www.example.org/x", "http"),
        ("//cdn.example.org/x", "http"),
        ("mailto:someone@example.org", "unsupported"),
        ("tel:+1-555-0100", "unsupported"),
        ("ftp://ftp.example.org/", "unsupported"),
        ("data:image/png;base64,AAAA", "unsupported"),
        ("javascript:void(0)", "unsupported"),
        ("irc://irc.example.org/#chan", "unsupported"),
        ("docs/x.md", "local"),
        ("../a.html#s", "local"),
        ("#anchor", "local"),
        ("/absolute/path.html", "local"),
        ("?query=1", "local"),
        ("C:\\docs\\x.md", "local"),
        ("", "local"),
    ],
)
def test_classify_target(target: str, kind: str) -> None:
    assert classify_target(target) == kind


@pytest.mark.parametrize(
    ("url", "scheme", "http"),
    [
        ("HTTPS://example.org", "https", True),
        ("http://example.org", "http", True),
        ("www.example.org", "https", True),
        ("mailto:x@example.org", "mailto", False),
        ("docs/x.md", "", False),
        ("//cdn.example.org", "", False),
    ],
)
def test_scheme_of_and_is_http(url: str, scheme: str, http: bool) -> None:
    assert scheme_of(url) == scheme
    assert is_http(url) is http


_PIECES = st.sampled_from(
    [
        *"aZ09-._~:/?#[]@!$&'()*+,;=% ",
        *["%2F", "%7e", "%41", "%zz", "%", "..", ".", "é", "日本", "\t", "\\", "|", "{", "\x00", "%2e", "//"],
        *[":80", ":443"],
    ]
)
_HOSTS = st.sampled_from(
    [
        "example.org",
        "EXAMPLE.org",
        "例え.jp",
        "Bücher.example",
        "[::1]",
        "[2001:DB8::1]",
        "127.0.0.1",
        "a_b.example",
        "",
        "user@host.example",
        "u:p@h.example",
        "h.example:8080",
        "ÄÖ.DE",
        "faß.de",
        "host.example.",
    ]
)
_SCHEMES = st.sampled_from(
    ["http://", "https://", "HTTP://", "ftp://", "www.", "//", "mailto:", "file://", "", "git+ssh://"]
)
_BASES = st.one_of(st.none(), st.sampled_from(["https://base.example/a/b/", "http://x.example", "www.base.example/d/"]))


@settings(max_examples=500, deadline=None, suppress_health_check=list(HealthCheck))
@given(_SCHEMES, _HOSTS, st.lists(_PIECES, max_size=15).map("".join), _BASES)
def test_property_normalize_is_idempotent(scheme: str, host: str, rest: str, base: str | None) -> None:
    try:
        once = normalize(scheme + host + rest, base)
    except InvalidURL:
        return
    assert normalize(once) == once
    assert normalize(once, base) == once


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_property_any_text_normalizes_or_is_invalid(text: str) -> None:
    try:
        once = normalize(text)
    except InvalidURL:
        return
    assert normalize(once) == once


def test_fast_path_agrees_with_full_normalization_on_the_corpus():
    """The canonical-form shortcut must return exactly what the full path would."""
    import linkcheck.urls as urls
    from pathlib import Path

    from linkcheck.extract import ExtractOptions
    from linkcheck.extract.markdown import extract

    # The shared real-world corpus sits beside the checkout (in CI too); the project's own
    # fixtures are always there.
    corpus = Path(__file__).resolve().parents[2] / "shared" / "corpus"
    documents = [corpus / "awesome-python.md", corpus / "awesome.md", *Path(__file__).parent.glob("fixtures/extract/*.md")]
    targets = [raw.target for path in documents if path.exists()
               for raw in extract(path.read_text(encoding="utf-8"), ExtractOptions())]
    web = sum(1 for target in targets if target.startswith(("http://", "https://")))
    targets += ["https://a.org/x/../y", "https://a.org/./z", "https://A.org/", "https://a.org:443/", "https://a.org",
                "https://a.org/p?q=1#frag", "https://a.org/%7e", "https://xn--bcher-kva.example/", "https://a_b.org/x",
                "http://127.0.0.1:8080/p", "http://a.org:80/", "https://a.org:99999/", "http://a.org:443/x"]
    fast = 0
    for target in targets:
        if urls.is_canonical(target):
            fast += 1
            original = urls._CANONICAL
            try:
                urls._CANONICAL = re.compile(r"(?!)")  # force the full path
                assert urls.normalize(target) == target, target
            finally:
                urls._CANONICAL = original
    assert fast >= 0.8 * web  # the shortcut is taken for most real citations
