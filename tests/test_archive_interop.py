"""Other tools read what we write: pywb replays the archive folder; `wacz validate` accepts
our WACZ export.

Neither tool is a dependency of linkcheck (pywb alone brings gevent and two dozen more).
The tests run where they are installed: importable here, or named by LINKCHECK_PYWB /
LINKCHECK_WACZ (the path of the `pywb` / `wacz` executable of another venv), or on
PATH; otherwise they skip and say how to run them:

    python3 -m venv /tmp/pywbvenv && /tmp/pywbvenv/bin/pip install pywb wacz
    LINKCHECK_PYWB=/tmp/pywbvenv/bin/pywb LINKCHECK_WACZ=/tmp/pywbvenv/bin/wacz pytest tests/test_archive_interop.py
"""

from __future__ import annotations

import gzip
import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import httpx
import pytest

from linkcheck.archive.export import export_wacz
from tests.farm import redirect, respond
from tests.test_archive_helpers import capture_all

PAGE = b"<html><head><title>Replayed</title></head><body><p>The cited claim, as it was.</p></body></html>"


def tool(name: str, module_call: str) -> list[str] | None:
    configured = os.environ.get(f"LINKCHECK_{name.upper()}")
    if configured:
        return [configured]
    if importlib.util.find_spec(name) is not None:
        return [sys.executable, "-c", module_call]
    installed = INTEROP_VENV / "bin" / name  # what .ci/pywb installs
    if installed.is_file() and os.access(installed, os.X_OK):
        return [str(installed)]
    found = shutil.which(name)
    return [found] if found else None


#: The venv `.ci/pywb` makes beside the project's own (not a dependency of linkcheck).
INTEROP_VENV = Path(__file__).resolve().parent.parent / ".venv-interop"


PYWB = tool("pywb", "from pywb.apps.cli import wayback; wayback()")
WACZ = tool("wacz", "from wacz.main import main; raise SystemExit(main())")
HOW = "python3 -m venv /tmp/pywbvenv && /tmp/pywbvenv/bin/pip install pywb wacz; then set LINKCHECK_{0}=/tmp/pywbvenv/bin/{1}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.skipif(PYWB is None, reason="pywb is not installed (not a dependency); " + HOW.format("PYWB", "pywb"))
@pytest.mark.timeout(120)
def test_pywb_replays_the_archive_folder_as_a_collection(farm, tmp_path):
    site = farm.host()
    site.route("/page", respond(200, PAGE)).route("/moved", redirect(301, "/page"))
    zipped = gzip.compress(b"<p>zipped page</p>")
    site.route("/gz", respond(200, zipped, {"Content-Type": "text/html", "Content-Encoding": "gzip"}))
    folder = tmp_path / "archive"
    urls = [site.url("/moved"), site.url("/gz")]
    capture_all(folder, urls, clock=lambda: datetime(2026, 11, 1, tzinfo=timezone.utc))
    capture_all(folder, urls, clock=lambda: datetime(2026, 11, 20, tzinfo=timezone.utc))  # revisits

    # The exact recipe of linkcheck/archive/__init__.py: the folder IS the collection.
    replay = tmp_path / "replay"
    (replay / "collections").mkdir(parents=True)
    (replay / "collections" / "linkcheck").symlink_to(folder)
    port = free_port()
    server = subprocess.Popen([*PYWB, "--port", str(port), "--bind", "127.0.0.1"], cwd=replay,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}/linkcheck"
        with httpx.Client(timeout=10) as client:
            deadline = time.monotonic() + 60
            while True:
                try:
                    client.get(f"http://127.0.0.1:{port}/")
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline and server.poll() is None, "pywb did not start"
                    time.sleep(0.2)
            page = client.get(f"{base}/20261101000000id_/{site.url('/page')}")
            assert page.status_code == 200 and page.content == PAGE
            hop = client.get(f"{base}/20261101000000id_/{site.url('/moved')}")
            assert hop.status_code == 301 and hop.headers["location"].endswith("/page")
            again = client.get(f"{base}/20261120000000id_/{site.url('/page')}")  # a revisit record
            assert again.content == PAGE and "20 Nov 2026" in again.headers["memento-datetime"]
            unzipped = client.get(f"{base}/20261101000000id_/{site.url('/gz')}")
            assert unzipped.content == b"<p>zipped page</p>"
            framed = client.get(f"{base}/mp_/{site.url('/moved')}", follow_redirects=True)  # rewritten replay
            assert framed.status_code == 200 and b"The cited claim, as it was." in framed.content
    finally:
        server.terminate()
        server.communicate(timeout=10)


@pytest.mark.skipif(WACZ is None, reason="the wacz package is not installed (not a dependency); " + HOW.format("WACZ", "wacz"))
@pytest.mark.timeout(120)
def test_wacz_validate_accepts_the_export(farm, tmp_path):
    site = farm.host().route("/page", respond(200, PAGE)).route("/moved", redirect(302, "/page"))
    capture_all(tmp_path / "archive", [site.url("/page"), site.url("/moved")])
    output = tmp_path / "cites.wacz"
    export_wacz(tmp_path / "archive", output)
    checked = subprocess.run([*WACZ, "validate", "-f", str(output)], capture_output=True, text=True, timeout=100)
    assert checked.returncode == 0 and "Validation succeeded" in checked.stdout, checked.stdout + checked.stderr


def test_the_replay_recipe_is_documented():
    import linkcheck.archive

    doc = linkcheck.archive.__doc__ or ""
    assert 'ln -s "$PWD/archive" replay/collections/linkcheck' in doc and "pywb --port 8080" in doc
    assert Path(linkcheck.archive.__file__).parent.joinpath("index.py").is_file()
