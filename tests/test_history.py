"""The history store, the diff and the confirmation rule, without a network."""

from datetime import datetime, timedelta, timezone

import pytest

from linkcheck.confirm import ConfirmRule, confirm
from linkcheck.history import History, compare, inputs_key
from linkcheck.models import Location, Result, Status, DEFAULT_FAIL_ON

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=timezone.utc)


def result(url, status, at, **extra):
    return Result(url=url, status=status, checked_at=at, locations=[Location("a.md", 1, 1)], **extra)


def test_runs_and_checks_round_trip(tmp_path):
    with History(tmp_path) as history:
        run = history.start_run(inputs_key(["docs"]), T0)
        history.record(run, result("https://a.example/", Status.OK, T0, http_status=200))
        history.record(run, result("https://b.example/", Status.DEAD, T0, http_status=404, error="not found (404)"))
        history.finish_run(run, T0 + timedelta(seconds=5), 1, 2, interrupted=False)
        [listed] = history.runs()
        assert (listed.id, listed.state, listed.urls, listed.broken) == (run, "complete", 2, 1)
        [check] = history.timeline("https://b.example/")
        assert (check.status, check.http_status, check.error, check.checked_at) == (Status.DEAD, 404, "not found (404)", T0)


def test_latest_many_is_latest_for_each_url(tmp_path):
    """One query per 500 URLs must answer exactly what `latest` answers URL by URL, ties
    included: a cached verdict is recorded again in a later run with the same check time,
    and the check it copies stays the newest."""
    from linkcheck.models import Redirect

    with History(tmp_path) as history:
        runs = [history.start_run(inputs_key(["docs"]), T0 + timedelta(hours=n)) for n in range(3)]
        history.record(runs[0], result("https://a.example/", Status.DEAD, T0, http_status=404))
        history.record(runs[1], result("https://a.example/", Status.OK, T0 + timedelta(hours=1), http_status=200))
        history.record(runs[0], result("https://b.example/", Status.OK, T0, redirects=[Redirect("https://b.example/x", 301)]))
        history.record(runs[1], result("https://b.example/", Status.OK, T0, cached=True))  # same time, later run
        history.record(runs[2], result("https://c.example/", Status.OK, T0 + timedelta(hours=2)))
        history.flush()
        urls = ["https://a.example/", "https://b.example/", "https://c.example/", "https://none.example/"]
        for before in runs[1:] + [runs[2] + 1]:
            many = history.latest_many(urls, before)
            one = {url: history.latest(url, before_run=before) for url in urls}
            assert many == {url: check for url, check in one.items() if check is not None}
            assert len(many) == (3 if before > runs[2] else 2)
            assert history.latest_all(before) == many  # every URL the history holds: these
        # b's verdict reused in run 1 is a copy: the newest check of b is still run 0's
        newest_b = history.latest_many(urls, runs[2] + 1)["https://b.example/"]
        assert (newest_b.run_id, newest_b.cached, newest_b.redirects) == (runs[0], False, [Redirect("https://b.example/x", 301)])


