"""Offline augmentation in the car-logo seed's codes, deterministic per image.

A chain is a space-separated list of codes, applied left to right::

    fliph                       mirror left-right
    flipv                       mirror top-bottom
    noise_<std>                 Gaussian noise; std a fraction of full scale (0.01 = 2.55 levels)
    rot_<degrees>               rotate about the centre; positive is counter-clockwise
    trans_<dx>_<dy>             shift by whole pixels; +dx right, +dy down
    zoom_<scale>                zoom about the centre; > 1 magnifies
    zoom_<x1>_<y1>_<x2>_<y2>    stretch the pixel box [x1, x2) x [y1, y2) to the whole image
                                (the box may reach past the edges: that part is background)
    blur_<sigma>                Gaussian blur, sigma in pixels

Any number except the zoom box may be a range ``lo:hi`` (``rot_-15:15``, ``trans_-4:4_0``),
drawn uniformly for each image and copy (whole pixels for ``trans``). Draws come from a seed made
of ``augment.seed``, the image id, the chain and the copy number, so reruns are byte-identical;
``applied.csv`` records the concrete chain each copy got. Areas uncovered by a rotation, shift
or zoom are filled with the background colour, not black.

Everything an offline copy contains is training data, so the generator learns to reproduce it:
rotations (and their fill corners), vertical flips, noise and blur all leak into generated images,
and a horizontal flip mirrors wordmarks. Prefer in-training augmentation (``train.diffaugment``)
for anything that should not show up in samples.
"""

from __future__ import annotations

import csv
import hashlib
import os
from dataclasses import dataclass, replace
from functools import lru_cache, partial
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np
from PIL import Image

from ganpipe.clean.decode import load, open_image
from ganpipe.clean.parallel import pmap
from ganpipe.clean.stage import fill_for, finish, pass_through, save_png, start
from ganpipe.manifest import Row, content_id, copy_origin

if TYPE_CHECKING:
    from ganpipe.params import AugmentParams

USAGE = (
    "fliph, flipv, noise_<std>, rot_<degrees>, trans_<dx>_<dy>, zoom_<scale>, "
    "zoom_<x1>_<y1>_<x2>_<y2>, blur_<sigma>; any number but the zoom box may be lo:hi"
)
ARITY = {
    "fliph": (0,),
    "flipv": (0,),
    "noise": (1,),
    "rot": (1,),
    "trans": (2,),
    "zoom": (1, 4),
    "blur": (1,),
}
APPLIED = "applied.csv"

Range = tuple[float, float]


class ChainError(ValueError):
    """An augment chain holds a code that does not exist or has bad values."""


@dataclass(frozen=True)
class Code:
    """One parsed code: its name and a (lo, hi) range per number (lo == hi when fixed)."""

    name: str
    ranges: tuple[Range, ...]

    def sample(self, rng: np.random.Generator) -> tuple[float, ...]:
        """Concrete values, rounded to what ``applied.csv`` shows (so it is exactly replayable)."""
        if self.name == "trans":
            return tuple(
                float(rng.integers(int(lo), int(hi), endpoint=True)) for lo, hi in self.ranges
            )
        return tuple(
            lo if lo == hi else round(float(rng.uniform(lo, hi)), 3) for lo, hi in self.ranges
        )


def parse_chain(chain: str) -> tuple[Code, ...]:
    """Parse and validate a chain; a bad code raises :class:`ChainError` naming it."""
    tokens = chain.split()
    if not tokens:
        raise ChainError(f"augment chain {chain!r} is empty; codes: {USAGE}")
    return tuple(_parse_code(token, chain) for token in tokens)


def _parse_code(token: str, chain: str) -> Code:
    name, *args = token.split("_")

    def fail(problem: str) -> ChainError:
        return ChainError(f"augment code {token!r} in chain {chain!r}: {problem}; codes: {USAGE}")

    if name not in ARITY:
        raise fail(f"unknown code {name!r}")
    if len(args) not in ARITY[name]:
        raise fail(f"{name} takes {' or '.join(map(str, ARITY[name]))} numbers, got {len(args)}")
    try:
        ranges = tuple(_parse_range(arg) for arg in args)
    except ValueError as err:
        raise fail(str(err)) from err
    problem = _check_values(name, ranges)
    if problem:
        raise fail(problem)
    return Code(name, ranges)


