"""Image stage outputs loaded into memory as uint8 tensors, with the real/held-out split."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from tqdm import tqdm

from ganpipe.errors import UserError
from ganpipe.manifest import COPY_OF, Row, class_names, read_manifest


@dataclass
class ImageSet:
    """Images (N, C, H, W) uint8, labels (N,) int64 and the class names labels index into."""

    images: torch.Tensor
    labels: torch.Tensor
    classes: list[str]
    ids: list[str]

    @property
    def channels(self) -> int:
        return int(self.images.shape[1])

    @property
    def size(self) -> int:
        return int(self.images.shape[2])

    def subset(self, mask: np.ndarray) -> ImageSet:
        index = torch.from_numpy(np.flatnonzero(mask))
        return ImageSet(
            self.images[index],
            self.labels[index],
            self.classes,
            [self.ids[i] for i in index.tolist()],
        )

    def first_per_class(self, limit: int) -> ImageSet:
        """The first ``limit`` images of each class, in their order (0: all of them)."""
        if not limit:
            return self
        labels = self.labels.numpy()
        keep = np.zeros(len(labels), dtype=bool)
        for label in np.unique(labels):
            keep[np.flatnonzero(labels == label)[:limit]] = True
        return self.subset(keep)

    def counts(self) -> dict[str, int]:
        """Images per class name."""
        found = torch.bincount(self.labels, minlength=len(self.classes)).tolist()
        return dict(zip(self.classes, found, strict=True))


def concat(a: ImageSet, b: ImageSet) -> ImageSet:
    """Both sets as one (same class list, same image shape): real plus synthetic images."""
    if a.classes != b.classes or a.images.shape[1:] != b.images.shape[1:]:
        raise ValueError(
            f"cannot join {len(a.classes)} classes of {tuple(a.images.shape[1:])} images with "
            f"{len(b.classes)} of {tuple(b.images.shape[1:])}"
        )
    return ImageSet(
        torch.cat([a.images, b.images]), torch.cat([a.labels, b.labels]), a.classes, a.ids + b.ids
    )


def source_id(row: Row) -> str:
    """The id of the original image a row derives from (augmented copies name it in origin)."""
    return row.origin.removeprefix(COPY_OF) if row.origin.startswith(COPY_OF) else row.id


def is_holdout(image_id: str, fraction: float, salt: str = "") -> np.bool_:
    """Deterministic, content-based membership of the held-out evaluation split (another
    ``salt``: another split, independent of it)."""
    bucket = int(hashlib.sha256((salt + image_id).encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return np.bool_(bucket < fraction)


def _read(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        array = np.asarray(image)
    return array[:, :, None] if array.ndim == 2 else array


def _first_per_class(rows: list[Row], limit: int) -> list[Row]:
    taken: dict[str, int] = {}
    out = []
    for row in rows:
        taken[row.label] = taken.get(row.label, 0) + 1
        if taken[row.label] <= limit:
            out.append(row)
    return out


def load_image_set(
    stage_dir: Path, classes: list[str] | None = None, per_class: int = 0
) -> ImageSet:
    """Every kept image of a stage directory (the first ``per_class`` of each class if set)."""
    rows = read_manifest(stage_dir, kept_only=True)
    if per_class:
        rows = _first_per_class(rows, per_class)
    if not rows:
        raise UserError(f"{stage_dir}: the manifest has no kept images to train on")
    classes = classes or class_names(rows)
    index = {c: i for i, c in enumerate(classes)}
    arrays = [
        _read(stage_dir / r.path)
        for r in tqdm(rows, desc=f"load {stage_dir}", unit="img", mininterval=2)
    ]
    shapes = {a.shape for a in arrays}
    if len(shapes) != 1:
        raise UserError(
            f"{stage_dir}: images differ in shape {sorted(shapes)[:3]}; run the resize stage first"
        )
    images = torch.from_numpy(np.stack(arrays)).permute(0, 3, 1, 2).contiguous()
    labels = torch.tensor([index[r.label] for r in rows], dtype=torch.int64)
    return ImageSet(images, labels, classes, [source_id(r) for r in rows])


def split_holdout(data: ImageSet, fraction: float, salt: str = "") -> tuple[ImageSet, ImageSet]:
    """(train, held-out) by a hash of each image's source id, so copies stay together."""
    mask = np.array([is_holdout(i, fraction, salt) for i in data.ids], dtype=bool)
    return data.subset(~mask), data.subset(mask)


def to_float(images: torch.Tensor) -> torch.Tensor:
    """uint8 [0, 255] -> float [-1, 1], the generator's output range."""
    return images.float().div_(127.5).sub_(1.0)


def to_uint8(images: torch.Tensor) -> torch.Tensor:
    """float [-1, 1] -> uint8 [0, 255], rounded the same way everywhere."""
    return images.add(1.0).mul(127.5).round_().clamp_(0, 255).to(torch.uint8)
