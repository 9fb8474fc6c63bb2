"""A throwaway PostgreSQL server for tests: its own data folder, a Unix socket, no TCP.

`initdb` refuses to run as root, so it runs as the `postgres` user (`runuser`), and so does
the server;
`fsync=off`, since nothing it holds outlives the test. The server is stopped by the pid
of the process this module started, never by name.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: Where Debian puts each major version's binaries; the newest is used.
BIN_GLOB = "/usr/lib/postgresql/*/bin"
USER = "postgres"
START_TIMEOUT = 30.0


def binaries() -> Path | None:
    """The folder holding `initdb` and `postgres`, or None when PostgreSQL is not installed."""
    found = [Path(folder) for folder in glob.glob(BIN_GLOB) if (Path(folder) / "initdb").is_file() and (Path(folder) / "postgres").is_file()]
    return max(found, key=lambda folder: int(folder.parent.name) if folder.parent.name.isdigit() else 0) if found else None


def unavailable() -> str | None:
    """Why a server cannot be started here (a skip reason), or None when it can."""
    if binaries() is None:
        return f"PostgreSQL is not installed (no initdb under {BIN_GLOB})"
    if os.geteuid() != 0:
        return "starting PostgreSQL needs root (initdb runs as the postgres user through runuser)"
    if shutil.which("runuser") is None:
        return "runuser is missing"
    try:
        import pwd

        pwd.getpwnam(USER)
    except KeyError:
        return f"there is no {USER!r} user"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install 'linkcheck[postgres]')"
    return None


def _as_postgres(*args: str) -> list[str]:
    return ["runuser", "-u", USER, "--", *args]


@contextmanager
def running_postgres() -> Iterator[str]:
    """Start a server in a fresh temporary folder; yield its URL; stop it and remove the folder."""
    bin_dir = binaries()
    assert bin_dir is not None
    root = Path(tempfile.mkdtemp(prefix="linkcheck-pg-"))
    data, sockets = root / "data", root / "sock"
    sockets.mkdir()
    shutil.chown(root, USER, USER)
    shutil.chown(sockets, USER, USER)
    server: subprocess.Popen[bytes] | None = None
    try:
        subprocess.run(
            _as_postgres(str(bin_dir / "initdb"), "-D", str(data), "-U", USER, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"),
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        log = open(root / "server.log", "wb")  # noqa: SIM115 - closed with the server below
        # Started as the postgres user by Popen itself, not through runuser: the pid we
        # hold is the server's own, so it is stopped by that pid (runuser ignores SIGINT).
        server = subprocess.Popen(
            [
                str(bin_dir / "postgres"), "-D", str(data), "-k", str(sockets),
                "-c", "listen_addresses=", "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
            ],
            user=USER, group=USER, extra_groups=[], cwd=root, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        log.close()
        url = f"postgresql:///postgres?host={sockets}&user={USER}"
        _wait_ready(server, url, root / "server.log")
        yield url
    finally:
        if server is not None:
            _stop(server)
        shutil.rmtree(root, ignore_errors=True)


def _wait_ready(server: subprocess.Popen[bytes], url: str, log: Path) -> None:
    import psycopg

    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if server.poll() is not None:
            raise RuntimeError(f"postgres exited with {server.returncode}: {log.read_text(errors='replace')[-2000:]}")
        try:
            psycopg.connect(url, connect_timeout=2).close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"postgres did not accept connections within {START_TIMEOUT}s: {log.read_text(errors='replace')[-2000:]}") from None
            time.sleep(0.05)


def _stop(server: subprocess.Popen[bytes]) -> None:
    """SIGINT to the server's pid (a fast shutdown: open sessions are ended), then wait;
    SIGKILL the same pid if it takes too long."""
    if server.poll() is None:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
