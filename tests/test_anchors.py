import pytest

from linkcheck.anchors import fragment_present, github_slug, html_anchors, is_checkable_fragment, markdown_anchors


@pytest.mark.parametrize(
    ("heading", "slug"),
    [("Hello World", "hello-world"), ("Install & Run!", "install--run"), ("Über uns", "über-uns"),
     ("API v2.0 (beta)", "api-v20-beta"), ("snake_case name", "snake_case-name"), ("  Trim  ", "trim")],
)
def test_github_slugs(heading, slug):
    assert github_slug(heading) == slug


def test_markdown_anchors_number_duplicates_and_include_raw_html_ids():
    text = "# Intro\n\n## Setup\n\n## Setup\n\nSetext *heading*\n---\n\n<a id=\"custom\"></a>\n\n```\n# not a heading\n```\n"
    assert markdown_anchors(text) == {"intro", "setup", "setup-1", "setext-heading", "custom"}


def test_html_anchors_ids_and_names():
    html = '<h1 id="a">x</h1><a name="b"></a><div name="not-an-anchor"></div><img id=c>'
    assert html_anchors(html) == {"a", "b", "c"}


def test_html_anchors_tolerate_broken_markup():
    assert html_anchors('<div id="ok"><p <<< id="x" <a name=') >= {"ok"}


@pytest.mark.parametrize(
    ("fragment", "checkable"),
    [("section", True), ("", False), (None, False), (":~:text=hello", False), ("/route", False), ("!/route", False)],
)
def test_what_is_an_anchor(fragment, checkable):
    assert is_checkable_fragment(fragment) is checkable


def test_fragment_matching_decodes_and_knows_top():
    anchors = {"café", "intro"}
    assert fragment_present("caf%C3%A9", anchors)
    assert fragment_present("top", anchors)
    assert fragment_present("intro:~:text=x", anchors)
    assert not fragment_present("outro", anchors)
