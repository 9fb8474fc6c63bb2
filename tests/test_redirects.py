"""The one set of redirect rules the checker and the archive both follow."""

from __future__ import annotations

import pytest

from linkcheck.redirects import RedirectRefused, RedirectTrail, redirect_target


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        ("/b", "https://example.org/b"),
        ("c?x=1#frag", "https://example.org/a/c?x=1"),
        ("//other.example/d", "https://other.example/d"),
        ("https://example.org/caf\u00c3\u00a9", "https://example.org/caf\u00c3\u00a9"),
    ],
)
def test_a_location_is_resolved_against_the_url_it_came_from(location, expected):
    assert redirect_target("https://example.org/a/b", 301, location) == expected


@pytest.mark.parametrize(
    ("location", "words"),
    [(None, "without a Location"), ("  ", "without a Location"), ("javascript:alert(1)", "non-HTTP"), ("http://", "without a host")],
)
def test_a_location_that_cannot_be_followed_says_why(location, words):
    with pytest.raises(RedirectRefused, match=words):
        redirect_target("https://example.org/a", 302, location)


def test_a_trail_catches_loops_unless_something_changed_and_bounds_the_length():
    trail = RedirectTrail("https://a.example/x", max_redirects=3, state=0)
    trail.follow("https://a.example/y", 0)
    with pytest.raises(RedirectRefused) as loop:
        trail.follow("https://a.example/x", 0)
    assert loop.value.loop
    again = RedirectTrail("https://a.example/x", max_redirects=3, state=0)
    again.follow("https://a.example/x", 1)  # a cookie was set on the way: the site lets us in now
    again.follow("https://a.example/z", 1)
    again.follow("https://a.example/w", 1)
    with pytest.raises(RedirectRefused) as long:
        again.follow("https://a.example/v", 1)
    assert long.value.too_long
