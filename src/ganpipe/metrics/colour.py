"""Colour spread: how much the per-image mean colour varies within a class.

A generator that drops colour modes (every hand in one skin tone, every logo in one hue) can
still score a fair Fréchet distance in a classifier's features, which care about shape. The
per-image mean colour sees it directly. For each class, the spread is the root mean square over
the channels of the standard deviation, across that class's images, of each image's mean value
(in [-1, 1] units); a set's spread is the mean over its classes. Generated images should come
within a few tens of percent of the real images' spread; far below means colour modes dropped.
"""

from __future__ import annotations

import torch


def mean_colours(images: torch.Tensor) -> torch.Tensor:
    """Per-image mean of each channel, (N, C), in [-1, 1] units (uint8 images or floats in
    [-1, 1])."""
    x = images.double()
    if images.dtype == torch.uint8:
        x = x / 127.5 - 1
    return x.mean((2, 3))


def colour_spread(images: torch.Tensor) -> float:
    """RMS over channels of the std of per-image mean colour; 0 for fewer than two images."""
    if len(images) < 2:
        return 0.0
    return float(mean_colours(images).var(0).mean().sqrt())


def class_colour_spreads(
    images: torch.Tensor, labels: torch.Tensor, n_classes: int
) -> list[float | None]:
    """:func:`colour_spread` of each class's images; None for a class with fewer than two."""
    return [
        colour_spread(images[labels == k]) if int((labels == k).sum()) >= 2 else None
        for k in range(n_classes)
    ]
