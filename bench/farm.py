"""The benchmark's web farm: many loopback hosts served by ONE separate process.

Run as a script, it listens on ``--hosts`` distinct loopback addresses (127.0.1.1,
127.0.1.2, ...; Linux routes all of 127.0.0.0/8 to ``lo``), all on the same port, and
answers every HEAD and GET with 200 and a ~2 KB HTML page, over HTTP/1.1 keep-alive,
after ``latency`` seconds. It counts requests per host address.

It is a separate process so that serving never competes with the measured tool for a
GIL. It is controlled over its stdin/stdout, one line per command:

    stats            -> one JSON line {"requests": {"127.0.1.1": 12, ...}, "total": N,
                        "connections": TCP connections accepted, "peak_in_flight": most
                        requests waiting for their answer at once, all hosts}
    reset            -> "ok"   (forget the counts)
    latency SECONDS  -> "ok"   (answer every later request after this delay)
    quit             -> exits

It exits by itself after ``--lifetime`` seconds, and when its stdin closes (the parent
died), so it can never outlive the benchmark. The parent side is `FarmProcess`.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import socket
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

BASE_NETWORK = "127.0.1."
DEFAULT_PORT = 8471
PAGE_SIZE = 2048
MAX_HEAD = 64 * 1024
IDLE_TIMEOUT = 60.0


def host_ips(count: int) -> list[str]:
    """The farm's host addresses, 127.0.1.1 .. 127.0.1.<count> (at most 254)."""
    if not 1 <= count <= 254:
        raise ValueError("between 1 and 254 hosts")
    return [f"{BASE_NETWORK}{index}" for index in range(1, count + 1)]


def _page() -> bytes:
    filler = "".join(f"<p>Paragraph {i}: the cited source is alive and well.</p>\n" for i in range(60))
    text = f"<!doctype html>\n<html><head><title>farm page</title></head><body>\n{filler}"
    body = text[: PAGE_SIZE - len("</body></html>\n")] + "</body></html>\n"
    return body.encode("ascii").ljust(PAGE_SIZE, b" ")


PAGE = _page()


def _head(keep_alive: bool) -> bytes:
    return (
        "HTTP/1.1 200 OK\r\n"
        "Content-Type: text/html; charset=utf-8\r\n"
        f"Content-Length: {len(PAGE)}\r\n"
        f"Connection: {'keep-alive' if keep_alive else 'close'}\r\n"
        "Server: linkcheck-bench-farm\r\n\r\n"
    ).encode("ascii")


RESPONSES = {
    (b"HEAD", True): _head(True),
    (b"HEAD", False): _head(False),
    (b"GET", True): _head(True) + PAGE,
    (b"GET", False): _head(False) + PAGE,
}
NOT_ALLOWED = b"HTTP/1.1 405 Method Not Allowed\r\nAllow: GET, HEAD\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


class Farm:
    """Shared state of all hosts: latency and request counts."""

    def __init__(self, latency: float) -> None:
        self.latency = latency
        self.counts: Counter[str] = Counter()
        self.connections = 0
        self.in_flight = 0  # requests read but not answered yet, all hosts
        self.peak_in_flight = 0


class HttpProtocol(asyncio.Protocol):
    """A minimal HTTP/1.1 server: request line + headers, no request bodies, keep-alive."""

    def __init__(self, farm: Farm, ip: str) -> None:
        self.farm = farm
        self.ip = ip
        self.buffer = b""
        self.transport: asyncio.Transport | None = None
        self.pending = 0  # responses scheduled but not written yet (keeps order with latency)
        self.queue: list[bytes] = []
        self.closing = False
        self.loop = asyncio.get_running_loop()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.farm.connections += 1
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(self.buffer) > MAX_HEAD and self.transport is not None:
                    self.transport.close()
                return
            head, self.buffer = self.buffer[:end], self.buffer[end + 4 :]
            self._request(head)

    def _request(self, head: bytes) -> None:
        line, _, header_block = head.partition(b"\r\n")
        parts = line.split(b" ")
        method = parts[0] if parts else b""
        version = parts[2] if len(parts) > 2 else b"HTTP/1.0"
        connection = b""
        for header in header_block.split(b"\r\n"):
            name, _, value = header.partition(b":")
            if name.strip().lower() == b"connection":
                connection = value.strip().lower()
        keep_alive = b"close" not in connection if version == b"HTTP/1.1" else b"keep-alive" in connection
        self.farm.counts[self.ip] += 1
        self.farm.in_flight += 1
        self.farm.peak_in_flight = max(self.farm.peak_in_flight, self.farm.in_flight)
        response = RESPONSES.get((method, keep_alive), NOT_ALLOWED)
        if response is NOT_ALLOWED:
            keep_alive = False
        if not keep_alive:
            self.closing = True
        if self.farm.latency > 0:
            self.pending += 1
            self.queue.append(response)
            self.loop.call_later(self.farm.latency, self._flush_one)
        else:
            self._write(response)

    def _flush_one(self) -> None:
        self.pending -= 1
        self._write(self.queue.pop(0))

    def _write(self, response: bytes) -> None:
        self.farm.in_flight -= 1
        if self.transport is None or self.transport.is_closing():
            return
        self.transport.write(response)
        if self.closing and self.pending == 0:
            self.transport.close()


