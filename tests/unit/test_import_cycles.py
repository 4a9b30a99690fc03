"""No import cycle among the project's modules (grimp; imports inside functions count too)."""

from __future__ import annotations

import ast
from pathlib import Path

import grimp

PACKAGES = ("domain", "projections", "scorecards", "consumers", "wenzheng")
# Cycles that remain, as {frozenset of the two modules that import each other: why}: none.
DOCUMENTED_EXCEPTIONS: dict[frozenset[str], str] = {}


def cycles(graph: grimp.ImportGraph) -> set[frozenset[str]]:
    """Every direct import A → B for which B also reaches A, as the pair {A, B}."""
    found = set()
    for importer in graph.modules:
        for imported in graph.find_modules_directly_imported_by(importer):
            if imported != importer and graph.chain_exists(importer=imported, imported=importer):
                found.add(frozenset((importer, imported)))
    return found


def test_no_module_imports_one_that_imports_it_back() -> None:
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    left = cycles(graph) - DOCUMENTED_EXCEPTIONS.keys()
    assert not left, sorted(" ↔ ".join(sorted(pair)) for pair in left)


def test_a_cycle_is_found_when_there_is_one() -> None:
    graph = grimp.ImportGraph()
    for module in ("p", "p.a", "p.b", "p.c"):
        graph.add_module(module)
    graph.add_import(importer="p.a", imported="p.b")
    graph.add_import(importer="p.b", imported="p.c")
    graph.add_import(importer="p.c", imported="p.a")
    assert frozenset(("p.a", "p.b")) in cycles(graph)


def test_the_app_imports_no_command_module() -> None:
    root = Path(__file__).resolve().parents[2]
    for path in [root / "app.py", *sorted((root / "app_pages").glob("*.py"))]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        names += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        assert not [n for n in names if n == "wenzheng.cli" or n.startswith("wenzheng.commands")], \
            path.name
