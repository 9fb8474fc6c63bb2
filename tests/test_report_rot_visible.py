"""Drift and archived copies are visible in every report, not only in JSON (issue 17, defect 3).

A run over a folder with a drifted page (live, 200, but rewritten since it was archived) and a
dead page that has an archived copy: the terminal (with and without -v), HTML, Markdown, CSV,
SARIF, GitHub annotations, JUnit and `linkcheck history` name the drift (similarity, and the
capture it was compared with) and the suggested copy; the HTML report gives them columns and
lists broken and drifted rows first; `--fail-on drift` never prints "No broken citations."
"""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from click.testing import CliRunner

from linkcheck.history import History
from linkcheck.models import Report, Status
from linkcheck.report import ReportOptions, writer
from linkcheck.report.terminal import summary_line
from tests.report_samples import DEAD_COPY, DEAD_URL, DRIFT_COPY, DRIFTED_URL, rot_report
from tests.test_cli import env as env  # noqa: F401 - the fixture (an empty folder trusting the farm), shared

SIMILARITY = "0.31"
SINCE = "2026-10-01"


def render(name: str, report: Report | None = None, **options) -> str:
    stream = io.StringIO(newline="")
    writer(name)(report or rot_report(), stream, ReportOptions(**options))
    return stream.getvalue()


def _plain(text: str) -> str:
    """Terminal output with the table's folding undone (a long URL may be folded over lines)."""
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("verbose", [False, True], ids=["default", "verbose"])
def test_terminal_shows_drift_and_the_archived_copies(verbose):
    out = render("terminal", width=300, verbose=verbose)
    drifted_row = next(line for line in out.splitlines() if DRIFTED_URL in line)
    assert "ok, drifted" in drifted_row  # not plain `ok`
    assert f"similarity {SIMILARITY} to the capture of {SINCE} 08:00Z" in drifted_row
    assert DRIFT_COPY in drifted_row and "Wayback Machine" in drifted_row
    dead_rows = [line for line in out.splitlines() if DEAD_URL + " " in line]
    assert len(dead_rows) == 2 and all(DEAD_COPY in line for line in dead_rows)
    assert "1 drifted citation (1 URL)" in out
    assert "2 archived copies suggested" in out


def test_terminal_folded_at_80_columns_still_names_everything():
    flat = _plain(render("terminal", width=80))
    for needle in (DRIFTED_URL, DRIFT_COPY, DEAD_COPY, f"similarity{SIMILARITY}", SINCE):
        assert needle in flat


def test_a_drifted_page_alone_is_listed_without_verbose():
    report = Report([rot_report().results[0]], rot_report().started_at, rot_report().finished_at, documents=1, links=1)
    out = render("terminal", report, width=200)
    assert DRIFTED_URL in out and "No broken citations. 1 drifted citation (1 URL)" in out


def test_fail_on_drift_never_says_no_broken_citations():
    report = Report([rot_report().results[0]], rot_report().started_at, rot_report().finished_at, documents=1, links=1)
    line = summary_line(report, ReportOptions(fail_on_drift=True)).plain
    assert "No broken citations" not in line
    assert "1 broken citation (1 URL), including 1 drifted citation (1 URL, --fail-on drift)." in line
    assert "No broken citations" not in render("markdown", report, fail_on_drift=True)
    assert "No broken citations" not in render("html", report, fail_on_drift=True)
    quiet = render("terminal", report, quiet=True, fail_on_drift=True, width=200)
    assert DRIFTED_URL in quiet  # cron mail: what fails the run is shown


def test_summary_says_why_citations_were_excluded():
    from linkcheck.report.plain import excluded_reasons

    assert excluded_reasons(rot_report()) == [
        ("private addresses (--allow-private permits them)", 2),
        ("excluded by pattern 'skip\\.example'", 1),
    ]
    line = summary_line(rot_report(), ReportOptions()).plain
    assert "3 excluded: 2 private addresses (--allow-private permits them), 1 excluded by pattern 'skip\\.example'." in line


def test_summary_grammar_for_one():
    report = Report([rot_report().results[0]], rot_report().started_at, rot_report().finished_at, documents=1, links=1)
    line = summary_line(report, ReportOptions()).plain
    assert line.startswith("1 unique URL, 1 citation, 1 document:")