def test_finding_the_newest_verdicts_costs_the_same_after_3_runs_or_60(tmp_path):
    """A cron job's history grows by a run a day; the repeat run asks for the newest verdict
    of every citation. Counted in SQLite's own steps (its progress handler), not in time:
    after 60 runs the same question costs about what it cost after 3 (reading every earlier
    check of every URL would cost 20 times as much)."""
    urls = [f"https://h{n % 9}.example/page/{n}" for n in range(300)]

    def steps_after(runs: int, folder) -> int:
        with History(folder) as history:
            for n in range(runs):
                run = history.start_run(inputs_key(["docs"]), T0 + timedelta(days=n))
                for url in urls:
                    history.record(run, result(url, Status.OK, T0 + timedelta(days=n // 2), cached=n % 2 == 1))
                history.finish_run(run, T0 + timedelta(days=n, seconds=1), 1, len(urls), interrupted=False)
            history.flush()
            asked = history.start_run(inputs_key(["docs"]), T0 + timedelta(days=runs))
            counted = [0]

            def count() -> int:
                counted[0] += 1
                return 0

            history.db.set_progress_handler(count, 100)
            newest = history.latest_many(urls, asked)
            history.db.set_progress_handler(None, 0)
            last_fresh = asked - (1 if (runs - 1) % 2 == 0 else 2)  # odd runs only reused verdicts
            assert {url: check.run_id for url, check in newest.items()} == {url: last_fresh for url in urls}
            return counted[0]

    few, many = steps_after(3, tmp_path / "three"), steps_after(60, tmp_path / "sixty")
    assert many < 2 * few, (few, many)


def test_reused_verdicts_stay_out_of_the_url_index_yet_in_the_timeline(tmp_path):
    """A repeat run records every reused verdict again. Entered in the URL index, each copy
    lands beside its URL's earlier entries, one page touched per URL: 10,000 reused verdicts
    took 59 ms to record after one run and 236 ms after sixty. The index holds only checks
    that made a request; the copies are found through the primary key, one search per run,
    and every query that reads by URL still searches instead of scanning the table."""
    urls = [f"https://h{n % 5}.example/{n}" for n in range(40)]
    with History(tmp_path) as history:
        first = history.start_run(inputs_key(["docs"]), T0)
        for url in urls:
            history.record(first, result(url, Status.OK, T0))
        for n in range(1, 6):
            run = history.start_run(inputs_key(["docs"]), T0 + timedelta(hours=n))
            for url in urls:
                history.record(run, result(url, Status.OK, T0, cached=True))
        history.flush()
        indexed = history.db.execute("SELECT count(*) FROM checks INDEXED BY checks_fresh WHERE cached = 0 AND url >= ''").fetchone()[0]
        assert indexed == len(urls)
        asked = history.start_run(inputs_key(["docs"]), T0 + timedelta(days=1))
        statements: list[str] = []
        history.db.set_trace_callback(statements.append)
        timeline = history.timeline(urls[7])
        newest = history.latest(urls[7], before_run=asked)
        many = history.latest_many(urls, asked)
        everything = history.latest_all(asked)
        streak = history.failure_streak(urls[7], frozenset({Status.DEAD}), asked)
        history.db.set_trace_callback(None)
        assert [(check.run_id, check.cached) for check in timeline] == [(first, False)] + [(first + n, True) for n in range(1, 6)]
        assert newest is not None and (newest.run_id, newest.cached) == (first, False)
        assert many == everything == {url: history.latest(url, before_run=asked) for url in urls}
        assert streak == []
        plans = [detail for sql in statements for *_, detail in history.db.execute("EXPLAIN QUERY PLAN " + sql)]
        assert plans and not [step for step in plans if step.startswith("SCAN checks") and "USING" not in step], plans


def test_a_batch_is_written_in_url_order_and_the_last_record_of_a_url_wins(tmp_path):
    """`flush` sorts a batch by URL (cheaper index writes); a URL recorded twice in one run
    still keeps its later record, and `latest_many` answers across its 500-URL chunks."""
    urls = [f"https://h{n % 7}.example/{1200 - n}" for n in range(1200)]
    with History(tmp_path) as history:
        first = history.start_run(inputs_key(["docs"]), T0)
        for url in urls:
            history.record(first, result(url, Status.OK, T0))
        history.record(first, result(urls[5], Status.DEAD, T0 + timedelta(seconds=1), http_status=404))
        history.flush()
        second = history.start_run(inputs_key(["docs"]), T0 + timedelta(hours=1))
        many = history.latest_many(urls, second)
        assert set(many) == set(urls)
        assert many[urls[5]].status is Status.DEAD and many[urls[4]].status is Status.OK
        assert all(many[url] == history.latest(url, before_run=second) for url in urls[:50])
        assert history.statuses(first)[urls[5]] is Status.DEAD


def test_a_run_left_running_by_a_dead_process_reads_as_interrupted(tmp_path):
    with History(tmp_path) as history:
        run = history.start_run("[]", T0)
        history.db.execute("UPDATE runs SET pid = 999999999 WHERE id = ?", (run,))
    with History(tmp_path) as history:
        assert history.runs()[0].state == "interrupted"


def test_diff_categories():
    before = {"a": Status.OK, "b": Status.DEAD, "c": Status.ERROR, "gone": Status.OK}
    now = {"a": Status.DEAD, "b": Status.OK, "c": Status.ERROR, "new": Status.OK}
    diff = compare(7, before, now, DEFAULT_FAIL_ON)
    assert (diff.new_broken, diff.fixed, diff.still_broken, diff.new_citations, diff.removed_citations) == (
        ["a"], ["b"], ["c"], ["new"], ["gone"]
    )


def test_first_run_has_nothing_to_compare():
    assert compare(None, {}, {"a": Status.DEAD}, DEFAULT_FAIL_ON).new_broken == []


def test_diff_compares_only_runs_over_the_same_inputs(tmp_path):
    with History(tmp_path) as history:
        for inputs, status in ((inputs_key(["a"]), Status.OK), (inputs_key(["b"]), Status.OK), (inputs_key(["a"]), Status.DEAD)):
            run = history.start_run(inputs, T0)
            history.record(run, result("https://x.example/", status, T0))
            history.finish_run(run, T0, 1, 1, interrupted=False)
        diff = history.diff(run, DEFAULT_FAIL_ON)
        assert diff.previous_run == 1 and diff.new_broken == ["https://x.example/"]


@pytest.mark.parametrize(("text", "rule"), [("", ConfirmRule()), ("1", ConfirmRule(1, 0)), ("3/72h", ConfirmRule(3, 259200.0))])
def test_confirm_rule_parsing(text, rule):
    assert ConfirmRule.parse(text) == rule


@pytest.mark.parametrize("text", ["0", "x/3h", "3/soon", "-1"])
def test_bad_confirm_rules(text):
    with pytest.raises(ValueError):
        ConfirmRule.parse(text)


def test_confirmation_needs_both_count_and_span():
    rule = ConfirmRule(3, 72 * 3600)
    dead = result("u", Status.DEAD, T0 + timedelta(hours=80), error="not found (404)")
    # third failure, but only 48 h after the first: still suspect
    early = confirm(dead, [T0 + timedelta(hours=32), T0 + timedelta(hours=56)], rule, T0 + timedelta(hours=80))
    assert early.status is Status.SUSPECT and "failure 3 of 3" in early.error
    # third failure 80 h after the first: confirmed
    late = confirm(dead, [T0, T0 + timedelta(hours=40)], rule, T0 + timedelta(hours=80))
    assert late.status is Status.DEAD and late.failing_since == T0
    # second failure after 100 h: not enough checks
    few = confirm(dead, [T0], rule, T0 + timedelta(hours=100))
    assert few.status is Status.SUSPECT and few.failing_since == T0
    assert confirm(dead, [], ConfirmRule(), T0).status is Status.DEAD


@pytest.mark.parametrize(
    "location",
    [
        Location("a.md", 1, 1),
        Location("/docs/näme \"quoted\" \\ \u2028 tab\t.md", 120, 7),
        Location("a.md", None, None),
        Location("a.pdf", None, None, page=3),
        Location("a.ipynb", 40, 2, "text", cell=2, cell_line=4),
        Location("a.md", 3, 4, "link text", cited_as="doi:10.1000/182"),
        Location("a.epub", 8, 3, part="ch1.xhtml"),
    ],
)
def test_a_location_is_stored_as_json_dumps_writes_it(location):
    import json

    from linkcheck.history import _location_json

    assert _location_json(location) == json.dumps(location.to_dict())


def test_a_recorded_row_is_what_it_was(tmp_path):
    """The row `record` writes, field by field, for a plain cached result and one with findings."""
    import json

    from linkcheck.models import Redirect

    local = T0.astimezone(timezone(timedelta(hours=2)))
    plain = result("https://a.example/", Status.OK, T0, http_status=200, cached=True)
    rich = Result(
        url="https://b.example/", status=Status.DEAD, http_status=404, checked_at=local, error="not found (404)",
        redirects=[Redirect("https://b.example/x", 301)], locations=[Location("b.md", 2, 3, page=1), Location("c.md", 1, 1)],
        drift={"score": 0.5}, failing_since=T0,
    )  # fmt: skip
    with History(tmp_path) as history:
        run = history.start_run(inputs_key(["docs"]), T0)
        history.record(run, plain)
        history.record(run, rich)
        history.flush()
        rows = {row[1]: row for row in history.db.execute("SELECT * FROM checks")}
    a, b = rows["https://a.example/"], rows["https://b.example/"]
    assert a[2:] == ("ok", 200, None, "[]", None, "2026-11-01T12:00:00.000000+00:00", 0, 1, 1, '{"file": "a.md", "line": 1, "column": 1}', None)
    assert b[5] == json.dumps([{"url": "https://b.example/x", "status": 301}]) and b[7] == "2026-11-01T12:00:00.000000+00:00"
    assert (b[10], json.loads(b[11]), json.loads(b[12])) == (2, {"file": "b.md", "line": 2, "column": 3, "page": 1}, {"drift": {"score": 0.5}, "failing_since": "2026-11-01T12:00:00.000000+00:00"})


def test_reused_verdicts_wait_for_a_larger_batch_checked_ones_do_not(tmp_path, monkeypatch):
    """A killed run loses at most _BATCH checked results (or a second's worth); reused
    verdicts, which cost no request, are written in batches of _REUSED_BATCH."""
    import linkcheck.history as history_module

    monkeypatch.setattr(history_module, "_FLUSH_SECONDS", 3600.0)
    written = lambda history: history.db.execute("SELECT COUNT(*) FROM checks").fetchone()[0]  # noqa: E731
    with History(tmp_path) as history:
        run = history.start_run(inputs_key(["docs"]), T0)
        for n in range(history_module._BATCH + 10):
            history.record(run, result(f"https://reused.example/{n}", Status.OK, T0, cached=True))
        assert written(history) == 0
        for n in range(history_module._BATCH):
            history.record(run, result(f"https://checked.example/{n}", Status.OK, T0))
        assert written(history) == 2 * history_module._BATCH + 10
        for n in range(history_module._REUSED_BATCH):
            history.record(run, result(f"https://more.example/{n}", Status.OK, T0, cached=True))
        assert written(history) == 2 * history_module._BATCH + 10 + history_module._REUSED_BATCH
