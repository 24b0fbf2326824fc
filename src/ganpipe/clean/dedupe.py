"""Near-duplicates by standardised thumbnails: re-encodes, resizes, crops match; flat logos don't.

A perceptual hash (pHash: signs of the 8x8 lowest DCT frequencies against their median) has
almost no information on low-texture images: most coefficients are about zero and their signs
are noise, so a black-top/white-bottom image and a grey gradient come out 2 bits apart, while a
watermarked copy of the same two-tone image can differ in 31 bits. benchmarks/dedupe.py measured
it on 23 distinct simple images and 96 true near-duplicate pairs: pHash within 4 bits (the old
default) merged 11 distinct pairs and caught 70 of 96 true pairs; within 8 bits, 31 and 81.
A difference hash catches all 96 but merges 16 (it too sees only brightness gradients).

The signature here is the image itself, small: a 16x16 RGB thumbnail (area average), shifted to
zero mean and scaled to unit standard deviation over all pixels and channels, so light
brightness and contrast changes cancel while layout and colour stay. A crop moves every edge of
a flat logo, so each image also gets the thumbnails of its central 97% and 94%; the distance of
two images is the smallest mean absolute difference between one's full thumbnail and any of the
other's. At 0.12: 0 merges, 96 of 96 pairs caught, 3%, 5% and 8% crops of all 27 base images
caught, and 1 of the 211,567 same-class pairs of distinct sign-language photos merged (pHash
within 4 bits: 24). Without the crop thumbnails, 0.12 missed 6 of 27 5% crops, and 0.2 still
missed one while merging 87 photo pairs.
"""

from __future__ import annotations

import cv2
import numpy as np

SIDE = 16  # thumbnail side
STD_FLOOR = 8.0  # grey levels: a nearly flat image is not stretched into noise
CROPS = (0.0, 0.03, 0.06)  # share cut off (half on each side) for each thumbnail
COARSE = 4  # the pre-check's side: block means of the thumbnails


def thumbnail(rgb: np.ndarray) -> np.ndarray:
    """The standardised 16x16x3 thumbnail of an (H, W, 3) uint8 image, as float32."""
    small = cv2.resize(rgb, (SIDE, SIDE), interpolation=cv2.INTER_AREA).astype(np.float32)
    return (small - small.mean()) / (small.std() + STD_FLOOR)


def signature(rgb: np.ndarray) -> np.ndarray:
    """(len(CROPS), 16, 16, 3): thumbnails of the whole image and of its central crops."""
    height, width = rgb.shape[:2]
    out = []
    for share in CROPS:
        dy, dx = round(height * share / 2), round(width * share / 2)
        out.append(thumbnail(rgb[dy : height - dy, dx : width - dx]))
    return np.stack(out)


def distance(a: np.ndarray, b: np.ndarray) -> float:
    """Smallest mean absolute difference of one's whole thumbnail and any of the other's."""
    one = np.abs(a - b[0]).mean(axis=(1, 2, 3)).min()
    other = np.abs(b - a[0]).mean(axis=(1, 2, 3)).min()
    return float(min(one, other))


def _coarse(signatures: np.ndarray) -> np.ndarray:
    """Block means of (..., 16, 16, 3) thumbnails as (..., 4, 4, 3)."""
    step = SIDE // COARSE
    shape = (*signatures.shape[:-3], COARSE, step, COARSE, step, 3)
    return signatures.reshape(shape).mean(axis=(-4, -2))


class Index:
    """Signatures of the images kept so far; finds the nearest one within a distance.

    The mean absolute difference of block means never exceeds that of the blocks' pixels, so
    4x4 comparisons rule out most kept images before the full 16x16 ones.
    """

    def __init__(self, capacity: int) -> None:
        self.full = np.zeros((capacity, len(CROPS), SIDE, SIDE, 3), dtype=np.float32)
        self.small = np.zeros((capacity, len(CROPS), COARSE, COARSE, 3), dtype=np.float32)
        self.size = 0

    def nearest(self, sig: np.ndarray, within: float) -> tuple[int, float] | None:
        """(index, distance) of the closest kept signature at most ``within`` away, else None."""
        rough = _distances(self.small[: self.size], _coarse(sig))
        candidates = np.flatnonzero(rough <= within)
        if len(candidates) == 0:
            return None
        exact = _distances(self.full[candidates], sig)
        best = int(exact.argmin())
        return (int(candidates[best]), float(exact[best])) if exact[best] <= within else None

    def add(self, sig: np.ndarray) -> None:
        self.full[self.size] = sig
        self.small[self.size] = _coarse(sig)
        self.size += 1


def _distances(kept: np.ndarray, sig: np.ndarray) -> np.ndarray:
    """:func:`distance` from ``sig`` to each of ``kept`` (N, crops, side, side, 3)."""
    one = np.abs(kept - sig[0]).mean(axis=(2, 3, 4)).min(axis=1)
    other = np.abs(kept[:, :1] - sig).mean(axis=(2, 3, 4)).min(axis=1)
    return np.minimum(one, other)
