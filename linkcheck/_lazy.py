"""Names a package exports but imports only on first use (so that reading the settings, or
a run answered from history, never loads the HTTP stack): one implementation for every
package that does it."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, MutableMapping
from typing import Any


def lazy_exports(package: str, namespace: MutableMapping[str, Any], homes: Mapping[str, str]) -> Callable[[str], Any]:
    """A module `__getattr__` that imports `name` from `homes[name]` once and keeps it in
    the package's namespace (a later lookup is a plain attribute, as after a normal import)."""

    def __getattr__(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(home), name)
        namespace[name] = value
        return value

    return __getattr__
