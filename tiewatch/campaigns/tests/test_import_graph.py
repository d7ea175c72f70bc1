"""The campaigns app's modules import one another without a cycle (issue 8 item 2: models imported
a private cache from services, which imports models), and each service is its own module."""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[1]
PACKAGE = "tiewatch.campaigns"


def _module_name(path: Path) -> str:
    parts = path.relative_to(APP).with_suffix("").parts
    return ".".join((PACKAGE, *parts)).removesuffix(".__init__")


def _imports(path: Path) -> set[str]:
    """Modules of this app that `path` imports, at any depth (imports inside functions count too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name.startswith(PACKAGE)}


def _graph() -> dict[str, set[str]]:
    files = [p for p in APP.rglob("*.py") if "tests" not in p.parts and "migrations" not in p.parts]
    modules = {_module_name(p): p for p in files}
    return {name: {m for m in _imports(path) if m in modules and m != name} for name, path in modules.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


def test_no_import_cycle_between_campaigns_modules() -> None:
    graph = _graph()
    assert "tiewatch.campaigns.services.petition_cache" in graph  # the scan sees the package
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_models_import_no_service() -> None:
    assert not {m for m in _graph()["tiewatch.campaigns.models"] if m.startswith(f"{PACKAGE}.services")}


def test_the_cycle_detector_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
