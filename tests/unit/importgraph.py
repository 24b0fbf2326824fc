"""The ganpipe import graph, read from the source (ast): module-level and deferred imports.

Used by test_import_cycles.py and test_dvc_deps.py. Run it to see the graph and any cycle:
``python tests/unit/importgraph.py``.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SRC = REPO / "src"
PACKAGE = "ganpipe"


def module_files(src: Path = SRC) -> dict[str, Path]:
    """Every ganpipe module's dotted name and its file (a package is its ``__init__.py``)."""
    out = {}
    for path in sorted((src / PACKAGE).rglob("*.py")):
        parts = path.relative_to(src).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def imported_names(
    tree: ast.AST,
    module: str,
    is_package: bool,
    modules: Iterable[str],
    reexported: Mapping[str, Mapping[str, str]] | None = None,
) -> set[str]:
    """The modules a module imports anywhere in its body, functions included.

    ``from pkg import sub`` names the module ``pkg.sub``; ``from pkg import name`` names ``pkg``,
    and also ``pkg.sub`` when ``pkg/__init__`` takes ``name`` from ``pkg.sub`` (``reexported``):
    ``from ganpipe.params import TrainParams`` uses ``ganpipe.params.train``.
    Imports under ``if TYPE_CHECKING:`` never run, so they are left out.
    """
    reexported = reexported or {}
    modules = set(modules)
    typing_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING")
        for inner in ast.walk(node)
    }
    names: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, module, is_package)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                names.add(sub if sub in modules else base)
                if alias.name in reexported.get(base, {}):
                    names.add(reexported[base][alias.name])
    return names


def reexports(files: Mapping[str, Path]) -> dict[str, dict[str, str]]:
    """package -> {name: the submodule it comes from} for what each ``__init__`` imports from
    its own submodules (module level only: those are the names it offers)."""
    out: dict[str, dict[str, str]] = {}
    for package, path in files.items():
        if path.name != "__init__.py":
            continue
        for node in ast.parse(path.read_text(), str(path)).body:
            if isinstance(node, ast.ImportFrom):
                base = _absolute(node, package, True)
                if base.startswith(package + ".") and base in files:
                    for alias in node.names:
                        out.setdefault(package, {})[alias.asname or alias.name] = base
    return out


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    parts = module.split(".")
    anchor = parts if is_package else parts[:-1]
    anchor = anchor[: len(anchor) - (node.level - 1)]
    return ".".join([*anchor, node.module] if node.module else anchor)


def _with_parents(name: str) -> list[str]:
    """Importing ``a.b.c`` runs ``a/__init__`` and ``a/b/__init__`` first."""
    parts = name.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def import_graph(src: Path = SRC) -> dict[str, set[str]]:
    """module -> the ganpipe modules it imports.

    Importing ``a.b.c`` runs ``a/__init__`` and ``a/b/__init__`` first, so those count too, except
    the importer's own parent packages: they are already running when it is imported.
    """
    files = module_files(src)
    offered = reexports(files)
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        tree = ast.parse(path.read_text(), str(path))
        targets = set()
        for imported in imported_names(tree, name, path.name == "__init__.py", files, offered):
            targets.update(m for m in _with_parents(imported) if m in files)
        graph[name] = targets - {name} - set(_with_parents(name))
    return graph


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected component of more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(cycles)


def package_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """The same edges between ganpipe's top-level parts (``ganpipe.clean.filter`` -> ``clean``)."""

    def part(name: str) -> str:
        return name.split(".")[1] if "." in name else name

    out: dict[str, set[str]] = {}
    for name, targets in graph.items():
        out.setdefault(part(name), set()).update(part(t) for t in targets)
    return {name: targets - {name, PACKAGE} for name, targets in out.items() if name != PACKAGE}


def closure(graph: dict[str, set[str]], roots: Iterable[str]) -> set[str]:
    """The roots and everything they import, directly or not."""
    seen: set[str] = set()
    todo = [r for r in roots if r in graph]
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(graph[node] - seen)
    return seen


def main() -> None:
    graph = import_graph()
    for name in sorted(graph):
        print(f"{name} -> {', '.join(sorted(graph[name])) or '-'}")
    cycles = find_cycles(graph)
    edges = sum(len(v) for v in graph.values())
    print(f"{len(graph)} modules, {edges} import edges, {len(cycles)} cycles")
    for cycle in cycles:
        print("cycle:", " <-> ".join(cycle))
    parts = find_cycles(package_graph(graph))
    print(f"between top-level parts: {len(parts)} cycles")
    for cycle in parts:
        print("cycle:", " <-> ".join(cycle))
    sys.exit(1 if cycles else 0)


if __name__ == "__main__":
    main()
