"""Pages per minute for `--capture http` (with requisites) against `--capture browser`, and
Chromium's memory per page, on loopback pages built by a script (issue 18).

Each page has a stylesheet, an image and a script that fetch()es JSON into the page, so
both modes store the same five resources (the browser adds a screenshot and page-info
record). The pages are served by a small threaded HTTP server on 127.0.0.1; nothing
leaves loopback, and the server stops when the script ends.

    .venv/bin/python bench/browser_capture.py [--pages 40] [--repeat 3]

Memory is the proportional set size (PSS) of Chromium's processes, read from
/proc/PID/smaps_rollup while the browser has pages open, so shared pages count once.
"""

from __future__ import annotations

import argparse
import asyncio
import http.server
import json
import os
import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx

from linkcheck.archive import Archive, CaptureOptions
from linkcheck.check.guard import AddressPolicy

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005fe02fe0d41f3e20000000049454e44ae426082"
)
APP = b"fetch('data.json').then(r => r.json()).then(d => { document.getElementById('out').textContent = d.text })"


def page(n: int) -> bytes:
    return (
        f"<html><head><title>Page {n}</title><link rel=stylesheet href='style.css'></head>"
        f"<body><img src='logo.png'><p id=out>loading</p><script src='app.js'></script></body></html>"
    ).encode()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        name = self.path.rsplit("/", 1)[-1]
        body, kind = {
            "style.css": (b"body { color: navy }" * 20, "text/css"),
            "logo.png": (PNG, "image/png"),
            "app.js": (APP, "application/javascript"),
            "data.json": (json.dumps({"text": f"fetched for {self.path}"}).encode(), "application/json"),
        }.get(name, (None, "text/html"))
        if body is None:
            body = page(len(self.path))
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return None


def chromium_pss_mb() -> float:
    """PSS of every process whose command line names chromium, in MB (0 if none)."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes()
            if b"chromium" not in command and b"chrome" not in command:
                continue
            for line in (entry / "smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


async def capture_all(mode: str, urls: list[str], folder: Path) -> tuple[float, float]:
    """(seconds, peak Chromium PSS MB) to capture `urls` one after another."""
    options = CaptureOptions(capture=mode, requisites=mode == "http", timeout=30)
    policy = AddressPolicy(allow_private=True)
    peak = 0.0
    async with httpx.AsyncClient() as client, Archive(folder, options=options, address_policy=policy) as archive:
        started = time.perf_counter()
        for url in urls:
            captured = await archive.capture(client, url)
            if captured is None:
                raise SystemExit(f"{mode}: {url} was not captured: {dict(archive.skipped).get(url)}")
            if mode == "browser":
                peak = max(peak, chromium_pss_mb())
        return time.perf_counter() - started, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        rows: dict[str, list[float]] = {"http": [], "browser": []}
        peaks: list[float] = []
        for round_ in range(args.repeat):
            for mode in ("http", "browser"):
                urls = [f"{base}/r{round_}/{mode}/p{n}/index" for n in range(args.pages)]
                with tempfile.TemporaryDirectory(prefix="linkcheck-bench-") as folder:
                    seconds, peak = asyncio.run(capture_all(mode, urls, Path(folder)))
                rows[mode].append(args.pages / seconds * 60)
                if mode == "browser":
                    peaks.append(peak)
        print(f"pages per minute, median of {args.repeat} rounds of {args.pages} pages (os.cpu_count()={os.cpu_count()}):")
        for mode, values in rows.items():
            print(f"  {mode:8s} {statistics.median(values):7.0f}  (runs: {', '.join(f'{v:.0f}' for v in values)})")
        print(f"  browser / http: {statistics.median(rows['browser']) / statistics.median(rows['http']):.2f}")
        print(f"Chromium PSS while capturing: peak {statistics.median(peaks):.0f} MB (median of the rounds' peaks)")
    finally:
        server.shutdown()


if __name__ == "__main__":
    main()
