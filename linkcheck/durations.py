"""Durations as people write them in config files and flags: `500ms`, `1.5s`, `2m`, `72h`, `7d`."""

from __future__ import annotations

import re

_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}
_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w)")


def parse_duration(text: str | int | float) -> float:
    """Seconds in a duration; a bare number is seconds. Raises ValueError with the reason."""
    if isinstance(text, bool):
        raise ValueError("expected a duration such as 1s, 500ms or 2h, got a boolean")
    if isinstance(text, (int, float)):
        if text < 0:
            raise ValueError("a duration cannot be negative")
        return float(text)
    compact = text.strip().lower().replace(" ", "")
    if re.fullmatch(r"\d+(?:\.\d+)?", compact):
        return float(compact)
    parts = _PART.findall(compact)
    if not compact or "".join(number + unit for number, unit in parts) != compact:
        raise ValueError(f"{text!r} is not a duration (examples: 500ms, 1s, 2m, 72h, 7d)")
    return sum(float(number) * _UNITS[unit] for number, unit in parts)


def format_duration(seconds: float) -> str:
    """The inverse of parse_duration for display: 0.5 -> '500ms', 90 -> '1m30s'."""
    if seconds == 0:
        return "0s"
    if seconds < 1:
        return f"{round(seconds * 1000)}ms"
    whole = int(seconds)
    out = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if whole >= size:
            out.append(f"{whole // size}{unit}")
            whole %= size
    if whole or not out:
        out.append(f"{whole}s")
    return "".join(out)
