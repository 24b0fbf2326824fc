"""pmap: same results, same order, whatever the worker count."""

from __future__ import annotations

from functools import partial

from ganpipe.clean.parallel import pmap, resolve_workers


def _scaled(x: int, factor: int) -> int:
    return x * factor


def test_results_come_back_in_input_order():
    items = list(range(500))
    task = partial(_scaled, factor=3)
    assert (
        pmap(task, items, workers=2, desc="t")
        == pmap(task, items, 1, "t")
        == [3 * x for x in items]
    )


def test_zero_workers_means_every_core():
    assert resolve_workers(0) >= 1 and resolve_workers(3) == 3


def test_empty_input():
    assert pmap(partial(_scaled, factor=2), [], workers=0, desc="t") == []
