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
brightness and contrast changes cancel while layout and colour stay. Two images are
near-duplicates when the mean absolute difference of their signatures is at most a distance
(0.2: 0 merges, 96 of 96 caught; true pairs reach 0.15, the closest distinct pair, a red circle
and a red square of the same size, is at 0.23).
"""

from __future__ import annotations

import cv2
import numpy as np

SIDE = 16  # thumbnail side
STD_FLOOR = 8.0  # grey levels: a nearly flat image is not stretched into noise
COARSE = 4  # the pre-check's side: block means of the thumbnail


def signature(rgb: np.ndarray) -> np.ndarray:
    """The standardised 16x16x3 thumbnail of an (H, W, 3) uint8 image, as float32."""
    small = cv2.resize(rgb, (SIDE, SIDE), interpolation=cv2.INTER_AREA).astype(np.float32)
    return (small - small.mean()) / (small.std() + STD_FLOOR)


def distance(a: np.ndarray, b: np.ndarray) -> float:
    """Mean absolute difference of two signatures."""
    return float(np.abs(a - b).mean())


def _coarse(signatures: np.ndarray) -> np.ndarray:
    """Block means of (N, 16, 16, 3) signatures as (N, 4, 4, 3)."""
    n = len(signatures)
    step = SIDE // COARSE
    return signatures.reshape(n, COARSE, step, COARSE, step, 3).mean(axis=(2, 4))


class Index:
    """Signatures of the images kept so far; finds the nearest one within a distance.

    The mean absolute difference of block means never exceeds that of the blocks' pixels, so
    a 4x4 comparison rules out most kept images before the full 16x16 one.
    """

    def __init__(self, capacity: int) -> None:
        self.full = np.zeros((capacity, SIDE, SIDE, 3), dtype=np.float32)
        self.small = np.zeros((capacity, COARSE, COARSE, 3), dtype=np.float32)
        self.size = 0

    def nearest(self, sig: np.ndarray, within: float) -> tuple[int, float] | None:
        """(index, distance) of the closest kept signature at most ``within`` away, else None."""
        if self.size == 0:
            return None
        coarse = _coarse(sig[None])[0]
        rough = np.abs(self.small[: self.size] - coarse).mean(axis=(1, 2, 3))
        candidates = np.flatnonzero(rough <= within)
        if len(candidates) == 0:
            return None
        exact = np.abs(self.full[candidates] - sig).mean(axis=(1, 2, 3))
        best = int(exact.argmin())
        return (int(candidates[best]), float(exact[best])) if exact[best] <= within else None

    def add(self, sig: np.ndarray) -> None:
        self.full[self.size] = sig
        self.small[self.size] = _coarse(sig[None])[0]
        self.size += 1