def test_markdown_shows_drift_and_the_archived_copies():
    text = render("markdown")
    assert "### Broken citations" in text and "### Drifted citations" in text
    drifted = next(line for line in text.splitlines() if DRIFTED_URL in line and line.startswith("|"))
    assert "`ok` drifted" in drifted and f"similarity {SIMILARITY}" in drifted and SINCE in drifted and DRIFT_COPY in drifted
    assert all(DEAD_COPY in line for line in text.splitlines() if line.startswith("|") and DEAD_URL + " |" in line)
    assert "| drifted (content changed; any status) | 1 | 1 | warning |" in text


def test_markdown_heading_warns_of_drift_when_nothing_is_broken():
    report = Report([rot_report().results[0]], rot_report().started_at, rot_report().finished_at, documents=1, links=1)
    assert render("markdown", report).startswith("## linkcheck: ⚠️ no broken citations, 1 drifted citation (1 URL)")


def _html_rows(text: str) -> list[dict[str, str]]:
    data = json.loads(re.search(r'<script type="application/json" id="report-data">(.*?)</script>', text).group(1))
    return data["rows"]


def test_html_has_drift_and_copy_columns_and_lists_broken_and_drifted_first():
    text = render("html")
    assert '<th scope="col" data-key="drift"' in text and '<th scope="col" data-key="copy"' in text
    rows = _html_rows(text)
    assert [(row["url"], row["kind"]) for row in rows[:3]] == [(DEAD_URL, "broken"), (DEAD_URL, "broken"), (DRIFTED_URL, "warning")]
    drifted = rows[2]
    assert drifted["drift"] == f"{SIMILARITY} since {SINCE} 08:00Z (drifted)" and drifted["drifted"] is True
    assert drifted["copy"] == DRIFT_COPY and "Wayback Machine" in drifted["copy_facts"]
    assert rows[0]["copy"] == DEAD_COPY
    assert f'<a href="{DEAD_COPY}" rel="noopener noreferrer nofollow">' in text  # the copy is a link
    assert '<option value="drifted">drifted</option>' in text and 'href="#status=drifted"' in text
    assert "<title>linkcheck report: 2 broken citations (1 URL); 1 drifted citation (1 URL)</title>" in text


def test_html_copy_link_only_for_http_urls():
    report = rot_report()
    report.results[1].suggestion = {"archive_url": "javascript:alert(1)", "captured_at": None, "source": "local"}
    text = render("html", report)
    assert 'href="javascript:' not in text and "javascript:alert(1)" in text


def test_csv_sarif_github_and_junit_carry_drift_and_copies():
    rows = list(csv.DictReader(io.StringIO(render("csv"), newline="")))
    drifted = next(row for row in rows if row["url"] == DRIFTED_URL)
    assert (drifted["drift_similarity"], drifted["drifted"], drifted["suggested_copy"]) == (SIMILARITY, "true", DRIFT_COPY)
    assert drifted["drift_compared_to"].startswith(SINCE)
    assert {row["suggested_copy"] for row in rows if row["url"] == DEAD_URL} == {DEAD_COPY}

    sarif = json.loads(render("sarif"))["runs"][0]
    by_url = {result["properties"]["url"]: result for result in sarif["results"]}
    assert by_url[DRIFTED_URL]["ruleId"] == "drift" and by_url[DRIFTED_URL]["level"] == "warning"
    assert f"similarity {SIMILARITY}" in by_url[DRIFTED_URL]["message"]["text"]
    assert DEAD_COPY in by_url[DEAD_URL]["message"]["text"] and by_url[DEAD_URL]["properties"]["suggestion"]["archive_url"] == DEAD_COPY
    assert json.loads(render("sarif", fail_on_drift=True))["runs"][0]["results"][0]["level"] == "error"

    github = render("github")
    assert any(line.startswith("::warning ") and DRIFTED_URL in line and SIMILARITY in line for line in github.splitlines())
    assert all(DEAD_COPY in line for line in github.splitlines() if line.startswith("::error "))

    junit = render("junit", fail_on_drift=True)
    assert 'type="drift"' in junit and f"suggested_copy: {DEAD_COPY}" in junit


@pytest.mark.parametrize("status", list(Status), ids=str)
def test_every_status_renders_with_drift_and_a_copy(status):
    """Whatever the status (one added later, like `parked`, too), every report renders it with its drift and copy."""
    base = rot_report()
    result = base.results[0]
    result.status = status
    report = Report([result], base.started_at, base.finished_at, documents=1, links=1)
    for fail_on in (frozenset(), frozenset(Status)):
        for name in ("terminal", "markdown", "html", "csv", "sarif", "github", "junit"):
            if name == "junit" and status in (Status.EXCLUDED, Status.UNSUPPORTED) and status not in fail_on:
                continue  # a skipped test case: JUnit has no text for it (and such a URL was never fetched)
            text = _plain(render(name, report, fail_on=fail_on, width=120))
            assert DRIFTED_URL in text and SIMILARITY in text and DRIFT_COPY in text, name