async def serve(ips: list[str], port: int, latency: float, lifetime: float) -> None:
    loop = asyncio.get_running_loop()
    farm = Farm(latency)
    servers = []
    for ip in ips:
        server = await loop.create_server(functools.partial(HttpProtocol, farm, ip), ip, port, backlog=4096, reuse_address=True)
        servers.append(server)
    done = asyncio.Event()
    loop.call_later(lifetime, done.set)

    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)

    def reply(text: str) -> None:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()

    async def control() -> None:
        while True:
            line = await reader.readline()
            if not line:  # parent gone
                break
            command, _, argument = line.decode().strip().partition(" ")
            if command == "stats":
                counts = dict(farm.counts)
                reply(json.dumps({"requests": counts, "total": sum(counts.values()), "connections": farm.connections, "peak_in_flight": farm.peak_in_flight}))
            elif command == "reset":
                farm.counts.clear()
                farm.connections = 0
                farm.peak_in_flight = farm.in_flight
                reply("ok")
            elif command == "latency":
                farm.latency = float(argument)
                reply("ok")
            elif command == "quit":
                break
            else:
                reply(json.dumps({"error": f"unknown command {command!r}"}))
        done.set()

    control_task = asyncio.create_task(control())
    reply(f"ready {port}")
    await done.wait()
    control_task.cancel()
    for server in servers:
        server.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before each answer")
    parser.add_argument("--lifetime", type=float, default=3600.0, help="exit after this many seconds")
    args = parser.parse_args(argv)
    try:
        import uvloop  # type: ignore[import-not-found]

        runner = uvloop.run
    except ImportError:
        runner = asyncio.run
    try:
        runner(serve(host_ips(args.hosts), args.port, args.latency, args.lifetime))
    except OSError as exc:
        sys.stdout.write(f"error {exc}\n")
        sys.stdout.flush()
        sys.exit(1)


# ----------------------------------------------------------------------------- parent side


class FarmError(RuntimeError):
    pass


class FarmProcess:
    """Start the farm in a child process and talk to it; a context manager."""

    def __init__(self, hosts: int, port: int = DEFAULT_PORT, lifetime: float = 3600.0, python: str | None = None) -> None:
        self.hosts = hosts
        self.port = port
        self.lifetime = lifetime
        self.python = python or sys.executable
        self.process: subprocess.Popen[str] | None = None
        self.ips = host_ips(hosts)
        self.latency = 0.0

    def __enter__(self) -> "FarmProcess":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        last = ""
        for port in [self.port, *range(self.port + 1, self.port + 20)]:
            self.process = subprocess.Popen(
                [self.python, str(Path(__file__).resolve()), "--hosts", str(self.hosts), "--port", str(port), "--lifetime", str(self.lifetime)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                bufsize=1,
            )
            assert self.process.stdout is not None
            last = self.process.stdout.readline().strip()
            if last.startswith("ready"):
                self.port = port
                return
            self.process.wait(timeout=10)
        raise FarmError(f"the farm could not start: {last}")

    def _command(self, line: str) -> str:
        if self.process is None or self.process.poll() is not None:
            raise FarmError("the farm is not running")
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        return self.process.stdout.readline().strip()

    def stats(self) -> dict[str, Any]:
        return json.loads(self._command("stats"))

    def reset(self) -> None:
        self._command("reset")

    def set_latency(self, seconds: float) -> None:
        self._command(f"latency {seconds}")
        self.latency = seconds

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def stop(self) -> None:
        if self.process is None:
            return
        try:
            if self.process.poll() is None:
                assert self.process.stdin is not None
                self.process.stdin.write("quit\n")
                self.process.stdin.close()
                self.process.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
