"""Writing a file the user named never replaces what is not a regular file (issue 17, defect 2).

As root, an atomic rename onto `/dev/null` replaces the machine's null device with a regular
file. These tests use a null device node of their own (`mknod`, needs root or CAP_MKNOD) and
a FIFO in a temporary folder, never the real `/dev/null`.
"""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from linkcheck.errors import UsageError
from linkcheck.outfile import check_writable, is_stdout, write_safely


def null_device(folder: Path) -> Path:
    """A character device node equal to /dev/null (major 1, minor 3), or skip without root."""
    path = folder / "null"
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except (PermissionError, OSError) as exc:
        pytest.skip(f"cannot create a device node here: {exc}")
    return path


def test_a_character_device_is_written_in_place_not_replaced(tmp_path):
    device = null_device(tmp_path)
    write_safely(device, lambda stream: stream.write("report\n"))
    assert stat.S_ISCHR(device.stat().st_mode)
    assert os.major(device.stat().st_rdev) == 1 and os.minor(device.stat().st_rdev) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null"]  # no temporary left behind


def test_a_fifo_is_written_in_place_and_its_reader_gets_the_bytes(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    write_safely(fifo, lambda stream: stream.write("through the pipe\n"))
    reader.join(timeout=10)
    assert received == [b"through the pipe\n"]
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_a_regular_file_is_replaced_atomically_keeping_its_mode(tmp_path):
    target = tmp_path / "report.json"
    target.write_text("old")
    target.chmod(0o640)
    inode = target.stat().st_ino
    write_safely(target, lambda stream: stream.write("new"))
    assert target.read_text() == "new"
    assert target.stat().st_ino != inode  # renamed over, not truncated: readers see old or new
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "report.json"
    target.write_text("old")

    def fails(stream):
        stream.write("half")
        raise RuntimeError("renderer crashed")

    with pytest.raises(RuntimeError):
        write_safely(target, fails)
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_a_symbolic_link_stays_a_link_and_its_target_is_replaced(tmp_path):
    real = tmp_path / "real.json"
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    write_safely(link, lambda stream: stream.write("new"))
    assert link.is_symlink()
    assert real.read_text() == "new"


def test_bytes_for_binary_outputs(tmp_path):
    write_safely(tmp_path / "x.wacz", lambda stream: stream.write(b"PK\x03\x04"), binary=True)
    assert (tmp_path / "x.wacz").read_bytes() == b"PK\x03\x04"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("missing/x.json", "does not exist"),
        ("folder", "is a folder"),
    ],
)
def test_an_unwritable_path_is_refused_before_anything_is_written(tmp_path, name, message):
    (tmp_path / "folder").mkdir()
    with pytest.raises(UsageError, match=message):
        check_writable(tmp_path / name, "report")


def test_a_read_only_folder_is_refused(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root writes everywhere")
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(UsageError, match="not writable"):
            check_writable(folder / "x.json")
    finally:
        folder.chmod(0o700)


def test_devices_new_files_and_regular_files_pass_the_early_check(tmp_path):
    check_writable(null_device(tmp_path))
    check_writable(tmp_path / "new.json")
    (tmp_path / "old.json").write_text("")
    check_writable(tmp_path / "old.json")


def test_dash_means_stdout():
    assert is_stdout("-") and is_stdout(None)
    assert not is_stdout("report.json")
