"""How a stage declares a setting: a dataclass field with its kind (for coercion) and its
one-line help (for config.toml and README's table).

Each stage's options type (`check.options`, `archive.options`, `read_options`, …) is a
dataclass of such fields with its own defaults; `linkcheck.config` composes them into
`Settings` and never holds a default of its own.
"""

from __future__ import annotations

from dataclasses import field
from typing import Any


def setting(default: Any, kind: str, help: str) -> Any:
    """A field: its default, its kind (`int+`, `duration`, `list[regex]` …) and its help."""
    if isinstance(default, list):
        return field(default_factory=lambda: list(default), metadata={"kind": kind, "help": help})
    return field(default=default, metadata={"kind": kind, "help": help})
