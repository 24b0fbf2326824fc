"""Which images a capped metric scores, and the record of what it saw.

Images reach ``evaluate`` sorted by class, so "the first n" of a set is its first classes only.
Every cap goes through :func:`balanced_index`: the same number from every class (as near as the
classes' sizes allow), seeded, so a metric's n images stand for every class. :func:`seen` is the
protocol record each metric writes beside its values: how many fake and real images it scored,
which real split, and how many classes those images cover.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

SEED = 0


def balanced_index(labels: torch.Tensor | np.ndarray, n: int, seed: int = SEED) -> np.ndarray:
    """Sorted indices of ``min(n, len(labels))`` images, taken round-robin over the classes.

    Within a class the order is a seeded permutation, so the picks are spread over the class
    rather than its first images; a class with fewer images than its share gives all it has and
    the others fill the rest.
    """
    labels = np.asarray(labels)
    if n < 0:
        raise ValueError(f"cannot take {n} images")
    if n >= len(labels):
        return np.arange(len(labels))
    rng = np.random.default_rng(seed)
    rank = np.empty(len(labels), dtype=np.int64)
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        rank[members[rng.permutation(len(members))]] = np.arange(len(members))
    order = np.lexsort((labels, rank))  # every class's rank 0, then every class's rank 1, ...
    return np.sort(order[:n])


def seen(
    metric: str,
    fake: torch.Tensor | None,
    real: torch.Tensor | None,
    split: str,
) -> dict[str, Any]:
    """``protocol/<metric>/...``: the labels of the fake and real images it scored (None: that
    side took no part), the real split's name, and the classes both sides cover."""
    out: dict[str, Any] = {f"protocol/{metric}/split": split}
    covered: set[int] | None = None
    for side, labels in (("fake", fake), ("real", real)):
        if labels is None:
            continue
        out[f"protocol/{metric}/n_{side}"] = len(labels)
        present = set(np.asarray(labels).tolist())
        covered = present if covered is None else covered & present
    out[f"protocol/{metric}/classes"] = len(covered or ())
    return out
