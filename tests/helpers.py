"""Small helpers shared by the integration and end-to-end tests."""

from __future__ import annotations

import asyncio
import atexit
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from linkcheck.check import Engine, make_client
from linkcheck.config import Settings, load_settings
from linkcheck.models import Link, Location, Result


def fast_settings(farm=None, **overrides) -> Settings:
    """Settings for loopback tests: short timeouts, quick retries, the farm's CA trusted."""
    values = {
        "check.connect_timeout": "2s",
        "check.read_timeout": "1s",
        "check.url_timeout": "20s",
        "check.retries": 2,
        "check.backoff_base": "50ms",
        "check.backoff_max": "100ms",
        "check.retry_after_max": "3s",
        "network.probe_urls": [],
        # The farm is on loopback, which the SSRF guard refuses by default.
        "network.allow_private": True,
    }
    if farm is not None:
        values["network.ca_bundle"] = farm.ca_pem
    values.update(overrides)
    return load_settings(overrides=values, environ={}, search_dir=_NO_CONFIG_HERE)


#: A folder without config.toml, so tests never pick up the repository's own.
_NO_CONFIG_HERE = Path(tempfile.mkdtemp(prefix="linkcheck-no-config-"))
atexit.register(shutil.rmtree, _NO_CONFIG_HERE, ignore_errors=True)


def check_urls(urls: Sequence[str], settings: Settings) -> dict[str, Result]:
    """Run the engine over URLs (each cited once in a fake file) and index the results by URL."""

    async def run() -> list[Result]:
        async with make_client(settings) as client:
            engine = Engine(settings, client)
            return await engine.run([Link(url=url, locations=[Location("doc.md", i + 1, 1)]) for i, url in enumerate(urls)])

    return {result.url: result for result in asyncio.run(run())}


#: Bound for "pathological input stays linear" tests. A quadratic scan of a 1 MB input takes
#: minutes; linear code takes well under a second. 10 s leaves room for a loaded 2-core CI
#: machine without letting a quadratic regression through.
LINEAR_TIME_BOUND = 10.0


def assert_same(actual: list, expected: list) -> None:
    """Extracted rows against an expected table: nothing missed, nothing extra, same order."""
    assert [row for row in expected if row not in actual] == [], "missed"
    assert [row for row in actual if row not in expected] == [], "extra"
    assert actual == expected
