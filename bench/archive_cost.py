"""What does `--archive` cost? Capture vs check-only over the same loopback pages.

Starts a small HTTP/1.1 server on 127.0.0.1 serving N HTML pages (~50 kB each, text
that compresses like real prose), then times, over the same URLs:

  check     the check engine (HEAD first, no bodies): what `linkcheck check` does
  get       a plain GET of every body, discarded: the network part of capturing
  capture   Archive.capture: GET + WARC records (gzip per record) + fsync + catalog
  recapture the same again: unchanged pages become revisit records

and prints URLs/s and MB/s (body bytes) for each, and the capture/check ratio.

    /tmp/venv/bin/python bench/archive_cost.py [--pages 300] [--size 50000] [--concurrency 16] [--repeat 3]

Nothing leaves loopback; the server stops when the script ends.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from linkcheck.archive import Archive
from linkcheck.check import Engine, make_client
from linkcheck.config import load_settings
from linkcheck.models import Link, Location, Status

WORDS = "the of and to in a is that for it as was with be by on not he this are or his from at which but have an they".split()


def make_pages(count: int, size: int) -> dict[str, bytes]:
    rng = random.Random(7)
    pages = {}
    for n in range(count):
        words = []
        length = 0
        while length < size - 100:
            word = rng.choice(WORDS) if rng.random() < 0.7 else "".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=rng.randint(3, 10)))
            words.append(word)
            length += len(word) + 1
        body = f"<html><head><title>Page {n}</title></head><body><p>{' '.join(words)}</p></body></html>".encode()
        pages[f"/page{n}"] = body
    return pages


class Server:
    """A minimal keep-alive HTTP/1.1 server on asyncio, in its own thread."""

    def __init__(self, pages: dict[str, bytes]) -> None:
        self.responses = {
            path: (b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: %d\r\n\r\n" % len(body), body)
            for path, body in pages.items()
        }
        self.loop = asyncio.new_event_loop()
        self.port = 0
        ready = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(ready,), daemon=True)
        self.thread.start()
        ready.wait(5)

    def _run(self, ready: threading.Event) -> None:
        asyncio.set_event_loop(self.loop)
        self.server = self.loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", 0))
        self.port = self.server.sockets[0].getsockname()[1]
        ready.set()
        self.loop.run_forever()
        self.loop.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                method, path, _ = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ", 2)
                status, body = self.responses.get(path, (b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", b""))
                writer.write(status if method == "HEAD" else status + body)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, ValueError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    def stop(self) -> None:
        async def shutdown() -> None:
            self.server.close()
            tasks = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            self.loop.stop()

        asyncio.run_coroutine_threadsafe(shutdown(), self.loop)
        self.thread.join(5)


async def timed(run: Callable[[], Awaitable[int]]) -> tuple[float, int]:
    started = time.perf_counter()
    body_bytes = await run()
    return time.perf_counter() - started, body_bytes


async def main(pages: int, size: int, concurrency: int, repeat: int) -> None:
    content = make_pages(pages, size)
    server = Server(content)
    base = f"http://127.0.0.1:{server.port}"
    urls = [base + path for path in content]
    total = sum(len(body) for body in content.values())
    settings = load_settings(
        overrides={"check.host_concurrency": concurrency, "check.max_concurrency": concurrency, "network.probe_urls": [], "network.allow_private": True},  # the pages are on loopback
        environ={}, search_dir=Path(tempfile.mkdtemp()),
    )  # fmt: skip
    gate = asyncio.Semaphore(concurrency)
    best: dict[str, tuple[float, int]] = {}
    warc_bytes = 0

    async with make_client(settings) as client:

        async def check() -> int:
            results = await Engine(settings, client).run([Link(url, [Location("bench.md", 1, 1)]) for url in urls])
            broken = [r for r in results if r.status is not Status.OK]
            assert not broken, f"the engine did not pass the loopback pages: {broken[0].status} {broken[0].error}"
            return 0

        async def get() -> int:
            async def one(url: str) -> int:
                async with gate:
                    response = await client.get(url)
                    return len(response.content)

            return sum(await asyncio.gather(*(one(url) for url in urls)))

        def capture(folder: Path) -> Callable[[], Awaitable[int]]:
            async def run() -> int:
                async with Archive(folder) as archive:

                    async def one(url: str) -> int:
                        async with gate:
                            captured = await archive.capture(client, url)
                        assert captured is not None, archive.skipped
                        return len(content[url[len(base):]])

                    return sum(await asyncio.gather(*(one(url) for url in urls)))

            return run

        await get()  # warm up connections and caches
        for _ in range(repeat):
            folder = Path(tempfile.mkdtemp(prefix="linkcheck-bench-")) / "archive"
            for name, run in (("check", check), ("get", get), ("capture", capture(folder)), ("recapture", capture(folder))):
                seconds, body_bytes = await timed(run)
                if name not in best or seconds < best[name][0]:
                    best[name] = (seconds, body_bytes)
            warc_bytes = sum(path.stat().st_size for path in (folder / "archive").glob("*.warc.gz"))
            shutil.rmtree(folder.parent)
    server.stop()
    print(f"{pages} pages of ~{size // 1000} kB ({total / 1e6:.1f} MB), concurrency {concurrency}, best of {repeat}")
    print(f"{'path':<10} {'seconds':>8} {'URLs/s':>9} {'MB/s':>8}")
    for name, (seconds, body_bytes) in best.items():
        rate = f"{body_bytes / seconds / 1e6:8.1f}" if body_bytes else f"{'-':>8}"
        print(f"{name:<10} {seconds:8.3f} {pages / seconds:9.0f} {rate}")
    times = {name: seconds for name, (seconds, _) in best.items()}
    print(f"capture / check = {times['capture'] / times['check']:.1f}x   capture / get = {times['capture'] / times['get']:.1f}x   "
          f"recapture / check = {times['recapture'] / times['check']:.1f}x")  # fmt: skip
    print(f"WARC bytes on disk after capture + recapture: {warc_bytes / 1e6:.1f} MB ({warc_bytes / total:.0%} of the bodies)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--size", type=int, default=50_000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--repeat", type=int, default=3, help="runs; the best time of each path is shown")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.pages, arguments.size, arguments.concurrency, arguments.repeat))
