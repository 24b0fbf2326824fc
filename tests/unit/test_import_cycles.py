"""No ganpipe module imports itself back, deferred imports included (docs/ARCHITECTURE.md)."""

from __future__ import annotations

from importgraph import find_cycles, import_graph


def test_ganpipe_modules_import_no_cycle() -> None:
    graph = import_graph()
    assert "ganpipe.stages.train" in graph  # the graph covers the whole package
    assert find_cycles(graph) == []


def test_find_cycles_names_every_module_of_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycles(graph) == [["a", "b", "c"]]
