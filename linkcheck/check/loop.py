"""The event loop a run goes on: uvloop when it is installed, asyncio's own otherwise.

uvloop's transports and scheduling cost about a tenth less CPU per request than
asyncio's (bench/README.md, scenario a); nothing else changes. Name resolution goes
through `socket.getaddrinfo` on both (see `guard.lookup`), so they resolve alike.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's loop constructor, or None for asyncio's default."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop  # type: ignore[no-any-return]


def run(main: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run(main)` on the fastest loop available."""
    with asyncio.Runner(loop_factory=loop_factory()) as runner:
        return runner.run(main)


#: The cyclic garbage collector's first threshold in a process linkcheck owns (the command
#: line, a check worker). Python's default is 700: a run allocates millions of small
#: objects that are never cyclic garbage, and at 700 the collector rescans them so often
#: that checking takes a fifth more CPU.
GC_THRESHOLD = 20_000


def raise_gc_threshold() -> None:
    """Collect cyclic garbage less often; only for a process linkcheck owns."""
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])
