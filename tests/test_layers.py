"""The import graph as designed (issue 15): settings are a composition root that no stage
imports, the vocabulary imports no stage, and no module-level import cycle exists.

An `ast` walk over linkcheck/, so the rules hold for code paths no test runs.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "linkcheck"
#: The stages: checking, archiving, reference rot, extraction and the read stage.
STAGES = ("linkcheck.check", "linkcheck.archive", "linkcheck.rot", "linkcheck.extract")
READ_STAGE = ("linkcheck.discover", "linkcheck.collect", "linkcheck.read_options", "linkcheck.extract_cache", "linkcheck.local")
#: What a stage must never import, at any level (a lazy import climbs as much as any).
ABOVE_THE_STAGES = ("linkcheck", "linkcheck.config", "linkcheck.pipeline", "linkcheck.cli")
VOCABULARY = ("linkcheck.models", "linkcheck.urls", "linkcheck.errors")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in PACKAGE.rglob("*.py")}


def imports(name: str, *, module_level_only: bool) -> Iterator[tuple[str, int]]:
    """(imported linkcheck module, line) for each import in module `name`; `module_level_only`
    leaves out imports inside functions and `if TYPE_CHECKING:` blocks (they run later or never)."""
    path = MODULES[name]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    nodes = _module_level(tree.body) if module_level_only else ast.walk(tree)
    for node in nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "linkcheck":
                    yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "linkcheck":
                continue
            for alias in node.names:  # `from linkcheck.check import engine` imports a module
                full = f"{target}.{alias.name}"
                yield (full if full in MODULES else target), node.lineno


def _module_level(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, ast.If) and not _is_type_checking(node.test):
            yield from _module_level(node.body)
            yield from _module_level(node.orelse)
        elif isinstance(node, ast.Try):
            yield from _module_level(node.body)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _in(name: str, roots: tuple[str, ...]) -> bool:
    return any(name == root or name.startswith(root + ".") for root in roots)


def _climbs(target: str) -> bool:
    return target in ("linkcheck",) or _in(target, ABOVE_THE_STAGES[1:])


@pytest.mark.parametrize("name", sorted(n for n in MODULES if _in(n, STAGES) or n in READ_STAGE))
def test_no_stage_imports_the_settings_or_the_front_door(name):
    climbing = [f"line {line}: {target}" for target, line in imports(name, module_level_only=False) if _climbs(target)]
    assert climbing == [], f"{name} climbs to the layer above the stages"


@pytest.mark.parametrize("name", VOCABULARY)
def test_the_vocabulary_imports_no_stage(name):
    others = [target for target, _ in imports(name, module_level_only=True) if target not in VOCABULARY]
    assert others == [], f"{name} imports {others}"


def test_no_module_level_import_cycle():
    graph = {name: {target for target, _ in imports(name, module_level_only=True) if target in MODULES and target != name} for name in MODULES}
    # A package's own __init__ importing its submodules is how packages work; a submodule
    # importing its package back is the cycle that matters, and is still caught below.
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(trail[trail.index(nxt) :] + [nxt] if nxt in trail else [node, nxt])
            elif nxt not in state:
                visit(nxt, trail + [nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []


def test_the_walk_sees_what_it_must():
    """The finder itself: a stage's lazy import is seen, a TYPE_CHECKING one is not module level."""
    engine = {target for target, _ in imports("linkcheck.check.engine", module_level_only=True)}
    assert "linkcheck.check.options" in engine and "linkcheck.models" in engine
    errors_all = {target for target, _ in imports("linkcheck.errors", module_level_only=False)}
    errors_module = {target for target, _ in imports("linkcheck.errors", module_level_only=True)}
    assert "linkcheck.models" in errors_all and "linkcheck.models" not in errors_module  # under TYPE_CHECKING
