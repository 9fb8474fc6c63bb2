"""The baseline: known-broken citations keyed by (file, url), a stable file, and `baseline write`."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from click.testing import CliRunner

import linkcheck.cli.baseline  # noqa: F401 - registers `baseline` for the direct `cli` invocations below
from linkcheck.baseline import (
    BASELINE_VERSION,
    Baseline,
    BaselineEntry,
    apply_baseline,
    baseline_from_json_report,
    baseline_from_report,
    load_baseline,
    write_baseline,
)
from linkcheck.cli import cli
from linkcheck.errors import InputError, UsageError
from linkcheck.models import DEFAULT_FAIL_ON, Location, Report, Result, Status
from linkcheck.pipeline import check_paths
from linkcheck.report.json_report import to_dict
from tests.farm import respond
from tests.helpers import fast_settings

T0 = datetime(2026, 11, 29, 14, 0, tzinfo=timezone.utc)
DEAD = "https://example.org/gone"
ERROR = "https://example.org/500"
ALIVE = "https://example.org/fine"


def report(*results: Result) -> Report:
    return Report(results=list(results), started_at=T0, finished_at=T0, documents=3, links=9)


def result(url: str, status: Status, *where: tuple[str, int]) -> Result:
    return Result(url, status, locations=[Location(file, line, 1) for file, line in where])


def sample() -> Report:
    return report(
        result(DEAD, Status.DEAD, ("docs/b.md", 4), ("docs/a.md", 9), ("docs/a.md", 2)),
        result(ERROR, Status.ERROR, ("docs/a.md", 5)),
        result(ALIVE, Status.OK, ("docs/a.md", 1)),
        result("https://example.org/moved", Status.REDIRECT_PERMANENT, ("docs/c.md", 1)),
        result("https://example.org/suspect", Status.SUSPECT, ("docs/c.md", 2)),
    )


def test_baseline_lists_broken_citations_once_per_file_and_url_sorted():
    known = baseline_from_report(sample())
    assert known.entries == (
        BaselineEntry("docs/a.md", ERROR, "error"),
        BaselineEntry("docs/a.md", DEAD, "dead"),
        BaselineEntry("docs/b.md", DEAD, "dead"),
    )


def test_fail_on_decides_what_is_broken():
    known = baseline_from_report(sample(), frozenset({Status.ERROR, Status.REDIRECT_PERMANENT}))
    assert [(e.file, e.url) for e in known.entries] == [("docs/a.md", ERROR), ("docs/c.md", "https://example.org/moved")]


def test_file_is_stable_sorted_and_one_entry_per_line(tmp_path):
    path = tmp_path / "linkcheck-baseline.json"
    write_baseline(baseline_from_report(sample()), path)
    assert path.read_text(encoding="utf-8") == (
        "{\n"
        '  "version": 1,\n'
        '  "citations": [\n'
        '    {"file": "docs/a.md", "url": "https://example.org/500", "status": "error"},\n'
        '    {"file": "docs/a.md", "url": "https://example.org/gone", "status": "dead"},\n'
        '    {"file": "docs/b.md", "url": "https://example.org/gone", "status": "dead"}\n'
        "  ]\n"
        "}\n"
    )
    first = path.read_bytes()
    # The same results in another order, another run time: the same bytes.
    shuffled = sample()
    shuffled.results.reverse()
    shuffled.finished_at = datetime(2027, 1, 1, tzinfo=timezone.utc)
    write_baseline(baseline_from_report(shuffled), path)
    assert path.read_bytes() == first
    assert load_baseline(path) == baseline_from_report(sample())
    assert not list(tmp_path.glob(".*.tmp"))


def test_empty_baseline_round_trips(tmp_path):
    path = tmp_path / "b.json"
    write_baseline(Baseline(), path)
    assert json.loads(path.read_text()) == {"version": BASELINE_VERSION, "citations": []}
    assert len(load_baseline(path)) == 0


def test_unicode_urls_and_files_stay_readable(tmp_path):
    path = tmp_path / "b.json"
    write_baseline(Baseline.from_citations([("docs/résumé.md", "https://пример.example/путь", "dead")]), path)
    assert "résumé" in path.read_text(encoding="utf-8")
    assert load_baseline(path).entries[0].url == "https://пример.example/путь"


def test_covers_matches_file_and_url_whatever_the_line():
    known = baseline_from_report(sample())
    dead = result(DEAD, Status.DEAD)
    assert known.covers(dead, Location("docs/a.md", 200, 17))  # moved inside its file
    assert known.covers(dead, Location("./docs/a.md", 1, 1))  # spelled differently
    assert known.covers(dead, Location("docs/x/../a.md", 1, 1))
    assert not known.covers(dead, Location("docs/c.md", 2, 1))  # cited in another file: new
    assert not known.covers(result(ALIVE, Status.DEAD), Location("docs/a.md", 1, 1))
    assert not known.covers(dead, None)


def test_status_is_not_part_of_the_key():
    known = Baseline.from_citations([("docs/a.md", DEAD, "dead")])
    assert known.covers(result(DEAD, Status.ERROR), Location("docs/a.md", 2, 1))


def test_apply_splits_known_new_fixed_and_unseen():
    known = Baseline.from_citations([
        ("docs/a.md", DEAD, "dead"),
        ("docs/a.md", ALIVE, "dead"),  # fixed since: cited, now ok
        ("docs/old.md", "https://example.org/removed", "dead"),  # not cited any more
    ])
    outcome = apply_baseline(sample(), known)
    assert [(r.url, l.file, l.line) for r, l in outcome.known] == [(DEAD, "docs/a.md", 2), (DEAD, "docs/a.md", 9)]
    assert [(r.url, l.file, l.line) for r, l in outcome.new] == [(ERROR, "docs/a.md", 5), (DEAD, "docs/b.md", 4)]
    assert outcome.fixed == [BaselineEntry("docs/a.md", ALIVE, "dead")]
    assert outcome.unseen == [BaselineEntry("docs/old.md", "https://example.org/removed", "dead")]
    assert outcome.failed
    assert [r.url for r in outcome.new_results] == [ERROR, DEAD]
    assert [r.url for r in outcome.known_results] == [DEAD]
    assert outcome.summary() == (
        "baseline: 2 new broken citations, 2 known (in the baseline), 1 fixed since the baseline; "
        "run `linkcheck baseline write` to drop fixed entries."
    )


def test_a_baseline_of_the_same_report_leaves_nothing_new():
    outcome = apply_baseline(sample(), baseline_from_report(sample()))
    assert not outcome.failed and not outcome.new and not outcome.fixed and not outcome.unseen
    assert len(outcome.known) == 4
    assert outcome.summary() == "baseline: 0 new broken citations, 4 known (in the baseline)."


def test_apply_follows_fail_on():
    known = Baseline()
    assert not apply_baseline(sample(), known, frozenset({Status.BLOCKED})).failed
    outcome = apply_baseline(sample(), known, frozenset({Status.SUSPECT}))
    assert [r.url for r, _ in outcome.new] == ["https://example.org/suspect"]


def test_a_result_cited_nowhere_is_always_new():
    outcome = apply_baseline(report(Result(DEAD, Status.DEAD)), Baseline.from_citations([("", DEAD, "dead")]))
    assert outcome.new == [(outcome.new[0][0], None)]


def test_from_json_report_equals_from_report():
    data = json.loads(json.dumps(to_dict(sample())))
    assert baseline_from_json_report(data) == baseline_from_report(sample())
    assert baseline_from_json_report(data, frozenset({Status.OK})).entries == (BaselineEntry("docs/a.md", ALIVE, "ok"),)


@pytest.mark.parametrize(
    "data, message",
    [
        ([], "not a linkcheck JSON report"),
        ({"results": [{"status": "dead"}]}, "result 1 has no"),
        ({"results": [{"url": DEAD, "status": "dead", "locations": [{"line": 1}]}]}, "location without"),
    ],
)
def test_from_json_report_rejects_other_json(data, message):
    with pytest.raises(UsageError) as caught:
        baseline_from_json_report(data, source="r.json")
    assert message in str(caught.value) and "r.json" in str(caught.value)


@pytest.mark.parametrize(
    "text, message",
    [
        ("{", "not valid JSON (line 1"),
        ("[]", "no \"version\""),
        ('{"version": 2, "citations": []}', "baseline version 2; this linkcheck reads version 1"),
        ('{"version": 1}', "\"citations\" must be a list"),
        ('{"version": 1, "citations": [{"file": "a.md"}]}', "citation 1 needs"),
    ],
)
def test_load_rejects_malformed_files_with_the_file_named(tmp_path, text, message):
    path = tmp_path / "b.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UsageError) as caught:
        load_baseline(path)
    assert message in str(caught.value) and str(path) in str(caught.value)


def test_load_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no such baseline file"):
        load_baseline(tmp_path / "nope.json")


# -- with real checks on loopback ---------------------------------------------------------


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LINKCHECK_NETWORK_PROBE_URLS", "")
    monkeypatch.setenv("LINKCHECK_NETWORK_ALLOW_PRIVATE", "true")
    return tmp_path


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def invoke(*args, input=None):
    outcome = CliRunner().invoke(cli, list(args), input=input)
    return outcome.exit_code, outcome.stdout, outcome.stderr


def test_write_by_checking_paths_records_only_what_is_broken(farm, env):
    site = farm.host().route("/ok", respond(200)).route("/gone", respond(404))
    write(env / "docs" / "a.md", f"- <{site.url('/ok')}>\n- <{site.url('/gone')}>\n- [local](missing.md)\n")
    code, out, err = invoke("baseline", "write", "--max-retries", "0", "docs")
    assert code == 0, err
    assert out == ""
    assert "wrote 2 known broken citations (2 URLs) to linkcheck-baseline.json" in err
    data = json.loads((env / "linkcheck-baseline.json").read_text(encoding="utf-8"))
    assert data == {
        "version": 1,
        "citations": [
            {"file": "docs/a.md", "url": "docs/missing.md", "status": "dead"},
            {"file": "docs/a.md", "url": site.url("/gone"), "status": "dead"},
        ],
    }
    assert not (env / "archive").exists()  # writing a baseline records no run history


def test_write_from_a_json_report_and_from_stdin(farm, env):
    site = farm.host().route("/gone", respond(410))
    write(env / "docs" / "a.md", f"<{site.url('/gone')}>\n")
    code, _, _ = invoke("check", "--no-history", "--max-retries", "0", "--format", "json:report.json", "docs")
    assert code == 1
    code, _, err = invoke("baseline", "write", "--from", "report.json", "-o", "known.json")
    assert code == 0, err
    expected = Baseline.from_citations([("docs/a.md", site.url("/gone"), "dead")])
    assert load_baseline(env / "known.json") == expected
    code, _, err = invoke("baseline", "write", "--quiet", "--from", "-", input=(env / "report.json").read_text())
    assert code == 0 and err == ""
    assert load_baseline(env / "linkcheck-baseline.json") == expected
    code, _, _ = invoke("baseline", "write", "--from", "report.json", "--fail-on", "error", "-o", "none.json")
    assert code == 0 and len(load_baseline(env / "none.json")) == 0


@pytest.mark.parametrize(
    "args, message",
    [
        (["baseline", "write"], "give PATHs to check, or --from"),
        (["baseline", "write", "--from", "r.json", "docs"], "not both"),
        (["baseline", "write", "--from", "missing.json"], "missing.json: no such report file"),
        (["baseline", "write", "--from", "bad.json"], "bad.json: not a JSON report"),
        (["baseline", "write", "--from", "other.json"], "not a linkcheck JSON report"),
        (["baseline", "write", "--from", "other.json", "--exclude", "x"], "the checking options do not apply"),
        (["baseline", "write", "no-such-folder"], "no-such-folder: no such file or folder"),
        (["baseline", "write", "--fail-on", "nonsense", "--from", "other.json"], "nonsense"),
    ],
)
def test_usage_errors_exit_2_with_one_clear_line(env, args, message):
    write(env / "bad.json", "{not json")
    write(env / "other.json", "[1, 2]")
    code, _, err = invoke(*args)
    assert code == 2
    assert message in err
    assert not (env / "linkcheck-baseline.json").exists()


def test_baseline_help_has_examples():
    for args in (["baseline", "--help"], ["baseline", "write", "--help"]):
        code, out, _ = invoke(*args)
        assert code == 0 and "Examples:" in out


def test_known_breakage_is_not_new_but_a_new_one_is(farm, env):
    """The flow `check --baseline` is built on: baseline today, then only new breakage fails."""
    site = farm.host().route("/gone", respond(404)).route("/ok", respond(200)).route("/new", respond(404))
    write(env / "docs" / "a.md", f"intro\n<{site.url('/gone')}>\n<{site.url('/ok')}>\n")
    settings = fast_settings(farm, **{"check.retries": 0, "history.enabled": False})
    known = baseline_from_report(check_paths(["docs"], settings), settings.fail_on)

    # Lines move, the known dead link is cited again in the same file: still known.
    write(env / "docs" / "a.md", f"new intro\n\nmore\n<{site.url('/gone')}>\n<{site.url('/ok')}>\nagain <{site.url('/gone')}>\n")
    outcome = apply_baseline(check_paths(["docs"], settings), known, settings.fail_on)
    assert not outcome.failed and len(outcome.known) == 2

    # A new dead link, and the known one cited from another file: both new.
    write(env / "docs" / "b.md", f"<{site.url('/new')}> and <{site.url('/gone')}>\n")
    outcome = apply_baseline(check_paths(["docs"], settings), known, settings.fail_on)
    assert outcome.failed
    assert sorted((r.url, l.file) for r, l in outcome.new) == sorted([(site.url("/new"), "docs/b.md"), (site.url("/gone"), "docs/b.md")])
    assert DEFAULT_FAIL_ON == settings.fail_on
