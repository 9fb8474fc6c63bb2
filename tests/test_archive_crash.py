"""Crash safety and locking: SIGKILL at random moments, orphan recovery, two runs at once."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from linkcheck.archive.index import Catalog
from linkcheck.archive.verify import verify_archive
from linkcheck.archive.warc import parse_record, read_member, resolve_warc
from tests.farm import respond
from tests.test_archive_helpers import capture_all, read_records

ROOT = Path(__file__).resolve().parent.parent


def archive_command(folder: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "linkcheck", "archive", "capture", "--archive-dir", str(folder), *args]


def spawn(folder: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(archive_command(folder, *args), cwd=folder.parent, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip


def assert_catalog_points_at_whole_records(folder: Path) -> int:
    """Before any recovery: every catalog row names a complete record whose digests verify."""
    catalog = Catalog(folder / "catalog.sqlite", readonly=True)
    try:
        entries = catalog.all()
    finally:
        catalog.close()
    for entry in entries:
        record = parse_record(read_member(resolve_warc(folder, entry.warc_file), entry.offset, entry.length))
        assert record.record_id == entry.record_id and not record.digest_problems, entry
    return len(entries)


def test_sigkill_at_any_moment_leaves_an_archive_that_verifies(farm, tmp_path):
    site = farm.host()
    for n in range(60):  # a run takes about a second: 60 pages, 4 at a time, 50 ms each
        site.route(f"/p{n}", respond(200, f"<title>{n}</title>".encode() + os.urandom(50_000).hex().encode(), delay=0.05))
    urls = [site.url(f"/p{n}") for n in range(60)]
    folder = tmp_path / "archive"
    seed = int(time.time())
    rng = random.Random(seed)
    orphans = 0
    indexed = 0
    for kill in range(10):
        process = spawn(folder, *urls)
        time.sleep(rng.uniform(0.25, 1.2))
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=10)
        if not folder.joinpath("catalog.sqlite").exists():
            continue  # killed before the archive existed
        orphans += bool(list((folder / "archive").glob("*.open")))
        indexed = max(indexed, assert_catalog_points_at_whole_records(folder))
        result = verify_archive(folder)
        assert result.ok, (f"seed {seed}, kill {kill}", result.problems)
    assert orphans, f"seed {seed}: no kill landed while a WARC file was open; the test proved nothing"
    final = spawn(folder, *urls)
    out, err = final.communicate(timeout=60)
    assert final.returncode == 0, err
    assert len(out.splitlines()) == 60
    result = verify_archive(folder)
    assert result.ok and not result.notes, result
    assert assert_catalog_points_at_whole_records(folder) > indexed


def test_an_orphan_file_is_recovered_and_its_cut_record_dropped(farm, tmp_path):
    site = farm.host().route("/a", respond(200, "<p>a</p>")).route("/b", respond(200, "<p>b</p>"))
    folder = tmp_path / "archive"
    [_, b] = capture_all(folder, [site.url("/a"), site.url("/b")])
    # Make it look like a run killed after writing /b but before indexing it, mid-way
    # through a further record: unindexed rows, temporary name, half a gzip member.
    warc = folder / b.warc_file
    catalog = Catalog(folder / "catalog.sqlite")
    rows = [e for e in catalog.in_file(b.warc_file) if e.url == site.url("/b")]
    catalog._db.execute("DELETE FROM records WHERE url = ?", (site.url("/b"),))
    catalog._db.commit()
    catalog.close()
    whole = warc.read_bytes()
    orphan = warc.with_name(warc.name + ".open")
    orphan.write_bytes(whole + whole[rows[0].offset : rows[0].offset + 30])
    warc.unlink()

    result = verify_archive(folder)
    assert result.ok, result.problems
    assert result.notes[0] == f"recovered {b.warc_file} from an interrupted run: indexed 2 more records, cut 30 bytes of an incomplete record"
    assert warc.read_bytes() == whole and not orphan.exists()
    assert [r[1] for r in read_records(folder) if r[0] == "response"] == [site.url("/a"), site.url("/b")]
    assert verify_archive(folder).notes == []


def test_two_runs_on_one_archive_take_turns(farm, tmp_path):
    site = farm.host()
    for n in range(16):
        site.route(f"/first{n}", respond(200, f"<p>first {n}</p>", delay=0.5))  # 2 s: 16 pages, 4 at a time
        site.route(f"/second{n}", respond(200, f"<p>second {n}</p>"))
    folder = tmp_path / "archive"
    first = spawn(folder, *(site.url(f"/first{n}") for n in range(16)))
    lock = folder / ".lock"
    deadline = time.monotonic() + 10
    while not (lock.exists() and lock.read_text().strip()) and time.monotonic() < deadline:
        time.sleep(0.02)
    second = spawn(folder, *(site.url(f"/second{n}") for n in range(16)))
    impatient = spawn(folder, "--lock-timeout", "0", site.url("/second0"))
    _, impatient_err = impatient.communicate(timeout=30)
    _, first_err = first.communicate(timeout=30)
    _, second_err = second.communicate(timeout=30)

    assert first.returncode == 0 and second.returncode == 0, (first_err, second_err)
    pid = str(first.pid)
    assert f"is in use by another linkcheck run (pid {pid}); waiting up to 1m for it" in second_err
    assert impatient.returncode == 5  # archive folder busy, as for `linkcheck check`
    assert f"is in use by another linkcheck run (pid {pid}) and was not released within 0s" in impatient_err
    assert verify_archive(folder).ok
    # No interleaving: each WARC file holds the records of one run only.
    files = sorted((folder / "archive").glob("*.warc.gz"))
    assert len(files) == 2
    for path in files:
        targets = {r[1].rsplit("/", 1)[1].rstrip("0123456789") for r in read_records_of(path) if r[1]}
        assert len(targets) == 1, (path, targets)


def read_records_of(path: Path) -> list:
    from warcio.archiveiterator import ArchiveIterator

    with open(path, "rb") as stream:
        return [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI")) for r in ArchiveIterator(stream)]


def test_the_lock_is_reentrant_within_one_process_only(tmp_path):
    """A check run holds the lock for its history; its Archive must not wait for itself."""
    import asyncio

    from linkcheck.archive import Archive
    from linkcheck.archive.lock import ArchiveLock

    held = ArchiveLock(tmp_path, timeout=0)
    held.acquire_blocking()
    try:

        async def inside() -> None:
            async with Archive(tmp_path, lock_timeout=0):
                pass

        asyncio.run(inside())
        assert (tmp_path / ".lock").read_text().strip() == str(os.getpid())  # still ours
        other = subprocess.run(
            [sys.executable, "-c", "import sys; from pathlib import Path; from linkcheck.archive.lock import ArchiveLock; "
             "ArchiveLock(Path(sys.argv[1]), 0.2).acquire_blocking()", str(tmp_path)],
            capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=30,
        )  # fmt: skip
        assert other.returncode != 0 and "ArchiveLocked" in other.stderr
    finally:
        held.release()
    assert (tmp_path / ".lock").read_text() == ""  # released for good by the last holder