# --- end to end: a new user's run over a folder --------------------------------------------------


def test_a_new_users_run_sees_drift_and_the_archived_copy_in_terminal_html_and_markdown(farm, env, monkeypatch):
    """Capture two pages with --archive; then one is rewritten and the other is gone: the next
    run's terminal, HTML and Markdown reports show the drift and the archived copy."""
    from tests.farm import respond
    from tests.test_cli import FAST, document, run
    from tests.test_rot_drift import page

    html = {"Content-Type": "text/html; charset=utf-8"}
    site = farm.host().route("/article", respond(200, page("tide-pools"), html)).route("/paper", respond(200, page("bees"), html))
    article, paper = site.url("/article"), site.url("/paper")
    document(env, "docs/news.md", f"# News\n\nThe study <{article}> and the paper <{paper}>.\n")
    code, out, err = run("check", "docs", *FAST, "--archive")
    assert code == 0, (out, err)

    site.route("/article", respond(200, page("tide-pools-rewritten"), html)).route("/paper", respond(404, "Not Found"))
    monkeypatch.setenv("COLUMNS", "400")  # one table row per line, to read it back
    code, out, err = run(
        "check", "docs", *FAST, "--offline-suggestions", "--format", "terminal", "--format", "html:report.html",
        "--format", "markdown:report.md",
    )  # fmt: skip
    assert code == 1, (out, err)
    drifted = next(line for line in out.splitlines() if article in line)
    assert "ok, drifted" in drifted and re.search(r"content drifted: similarity 0\.\d\d to the capture of \d{4}-\d\d-\d\d", drifted)
    dead = next(line for line in out.splitlines() if paper in line)
    assert " dead " in dead and re.search(r"archived copy: archive/\d{14}/" + re.escape(paper) + r" \(captured .*local archive\)", dead)
    assert "1 drifted citation (1 URL)" in out and "1 broken citation (1 URL)" in out

    report_html = (env / "report.html").read_text(encoding="utf-8")
    rows = _html_rows(report_html)
    assert [(row["url"], row["kind"]) for row in rows] == [(paper, "broken"), (article, "warning")]
    assert rows[1]["drifted"] is True and re.fullmatch(r"0\.\d\d since \d{4}-\d\d-\d\d \d\d:\d\dZ \(drifted\)", rows[1]["drift"])
    assert rows[0]["copy"].startswith("archive/") and rows[0]["copy"].endswith(paper)
    assert "local archive" in rows[0]["copy_facts"]

    markdown = (env / "report.md").read_text(encoding="utf-8")
    assert "### Broken citations" in markdown and "### Drifted citations" in markdown
    assert "`ok` drifted" in markdown and "content drifted: similarity 0." in markdown and "archived copy: archive/" in markdown

    # --fail-on drift alone: exit 1, and the summary says why (never "No broken citations.").
    code, out, err = run("check", "docs", *FAST, "--offline-suggestions", "--fail-on", "drift")
    assert code == 1, (out, err)
    assert "No broken citations" not in out and "1 drifted citation (1 URL, --fail-on drift)" in out


def test_history_shows_drift_and_the_archived_copy(tmp_path):
    """`linkcheck history URL` names the drift and the copy kept with each check."""
    from linkcheck.cli import cli

    report = rot_report()
    folder = tmp_path / "archive"
    folder.mkdir()
    with History(folder) as store:
        run_id = store.start_run('["docs"]', report.started_at)
        for result in report.results:
            store.record(run_id, result)
        store.finish_run(run_id, report.finished_at, report.documents, report.links, False)
    runner = CliRunner()
    out = runner.invoke(cli, ["history", "--archive-dir", str(folder), DRIFTED_URL], env={"COLUMNS": "250"}, catch_exceptions=False)
    assert out.exit_code == 0, out.output
    assert "ok, drifted" in out.stdout and f"similarity {SIMILARITY}" in out.stdout and DRIFT_COPY in _plain(out.stdout)
    out = runner.invoke(cli, ["history", "--archive-dir", str(folder), "--format", "json", DEAD_URL], catch_exceptions=False)
    assert json.loads(out.stdout)["checks"][-1]["suggestion"]["archive_url"] == DEAD_COPY
