"""The pieces of `fix`: which verdicts lead to which change, same-site redirects, capture
dates, matching a URL as written, and each format's rule on the cases the goldens skip."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from linkcheck.config import Settings
from linkcheck.fix import FixOptions, plan_fixes
from linkcheck.fix.plan import Annotate, Rewrite, capture_date, decide
from linkcheck.fix.rules import Archived, match_written
from linkcheck.history import Check, History
from linkcheck.models import Result, Status
from linkcheck.sites import registrable_domain, same_site
from tests.test_fix_golden import suggestion, write_history

T0 = datetime(2026, 11, 29, tzinfo=timezone.utc)
ARCHIVE = "https://web.archive.org/web/20200102030405/https://dead.example/p"


def check(status: Status, final_url: str | None = None, **extra: object) -> Check:
    return Check(1, "u", status, 200, final_url, [], None, T0, 0, False, dict(extra))


def fixed(tmp_path: Path, name: str, text: str, results: list[Result], *, cross_site: bool = False) -> tuple[str, list[str]]:
    """`text` saved as `name`, planned against `results`: (new text, skip messages)."""
    write_history(tmp_path / "archive", results)
    (tmp_path / name).write_text(text, encoding="utf-8")
    with History(tmp_path / "archive") as history:
        plan = plan_fixes([tmp_path / name], history, Settings(), FixOptions(cross_site=cross_site))
    new = plan.files[0].text if plan.files else text
    return new, [skipped.message for skipped in plan.skipped]


def dead(url: str = "https://dead.example/p", status: Status = Status.DEAD) -> Result:
    return Result(url, status, suggestion=suggestion(ARCHIVE))


def moved(url: str, final: str) -> Result:
    return Result(url, Status.REDIRECT_PERMANENT, final_url=final)


# -- decisions ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "extra", "expected"),
    [
        (Status.DEAD, {"suggestion": suggestion(ARCHIVE)}, Annotate(Archived(ARCHIVE, "2020-01-02"))),
        (Status.ERROR, {"suggestion": suggestion(ARCHIVE)}, Annotate(Archived(ARCHIVE, "2020-01-02"))),
        (Status.SOFT404, {"suggestion": suggestion(ARCHIVE)}, Annotate(Archived(ARCHIVE, "2020-01-02"))),
        (Status.PARKED, {"suggestion": suggestion(ARCHIVE)}, Annotate(Archived(ARCHIVE, "2020-01-02", usurped=True))),
        (Status.OK, {"suggestion": suggestion(ARCHIVE), "drift": {"drifted": True}}, Annotate(Archived(ARCHIVE, "2020-01-02"))),
        (Status.OK, {"suggestion": suggestion(ARCHIVE), "drift": {"drifted": False}}, None),
        (Status.DEAD, {}, None),
        (Status.BLOCKED, {"suggestion": suggestion(ARCHIVE)}, None),
        (Status.SUSPECT, {"suggestion": suggestion(ARCHIVE)}, None),
        (Status.OK, {}, None),
    ],
)
def test_which_verdicts_are_annotated(status: Status, extra: dict[str, object], expected: object) -> None:
    assert decide("https://dead.example/p", check(status, **extra), FixOptions()) == expected


def test_permanent_redirects_same_site_or_with_cross_site() -> None:
    same = check(Status.REDIRECT_PERMANENT, "https://www.example.org/b")
    other = check(Status.REDIRECT_PERMANENT, "https://example.net/b")
    assert decide("http://example.org/a", same, FixOptions()) == Rewrite("https://www.example.org/b")
    assert isinstance(decide("http://example.org/a", other, FixOptions()), str)
    assert decide("http://example.org/a", other, FixOptions(cross_site=True)) == Rewrite("https://example.net/b")
    assert decide("https://example.org/a", check(Status.REDIRECT_TEMPORARY, "https://example.org/b"), FixOptions()) is None
    assert decide("https://example.org/a", check(Status.REDIRECT_PERMANENT, None), FixOptions()) is None


@pytest.mark.parametrize(
    ("cited", "final", "same"),
    [
        ("http://example.org/a", "https://example.org/a", True),
        ("https://example.org/a", "https://www.example.org/b", True),
        ("https://docs.python.org/3/", "https://www.python.org/doc/", True),
        ("https://www.bbc.co.uk/a", "https://news.bbc.co.uk/a", True),
        ("https://example.org/a", "http://example.org/a", False),  # a downgrade
        ("https://example.org/a", "https://example.org:8443/a", False),
        ("https://example.org/a", "https://example.net/a", False),
        ("https://a.co.uk/", "https://b.co.uk/", False),
        ("https://alice.github.io/x", "https://bob.github.io/x", False),
        ("https://127.0.0.1/a", "https://127.0.0.2/a", False),
    ],
)
def test_same_site(cited: str, final: str, same: bool) -> None:
    assert same_site(cited, final) is same


def test_registrable_domain() -> None:
    assert registrable_domain("www.example.org") == "example.org"
    assert registrable_domain("a.b.example.com.au") == "example.com.au"
    assert registrable_domain("proj.readthedocs.io") == "proj.readthedocs.io"


@pytest.mark.parametrize(
    ("captured_at", "archive_url", "date"),
    [
        ("2020-01-02T03:04:05Z", "", "2020-01-02"),
        ("2020-01-02T23:04:05+00:00", "", "2020-01-02"),
        ("20190305120000", "", "2019-03-05"),
        (None, "https://web.archive.org/web/20170101000000/https://x.example/", "2017-01-01"),
        (None, "https://web.archive.org/web/20170101000000id_/https://x.example/", "2017-01-01"),
        ("garbage", "https://archive.example/x", None),
    ],
)
def test_capture_date(captured_at: str | None, archive_url: str, date: str | None) -> None:
    assert capture_date(captured_at, archive_url) == date


def test_match_written_undoes_escapes_entities_and_blanks() -> None:
    assert match_written("x https://a/b?c=1&d) y", 2, "https://a/b?c=1&d") == 19
    assert match_written('"https://a/?x=1&amp;y=2"', 1, "https://a/?x=1&y=2", entities=True) == 23
    assert match_written(r"{https://a/b\_c\%20}", 1, "https://a/b_c%20", backslash="_%") == 19
    assert match_written("https://a/\n   b", 0, "https://a/b", blanks=True) == 15
    assert match_written("https://a/c", 0, "https://a/b") is None
    assert match_written("https://a", 0, "https://a/b") is None


# -- formats, beyond the goldens ---------------------------------------------------------


def test_markdown_unbalanced_parenthesis_is_percent_encoded(tmp_path: Path) -> None:
    new, _ = fixed(tmp_path, "a.md", "[a](https://example.org/a)\n", [moved("https://example.org/a", "https://example.org/b)")])
    assert new == "[a](https://example.org/b%29)\n"


def test_markdown_escaped_destination_is_matched_and_rewritten(tmp_path: Path) -> None:
    new, _ = fixed(tmp_path, "a.md", "[a](https://example.org/a\\_b?x=1&amp;y=2)\n", [moved("https://example.org/a_b?x=1&y=2", "https://example.org/c")])
    assert new == "[a](https://example.org/c)\n"


def test_markdown_link_with_nested_brackets_and_title_is_annotated_after_its_end(tmp_path: Path) -> None:
    new, _ = fixed(tmp_path, "a.md", "- [a [b] `c`](https://dead.example/p 'T (x)') end\n", [dead()])
    assert new == f"- [a [b] `c`](https://dead.example/p 'T (x)') ([archived]({ARCHIVE})) end\n"


def test_markdown_raw_html_is_not_annotated(tmp_path: Path) -> None:
    new, skipped = fixed(tmp_path, "a.md", 'x <a href="https://dead.example/p">p</a>\n', [dead()])
    assert new == 'x <a href="https://dead.example/p">p</a>\n'
    assert skipped == ["a link in raw HTML inside Markdown: not annotated"]


def test_markdown_unused_reference_definition(tmp_path: Path) -> None:
    new, skipped = fixed(tmp_path, "a.md", "text\n\n[p]: https://dead.example/p\n", [dead()])
    assert new == "text\n\n[p]: https://dead.example/p\n" and skipped == ["a reference definition that no link uses: nothing to annotate"]


def test_html_entities_in_href_are_matched_and_the_new_url_escaped(tmp_path: Path) -> None:
    new, _ = fixed(tmp_path, "a.html", '<a href="https://example.org/a?x=1&amp;y=2">a</a>\n',
                   [moved("https://example.org/a?x=1&y=2", "https://example.org/b?x=1&y=2")])
    assert new == '<a href="https://example.org/b?x=1&amp;y=2">a</a>\n'


def test_html_robust_link_without_a_date_has_only_the_url(tmp_path: Path) -> None:
    result = Result("https://dead.example/p", Status.DEAD, suggestion=suggestion("https://archive.example/p", None))
    new, _ = fixed(tmp_path, "a.html", "<a href='https://dead.example/p'>p</a>\n", [result])
    assert new == "<a href='https://dead.example/p' data-versionurl=\"https://archive.example/p\">p</a>\n"


def test_wikitext_marks_a_parked_domain_usurped(tmp_path: Path) -> None:
    """Wikipedia's {{cite web}}: `url-status=usurped` for a domain now serving someone else's content."""
    text = "{{cite web |url=https://dead.example/p |title=T}}\n"
    new, _ = fixed(tmp_path, "a.wiki", text, [dead(status=Status.PARKED)])
    assert new == f"{{{{cite web |url=https://dead.example/p |title=T |archive-url={ARCHIVE} |archive-date=2020-01-02 |url-status=usurped}}}}\n"
    kept = "{{cite web |url=https://dead.example/p |archive-url=https://a.example/p |url-status=dead}}\n"
    new, _ = fixed(tmp_path, "b.wiki", kept, [dead(status=Status.PARKED)])
    assert new == kept.replace("url-status=dead", "url-status=usurped")


def test_wikitext_legacy_dead_url_is_not_duplicated(tmp_path: Path) -> None:
    text = "{{cite web|url=https://dead.example/p|archive-url=https://a.example/p|dead-url=yes}}\n"
    new, _ = fixed(tmp_path, "a.wiki", text, [dead()])
    assert new == text


def test_wikitext_only_url_gets_archive_parameters(tmp_path: Path) -> None:
    text = "{{cite book|chapter-url=https://dead.example/p|title=B}}\n"
    new, skipped = fixed(tmp_path, "a.wiki", text, [dead()])
    assert new == text and skipped == ["only a citation's url= gets archive parameters"]


def test_wikitext_nested_templates_and_comments(tmp_path: Path) -> None:
    text = "{{cite web |url=https://dead.example/p |title={{lang|fr|Titre}} <!-- |x}} -->|via=[[A|B]]}}\n"
    new, _ = fixed(tmp_path, "a.wiki", text, [dead()])
    assert new == text.replace("|via=[[A|B]]}}", f"|via=[[A|B]]|archive-url={ARCHIVE}|archive-date=2020-01-02|url-status=dead}}}}")


def test_bibtex_note_in_quotes_gets_the_archive_appended(tmp_path: Path) -> None:
    text = '@misc{k, url = {https://dead.example/p}, note = "Seen 2019", urldate = {2019-01-01}}\n'
    new, _ = fixed(tmp_path, "a.bib", text, [dead()])
    assert new == text.replace('"Seen 2019"', f'"Seen 2019; Archived at \\url{{{ARCHIVE}}}"')


def test_bibtex_escaped_url_keeps_its_escapes(tmp_path: Path) -> None:
    text = "@misc{k, url = {https://example.org/a\\_b}}\n"
    new, _ = fixed(tmp_path, "a.bib", text, [moved("https://example.org/a_b", "https://example.org/c_d%20e")])
    assert new == "@misc{k, url = {https://example.org/c\\_d%20e}}\n"


def test_bibtex_doi_is_never_rewritten(tmp_path: Path) -> None:
    text = "@article{k, doi = {10.1000/xyz}}\n"
    new, skipped = fixed(tmp_path, "a.bib", text, [moved("https://doi.org/10.1000/xyz", "https://doi.org/10.1000/abc")], cross_site=True)
    assert new == text and skipped == ["doi:10.1000/xyz is an identifier: never rewritten"]


def test_rst_trailing_underscore_is_escaped_in_an_embedded_uri(tmp_path: Path) -> None:
    new, _ = fixed(tmp_path, "a.rst", "See `a <https://example.org/a>`_.\n", [moved("https://example.org/a", "https://example.org/b_")])
    assert new == "See `a <https://example.org/b\\_>`_.\n"


def test_two_dead_urls_in_one_bibtex_entry_add_the_fields_once(tmp_path: Path) -> None:
    text = "@misc{k,\n  url = {https://dead.example/p},\n  howpublished = {\\url{https://dead.example/q}}\n}\n"
    new, _ = fixed(tmp_path, "a.bib", text, [dead(), dead("https://dead.example/q")])
    assert new.count("urldate") == 1 and new.count("Archived at") == 1


def test_overlapping_paths_rewrite_each_spot_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_history(tmp_path / "archive", [moved("http://example.org/a", "https://example.org/b"), dead()])
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.md").write_text("[a](http://example.org/a) [p](https://dead.example/p)\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    with History(tmp_path / "archive") as history:
        plan = plan_fixes(["docs", "docs/a.md"], history, Settings())
    assert plan.files[0].text == f"[a](https://example.org/b) [p](https://dead.example/p) ([archived]({ARCHIVE}))\n"


def test_markdown_definition_uses_before_and_after_other_changes(tmp_path: Path) -> None:
    text = "[r][p] [a](http://example.org/a)\n\n[p]: https://dead.example/p\n\nLater [r][p].\n"
    new, _ = fixed(tmp_path, "a.md", text, [moved("http://example.org/a", "https://example.org/b"), dead()])
    note = f" ([archived]({ARCHIVE}))"
    assert new == f"[r][p]{note} [a](https://example.org/b)\n\n[p]: https://dead.example/p\n\nLater [r][p]{note}.\n"


def test_plaintext_url_that_would_not_read_back_is_skipped(tmp_path: Path) -> None:
    new, skipped = fixed(tmp_path, "a.txt", "See (https://example.org/a).\n", [moved("https://example.org/a", "https://example.org/b)")])
    assert new == "See (https://example.org/a).\n"
    assert skipped == ["https://example.org/b) would not read back as one bare URL"]


def test_plaintext_balanced_parentheses_and_quotes_stay_readable(tmp_path: Path) -> None:
    text = 'He said "https://example.org/a" and (https://dead.example/p).\n'
    new, _ = fixed(tmp_path, "a.txt", text, [moved("https://example.org/a", 'https://example.org/w_(x)"y'), dead()])
    assert new == f'He said "https://example.org/w_(x)%22y" and (https://dead.example/p [archived: {ARCHIVE}]).\n'


def test_plaintext_annotation_names_any_archive_and_is_not_added_twice(tmp_path: Path) -> None:
    text = "(https://dead.example/p [archived: https://other.example/copy])\n"
    new, skipped = fixed(tmp_path, "a.txt", text, [dead()])
    assert (new, skipped) == (text, [])
