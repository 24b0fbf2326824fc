"""What the loop does at each snapshot: a fixed-z grid, a scored EMA generator, exports."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import torch
from PIL import Image

from ganpipe.data import ImageSet
from ganpipe.generate import generate_images, grid_image
from ganpipe.metrics.classifier import embed, load_classifier
from ganpipe.metrics.frechet import feature_statistics, frechet_distance
from ganpipe.params import TrainParams, as_record
from ganpipe.train.checkpoint import save_atomic

SCORE_IMAGES = 2000  # generated images per snapshot score


def save_grid_png(
    G: torch.nn.Module, z: torch.Tensor, y: torch.Tensor | None, path: Path, rows: int
) -> Image.Image:
    """The class-per-row grid of the fixed latents, written to ``path``."""
    image = grid_image(generate_images(G, z, y), rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path)
    return image


def export_generator(G: torch.nn.Module, meta: dict[str, Any], path: Path) -> None:
    """A self-describing generator file: weights plus everything needed to rebuild and label it."""
    save_atomic({"state_dict": copy.deepcopy(G).cpu().state_dict(), **meta}, path)


class Scorer:
    """Fixed latents for grids, and the domain Fréchet distance of a snapshot's generator."""

    def __init__(
        self,
        classifier_path: Path | None,
        heldout: ImageSet,
        classes: list[str],
        p: TrainParams,
        n_classes: int,
    ) -> None:
        self.classes, self.n_classes, self.z_dim = classes, n_classes, p.z_dim
        self.size, self.channels = heldout.size, heldout.channels
        self.rows = n_classes or 10
        self.columns = 10
        self.classifier = None
        if classifier_path is not None and classifier_path.exists() and len(heldout.labels) > 1:
            self.classifier = load_classifier(classifier_path)[0]
            self.real_stats = feature_statistics(embed(self.classifier, heldout.images)[0].numpy())

    def grid_latents(self, seed: int) -> tuple[torch.Tensor, torch.Tensor | None]:
        """One row per class (or 10 rows unconditionally), the same z in every row."""
        g = torch.Generator().manual_seed(seed + 1)
        if not self.n_classes:
            return torch.randn(self.rows * self.columns, self.z_dim, generator=g), None
        z = torch.randn(self.columns, self.z_dim, generator=g).repeat(self.rows, 1)
        return z, torch.arange(self.rows).repeat_interleave(self.columns)

    def score(self, G: torch.nn.Module, snapshot_path: Path) -> float | None:
        """Save the snapshot's weights; return its domain Fréchet distance (None without D)."""
        save_atomic(copy.deepcopy(G).cpu().state_dict(), snapshot_path)
        if self.classifier is None:
            return None
        g = torch.Generator().manual_seed(12345)
        z = torch.randn(SCORE_IMAGES, self.z_dim, generator=g)
        y = torch.arange(SCORE_IMAGES) % self.n_classes if self.n_classes else None
        features = embed(self.classifier, generate_images(G, z, y))[0].numpy()
        return frechet_distance(*feature_statistics(features), *self.real_stats)

    def meta(self, p: TrainParams) -> dict[str, Any]:
        return {
            "params": as_record(p),  # under the names files have always used
            "classes": self.classes,
            "size": self.size,
            "channels": self.channels,
            "conditional": bool(self.n_classes),
        }
