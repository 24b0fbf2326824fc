"""Out-of-fold predictions and features from a small CNN cross-validated on the data itself.

No pretrained weights: the domain classifier (ganpipe.metrics.classifier) is trained k times,
each time without one fold, and judges only that fold. So every image gets a class probability
from a model that never saw it (cleanlab's label scores need exactly that), and features in that
model's space for the images it trained on and the ones it judges (the outlier score).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import torch
from sklearn.model_selection import StratifiedKFold
from torch.nn import functional as F

from ganpipe.data import ImageSet
from ganpipe.errors import UserError
from ganpipe.metrics.classifier import embed, train_classifier
from ganpipe.params import ClassifierParams, CurateParams


@dataclass(frozen=True)
class Fold:
    """One fold: who trained, who was judged, and what the model made of them."""

    train: np.ndarray  # indices into the image set
    test: np.ndarray
    features: np.ndarray  # (N, F) float64, every image embedded by this fold's model
    test_probs: np.ndarray  # (len(test), K) softmax of the judged images


def check_class_sizes(data: ImageSet, folds: int) -> None:
    """Every class needs an image in each fold, or a fold's model never learns it."""
    counts = np.bincount(data.labels.numpy(), minlength=len(data.classes))
    small = [f"{data.classes[i]} ({n})" for i, n in enumerate(counts) if n < folds]
    if small:
        raise UserError(
            f"curate needs at least curate.folds={folds} images per class; too few in "
            f"{', '.join(small)}. Lower curate.folds, add images or set curate.enabled: false"
        )
    if len(data.classes) < 2:
        raise UserError("curate needs at least 2 classes to cross-validate a classifier")


def downscale(images: torch.Tensor, side: int) -> torch.Tensor:
    """uint8 images at ``side`` pixels by area averaging (unchanged when already that size)."""
    if images.shape[-1] == side:
        return images
    small = F.interpolate(images.float(), size=(side, side), mode="area")
    return small.round_().clamp_(0, 255).to(torch.uint8)


@contextmanager
def torch_threads(count: int) -> Iterator[None]:
    """Run with ``count`` torch CPU threads (0 = all cores), then restore the previous count."""
    previous = torch.get_num_threads()
    torch.set_num_threads(count or os.cpu_count() or 1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def cross_validate(data: ImageSet, p: CurateParams) -> Iterator[Fold]:
    """Train ``p.folds`` classifiers, each judging the fold it did not see (stratified folds)."""
    check_class_sizes(data, p.folds)
    small = ImageSet(downscale(data.images, p.image_size), data.labels, data.classes, data.ids)
    labels = data.labels.numpy()
    splitter = StratifiedKFold(n_splits=p.folds, shuffle=True, random_state=p.seed)
    for index, (train, test) in enumerate(splitter.split(np.zeros(len(labels)), labels)):
        mask = np.zeros(len(labels), dtype=bool)
        mask[train] = True
        settings = ClassifierParams(
            epochs=p.epochs, batch_size=p.batch_size, lr=p.lr, seed=p.seed + index
        )
        with torch_threads(p.threads):
            model = train_classifier(small.subset(mask), settings)
            features, logits = embed(model, small.images)
        probs = torch.softmax(logits[test].double(), dim=1).numpy()
        yield Fold(train, test, features.numpy(), probs)
