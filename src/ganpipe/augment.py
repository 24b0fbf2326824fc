"""Offline augmentation in the car-logo seed's codes, deterministic per image.

Chains are written in the codes of :mod:`ganpipe.chains` (``fliph``, ``rot_-15:15``,
``noise_0.01`` ...); a range ``lo:hi`` is drawn uniformly for each image and copy. Draws come
from a seed made of ``augment.seed``, the image id, the chain and the copy number, so reruns are
byte-identical; ``applied.csv`` records the concrete chain each copy got. Areas uncovered by a
rotation, shift or zoom are filled with the background colour, not black.

Everything an offline copy contains is training data, so the generator learns to reproduce it:
rotations (and their fill corners), vertical flips, noise and blur all leak into generated images,
and a horizontal flip mirrors wordmarks. Prefer in-training augmentation (``train.diffaugment``)
for anything that should not show up in samples.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any

import cv2
import numpy as np
from PIL import Image

from ganpipe.chains import Code, format_code
from ganpipe.clean.decode import load, open_image
from ganpipe.clean.rows import fill_for, pass_through, save_png
from ganpipe.manifest import Row, content_id, copy_origin

APPLIED = "applied.csv"


# --------------------------------------------------------------------------- one image


@dataclass(frozen=True)
class AugmentJob:
    """What every worker needs: folders, parsed chains, copies per chain, seed, background."""

    in_dir: Path
    out_dir: Path
    chains: tuple[tuple[str, tuple[Code, ...]], ...]
    copies: int
    seed: int
    background: str


@dataclass(frozen=True)
class Augmented:
    """One output image; ``chain`` is empty for the original."""

    row: Row
    source_id: str = ""
    chain: str = ""
    applied: str = ""


def augment_row(row: Row, job: AugmentJob) -> list[Augmented]:
    """The original (copied byte for byte) and its augmented copies."""
    source = job.in_dir / row.path
    out = [Augmented(pass_through(row, job.in_dir, job.out_dir))]
    if not job.chains:
        return out
    image = load(open_image(source.read_bytes()))
    if image.mode not in ("RGB", "L"):  # input that did not come through reduce
        image = image.convert("RGB")
    pixels = np.asarray(image)
    fill = fill_for(image.mode, job.background)
    for chain, codes in job.chains:
        for copy in range(job.copies):
            key = f"{row.id}|{chain}|{copy}"
            augmented, applied = _apply(pixels, codes, fill, _seed(job.seed, key))
            new_id = content_id(key.encode())
            new = save_png(_to_image(augmented, image.mode), job.out_dir, row, new_id)
            # origin names the source image, so the held-out split keeps copies with it
            out.append(Augmented(replace(new, origin=copy_origin(row.id)), row.id, chain, applied))
    return out


def _seed(seed: int, key: str) -> int:
    digest = hashlib.sha256(f"{seed}|{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def _apply(
    pixels: np.ndarray, codes: tuple[Code, ...], fill: Any, seed: int
) -> tuple[np.ndarray, str]:
    """Run one chain with values drawn from ``seed``; returns the image and the concrete chain."""
    rng = np.random.default_rng(seed)
    applied = []
    for k, code in enumerate(codes):
        values = code.sample(rng)
        transform = _transform(code.name, values, fill, pixels.shape[:2])
        transform.set_random_seed(seed + k)  # the noise pattern; geometry is fixed by values
        pixels = transform(image=pixels)["image"]
        applied.append(format_code(code.name, values))
    return pixels, " ".join(applied)


def load_albumentations() -> ModuleType:
    """albumentations, imported on first use: parsing chains (params checks) must stay cheap."""
    os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")  # no network check at import
    import albumentations

    return albumentations


@lru_cache(maxsize=256)
def _transform(name: str, values: tuple[float, ...], fill: Any, shape: tuple[int, int]) -> Any:
    """The albumentations transform for one concrete code, every parameter explicit.

    Cached: a fixed chain builds its transforms once per worker (building one costs more than
    applying it to a 64x64 image).
    """
    A = load_albumentations()
    geometry = {
        "interpolation": cv2.INTER_LINEAR,
        "mask_interpolation": cv2.INTER_NEAREST,
        "border_mode": cv2.BORDER_CONSTANT,
        "fill": fill,
        "fill_mask": 0,
        "rotate_method": "largest_box",
        "p": 1.0,
    }
    if name == "fliph":
        return A.HorizontalFlip(p=1.0)
    if name == "flipv":
        return A.VerticalFlip(p=1.0)
    if name == "noise":
        return A.GaussNoise(
            std_range=(values[0], values[0]),
            mean_range=(0.0, 0.0),
            per_channel=True,
            noise_scale_factor=1.0,
            p=1.0,
        )
    if name == "blur":
        return A.GaussianBlur(blur_limit=(0, 0), sigma_limit=(values[0], values[0]), p=1.0)
    if name == "rot":
        return A.Rotate(limit=(values[0], values[0]), crop_border=False, **geometry)
    if name == "trans":
        return _affine(A, geometry, scale=1.0, shift=(int(values[0]), int(values[1])))
    if len(values) == 1:
        return _affine(A, geometry, scale=values[0], shift=(0, 0))
    return _zoom_box(A, tuple(int(v) for v in values), fill, shape)


def _affine(A: ModuleType, geometry: dict[str, Any], scale: float, shift: tuple[int, int]) -> Any:
    """A pure scale-about-the-centre and whole-pixel shift."""
    return A.Affine(
        scale=(scale, scale),
        translate_px={"x": shift[0], "y": shift[1]},
        rotate=(0.0, 0.0),
        shear={"x": (0.0, 0.0), "y": (0.0, 0.0)},
        fit_output=False,
        keep_ratio=True,
        balanced_scale=False,
        **geometry,
    )


def _zoom_box(A: ModuleType, box: tuple[int, ...], fill: Any, shape: tuple[int, int]) -> Any:
    """The seed's zoom: pad with background where the box leaves the image, crop, resize back.

    (Affine cannot do this exactly: albumentations truncates its shifts to whole pixels.)
    """
    height, width = shape
    x1, y1, x2, y2 = box
    pad = (max(0, -x1), max(0, -y1), max(0, x2 - width), max(0, y2 - height))
    shrink = x2 - x1 > width or y2 - y1 > height
    return A.Sequential(
        [
            A.Pad(padding=pad, fill=fill, fill_mask=0, border_mode=cv2.BORDER_CONSTANT, p=1.0),
            A.Crop(
                x_min=x1 + pad[0],
                y_min=y1 + pad[1],
                x_max=x2 + pad[0],
                y_max=y2 + pad[1],
                pad_if_needed=False,
                pad_position="center",
                border_mode=cv2.BORDER_CONSTANT,
                fill=fill,
                fill_mask=0,
                p=1.0,
            ),
            A.Resize(
                height=height,
                width=width,
                interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR,
                mask_interpolation=cv2.INTER_NEAREST,
                area_for_downscale=None,
                p=1.0,
            ),
        ],
        p=1.0,
    )


def _to_image(pixels: np.ndarray, mode: str) -> Image.Image:
    return Image.fromarray(np.ascontiguousarray(pixels)).convert(mode)
