"""The import graph points down: no cycle between modules, no import from a lower layer to a higher.

Layers, ground first: `knowledge` → `probes` → `lab` → `bot` (lower modules) → `handlers` →
`bot`'s composition root (the app factory, the CLI, the console). Every import counts, also those
under `TYPE_CHECKING` and inside functions: a type-only import is still a dependency of the design.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("knowledge", "probes", "lab", "bot", "handlers")
COMPOSITION = ("bot.slack.app", "bot.cli", "bot.commands", "bot.loopback")
"""The composition root: the only modules that may import the listeners in `handlers` (the app
factory, the CLI with its console and subcommands, and the loopback harness that builds the app)."""

KNOWN_CYCLES: list[list[str]] = []
"""None left: the terminal printers of `cmbot explain` and `cmbot check` moved into bot/render/text.py."""

ALLOWED: dict[str, set[str]] = {
    "knowledge": {"knowledge"},
    "probes": {"probes", "knowledge"},
    "lab": {"lab", "probes", "knowledge"},
    "bot": {"bot", "lab", "probes", "knowledge"},
    "handlers": {"handlers", "bot", "probes", "knowledge"},
}


def _is_composition(module: str) -> bool:
    return any(module == root or module.startswith(root + ".") for root in COMPOSITION)


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def _imports(path: Path, module: str, known: set[str]) -> Iterator[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            names = [f"{base}.{alias.name}" for alias in node.names] + [base]
        for imported in names:
            name = imported
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name and name != module:
                yield name


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: set(_imports(path, name, known)) for name, path in modules.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components with more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycle() -> None:
    """No two modules import each other, directly or round a loop."""
    assert [c for c in _cycles(_graph()) if c not in KNOWN_CYCLES] == []


def test_imports_point_down() -> None:
    """Each package imports only itself and the layers below it; only the composition root imports handlers."""
    wrong = []
    for module, targets in _graph().items():
        package = module.split(".")[0]
        for target in targets:
            target_package = target.split(".")[0]
            if target_package == "handlers" and package == "bot" and _is_composition(module):
                continue
            if _is_composition(target) and not _is_composition(module):
                wrong.append(f"{module} -> {target} (only the composition root imports itself)")
            elif target_package not in ALLOWED[package]:
                wrong.append(f"{module} -> {target}")
    assert wrong == []


@pytest.mark.parametrize("package", PACKAGES)
def test_every_package_is_read(package: str) -> None:
    """The graph covers every package (a renamed folder cannot silently pass the rules)."""
    assert any(name.split(".")[0] == package for name in _graph())
