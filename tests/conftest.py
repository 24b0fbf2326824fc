"""Shared fixtures: tiny image-stage directories made in the test, never downloaded."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from ganpipe.manifest import (
    encode_png,
    write_image,
    write_manifest,
)

# No test reaches the real Hugging Face hub: curate.relevance 'auto' (the default) then records
# "unavailable" at once, in the stages that tests and e2e runs start too (they inherit this).
# tests/unit/curate/test_relevance.py points its own runs at a local stand-in instead.
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def make_stage_dir(
    root: Path, classes: dict[str, int], size: int = 28, channels: int = 1, seed: int = 0
) -> Path:
    """A stage directory of random-blob images: class k is a bright square at position k."""
    rng = np.random.default_rng(seed)
    rows = []
    for k, (label, count) in enumerate(classes.items()):
        for _ in range(count):
            image = rng.integers(0, 40, (size, size, channels), dtype=np.uint8)
            top = 2 + 6 * k
            image[top : top + 8, 4 : size - 4] = rng.integers(180, 255)
            data = encode_png(image[:, :, 0] if channels == 1 else image)
            rows.append(
                write_image(
                    root,
                    label,
                    data,
                    "png",
                    "synthetic",
                    (size, size),
                    "L" if channels == 1 else "RGB",
                )
            )
    write_manifest(root, rows)
    return root


@pytest.fixture(scope="session")
def stage_factory() -> Callable[..., Path]:
    """``make_stage_dir`` for fixtures of wider scope than a test."""
    return make_stage_dir


@pytest.fixture()
def tiny_stage(tmp_path: Path) -> Path:
    """Two classes x 24 grayscale 28x28 images."""
    return make_stage_dir(tmp_path / "stage", {"bar": 24, "low": 24})
