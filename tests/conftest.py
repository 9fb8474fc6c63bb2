"""Shared fixtures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.farm import Farm


@pytest.fixture
def farm() -> Iterator[Farm]:
    """A started web farm of loopback HTTP(S) servers; stopped (promptly) after the test."""
    with Farm() as f:
        yield f
    assert not f.errors, f"the farm raised while serving: {f.errors!r}"
