"""No ganpipe module imports itself back, and each part imports only from lower layers.

Deferred imports count too (docs/ARCHITECTURE.md, "Layers").
"""

from __future__ import annotations

from importgraph import find_cycles, import_graph, package_graph

# Lowest first; a part may import only from earlier layers. A new part must be placed here.
LAYERS = [
    ["errors", "files", "formats", "chains", "limits", "registries"],
    ["params", "manifest", "modelfile"],
    ["clean", "scrape", "data", "models", "stagekit"],
    ["augment", "metrics", "generate"],
    ["curate", "train", "sample"],
    ["stages"],
    ["review"],
    ["cli"],
]


def test_ganpipe_modules_import_no_cycle() -> None:
    graph = import_graph()
    assert "ganpipe.train.loop" in graph  # the graph covers the whole package
    assert find_cycles(graph) == []


def test_find_cycles_names_every_module_of_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycles(graph) == [["a", "b", "c"]]


def test_parts_import_only_from_lower_layers() -> None:
    layer = {part: i for i, parts in enumerate(LAYERS) for part in parts}
    graph = package_graph(import_graph())
    unplaced = sorted(set(graph) - set(layer))
    assert not unplaced, f"{unplaced}: place them in LAYERS"
    upward = sorted(
        f"{part} -> {target}"
        for part, targets in graph.items()
        for target in targets
        if layer[target] >= layer[part]
    )
    assert not upward, f"imports from the same or a higher layer: {upward}"
