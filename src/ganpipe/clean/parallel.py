"""A small ordered parallel map over rows, shared by every image stage.

Work is sent in chunks to a process pool (forked where the platform allows, so workers inherit
imported modules and the task's context instead of unpickling them per image); results come back
in input order, so stage outputs do not depend on scheduling.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

import cv2
from tqdm import tqdm

T = TypeVar("T")
R = TypeVar("R")

_TASK: Callable | None = None  # the task a pool worker runs, set once by _init


def resolve_workers(workers: int) -> int:
    """``workers`` as a process count: 0 means every core this process may run on."""
    if workers > 0:
        return workers
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _init(task: Callable) -> None:
    """Worker start-up: one OpenCV thread per process, so N workers use N cores, not N²."""
    global _TASK
    _TASK = task
    cv2.setNumThreads(1)


def _call(item: object) -> object:
    assert _TASK is not None
    return _TASK(item)


def _context() -> mp.context.BaseContext:
    return mp.get_context("fork" if sys.platform.startswith("linux") else "spawn")


def pmap(
    task: Callable[[T], R], items: Sequence[T], workers: int, desc: str, unit: str = "img"
) -> list[R]:
    """``[task(x) for x in items]`` over ``workers`` processes, with a progress bar.

    ``task`` must be picklable where fork is unavailable (a module-level function, or a
    ``functools.partial`` of one); it reaches each worker once, not once per item. With one
    worker it runs in this process (no pool start-up cost).
    """
    n = min(resolve_workers(workers), max(1, len(items)))
    if n == 1:
        _init(task)
        return _collect(map(task, items), len(items), desc, unit)
    # Small chunks: one slow chunk at the end leaves the other workers idle (web images vary
    # 25x in pixel count); 16 tiny images still amortise the round trip.
    chunk = max(1, min(16, len(items) // (n * 16)))
    with _context().Pool(n, initializer=_init, initargs=(task,)) as pool:
        return _collect(pool.imap(_call, items, chunksize=chunk), len(items), desc, unit)


def _collect(results: Iterator[R], total: int, desc: str, unit: str) -> list[R]:
    """Drain ``results`` in order; the bar shows counts and images/s (created after any fork)."""
    out = []
    with tqdm(total=total, desc=desc, unit=unit, mininterval=0.5, smoothing=0.1) as bar:
        for result in results:
            out.append(result)
            bar.update()
    return out