def _parse_range(text: str) -> Range:
    parts = text.split(":")
    if len(parts) > 2 or not all(parts):
        raise ValueError(f"{text!r} is not a number or a lo:hi range")
    try:
        lo, hi = float(parts[0]), float(parts[-1])
    except ValueError:
        raise ValueError(f"{text!r} is not a number or a lo:hi range") from None
    if not (np.isfinite(lo) and np.isfinite(hi)) or lo > hi:
        raise ValueError(f"range {text!r} needs finite lo <= hi")
    return lo, hi


def _check_values(name: str, ranges: tuple[Range, ...]) -> str:
    """The problem with a code's values, or '' when they are fine."""
    flat = [v for r in ranges for v in r]
    if name == "noise" and not 0 <= min(flat) <= max(flat) <= 1:
        return "std must be in 0-1 (a fraction of full scale)"
    if name == "rot" and not -360 <= min(flat) <= max(flat) <= 360:
        return "degrees must be in -360 to 360"
    if name == "trans" and any(v != int(v) for v in flat):
        return "shifts are whole pixels"
    if name == "blur" and not 0 < min(flat) <= max(flat) <= 50:
        return "sigma must be > 0 and <= 50"
    if name == "zoom" and len(ranges) == 1 and min(flat) <= 0:
        return "scale must be > 0"
    if name == "zoom" and len(ranges) == 4:
        if any(lo != hi or lo != int(lo) for lo, hi in ranges):
            return "the zoom box takes fixed whole pixels; use zoom_<lo>:<hi> for a random scale"
        x1, y1, x2, y2 = (lo for lo, _ in ranges)
        if x2 <= x1 or y2 <= y1:
            return "the zoom box needs x1 < x2 and y1 < y2"
    return ""


def format_code(name: str, values: tuple[float, ...]) -> str:
    """``rot`` and ``(-7.312,)`` as ``rot_-7.312``: the concrete code a copy got."""
    return "_".join([name, *(format(v, "g") for v in values)])


# --------------------------------------------------------------------------- the stage


@dataclass(frozen=True)
class _Job:
    in_dir: Path
    out_dir: Path
    chains: tuple[tuple[str, tuple[Code, ...]], ...]
    copies: int
    seed: int
    background: str


def run_augment(in_dir: Path, out_dir: Path, params: AugmentParams, background: str) -> list[Row]:
    """Pass every kept image through, plus ``copies`` augmented images per chain.

    Copies get the id ``content_id("<id>|<chain>|<copy>")`` and ``copy-of:<source id>`` as
    origin (ganpipe.data.source_id); ``applied.csv`` maps each copy to its source id and the
    concrete codes applied.
    """
    chains = tuple((chain, parse_chain(chain)) for chain in params.chains)
    rows = start(in_dir, out_dir)
    if chains:
        _albumentations()  # import once here, before workers fork, not once per worker
    job = _Job(Path(in_dir), Path(out_dir), chains, params.copies, params.seed, background)
    results = pmap(partial(_augment_one, job=job), rows, params.workers, "augment")
    records = [record for out in results for record in out]
    _write_applied(Path(out_dir), records)
    return finish(out_dir, [record.row for record in records])


@dataclass(frozen=True)
class _Record:
    """One output image; ``chain`` is empty for the original."""

    row: Row
    source_id: str = ""
    chain: str = ""
    applied: str = ""


def _augment_one(row: Row, job: _Job) -> list[_Record]:
    """The original (copied byte for byte) and its augmented copies."""
    source = job.in_dir / row.path
    out = [_Record(pass_through(row, job.in_dir, job.out_dir))]
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
            out.append(_Record(replace(new, origin=copy_origin(row.id)), row.id, chain, applied))
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


def _albumentations() -> ModuleType:
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
    A = _albumentations()
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


def _write_applied(out_dir: Path, records: list[_Record]) -> None:
    """``applied.csv``: per augmented copy, its source, chain and the concrete codes applied."""
    copies = sorted((r for r in records if r.chain), key=lambda r: (r.row.label, r.row.id))
    with (out_dir / APPLIED).open("w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["id", "class", "source_id", "chain", "applied"])
        for r in copies:
            writer.writerow([r.row.id, r.row.label, r.source_id, r.chain, r.applied])
