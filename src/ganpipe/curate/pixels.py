"""Image statistics that tell a flat graphic from a photo, and small thumbnails, from pixels alone.

Logos and other graphics sit on a plain background, in few flat colours with hard edges; photos
(a whole car, a shop front, a mug) fill the frame with texture. None of this needs a model, so it
works on 10 images a class as well as on 10,000. All statistics are computed at ``SIDE`` pixels
(area-downscaled), so their thresholds mean the same for every ``resize.image_size``, and inside
the resize stage's letterbox bars: a 4:3 photo letterboxed to a square has a plain band above and
below, which made its border look like a graphic's and its frame look "filled" (issue 27).
"""

from __future__ import annotations

import numpy as np
import torch
from torch.nn import functional as F

SIDE = 64  # the statistics' working size
FLAT = 6  # a neighbour differs by at most this (of 255) on a flat area: JPEG noise, gradients
EDGE = 40  # and by more than this across a hard edge
# A step along the border this large is texture: a gradient across the whole range steps 4 a
# pixel at 64 px and JPEG noise adds a few, so a graphic on a gradient stays below it. On six
# search-like folders of benchmarks/suspects.py (floor 0.01 for the photo signal) the top 10%
# held 4.1x the bad share with 12, 4.0x with 16; 6 (with floor 0.02) gave 4.0x, 12 with 0.02 3.6x
STEP = 12
INK = 24  # a pixel differs from the background colour by more than this: it is drawn
RING = 2  # the border ring's width in pixels
THUMB = 16  # thumbnail side for layout comparisons
BLOCK = 8  # side of the blocks whose colours are counted (a graphic: one or two a block)
PALETTE = 4  # the most common colours whose share is the palette's concentration
MIN_PICTURE = 16  # lines left inside letterbox bars for them to count as bars
STATISTICS = ("flat", "texture", "edges", "colours", "foreground", "saturation")
# What photographs have and graphics lack inside the frame, whatever the class: the direction
# in which each statistic grows more photo-like (the border, the other photo evidence, is a
# signal of its own; these find the photos whose border is smooth: sky, car paint, a wall)
PHOTO_DIRECTION = {"colours": 1, "palette": -1, "flat": -1, "texture": 1, "blocks": 1}


def _working(images: torch.Tensor) -> np.ndarray:
    """(N, SIDE, SIDE, 3) float32 0-255 from uint8 (N, C, H, W); grey is repeated to RGB."""
    x = images.float()
    if x.shape[-1] != SIDE:
        x = F.interpolate(x, size=(SIDE, SIDE), mode="area")
    if x.shape[1] == 1:
        x = x.expand(-1, 3, -1, -1)
    return x.permute(0, 2, 3, 1).numpy()


def _gradient(x: np.ndarray) -> np.ndarray:
    """Per pixel, the largest channel difference to the right or lower neighbour."""
    dx = np.abs(np.diff(x, axis=2)).max(axis=-1)[:, :-1, :]
    dy = np.abs(np.diff(x, axis=1)).max(axis=-1)[:, :, :-1]
    return np.maximum(dx, dy)


def border_roughness(x: np.ndarray) -> np.ndarray:
    """Share of the border ring's steps (along the border) above ``STEP``: ~0 for a graphic on a
    plain or gradient background, large for a photo whose scene runs off the frame."""
    dx = np.abs(np.diff(x, axis=2)).max(axis=-1)  # steps along rows
    dy = np.abs(np.diff(x, axis=1)).max(axis=-1)  # steps along columns
    ring = np.concatenate(
        [
            dx[:, :RING].reshape(len(x), -1),
            dx[:, -RING:].reshape(len(x), -1),
            dy[:, :, :RING].reshape(len(x), -1),
            dy[:, :, -RING:].reshape(len(x), -1),
        ],
        axis=1,
    )
    return (ring > STEP).mean(axis=1)


def foreground_share(x: np.ndarray) -> np.ndarray:
    """Share of pixels that differ from the border's median colour: what is drawn at all."""
    border = np.concatenate([x[:, 0], x[:, -1], x[:, :, 0], x[:, :, -1]], axis=1)
    background = np.median(border, axis=1)[:, None, None, :]
    return (np.abs(x - background).max(axis=-1) > INK).mean(axis=(1, 2))


def colour_count(x: np.ndarray) -> np.ndarray:
    """Colours (8 levels a channel) that cover 95% of the pixels: few for a graphic."""
    out = np.empty(len(x))
    for i, row in enumerate(_codes(x).reshape(len(x), -1)):
        counts = np.sort(np.bincount(row, minlength=512))[::-1]
        out[i] = np.searchsorted(np.cumsum(counts), 0.95 * row.size) + 1
    return out


def _codes(x: np.ndarray) -> np.ndarray:
    """Each pixel's colour at 8 levels a channel, as one code in [0, 512)."""
    q = (x // 32).astype(np.int64)
    return (q[..., 0] * 8 + q[..., 1]) * 8 + q[..., 2]


def palette_share(x: np.ndarray) -> np.ndarray:
    """Share of the pixels in the ``PALETTE`` most common colours: near 1 for a graphic drawn in
    a few flat colours (however many shades its edges add), low for a photo."""
    out = np.empty(len(x))
    for i, row in enumerate(_codes(x).reshape(len(x), -1)):
        out[i] = np.sort(np.bincount(row, minlength=512))[-PALETTE:].sum() / row.size
    return out


def block_colours(x: np.ndarray) -> np.ndarray:
    """Mean count of colours in each ``BLOCK``-pixel block: local, so a graphic's many colours
    (a rainbow, a gradient background) stay few a block, while a photo's shading and texture
    give several in every block."""
    n, rows, cols = len(x), x.shape[1] // BLOCK, x.shape[2] // BLOCK
    codes = _codes(x)[:, : rows * BLOCK, : cols * BLOCK]
    blocks = codes.reshape(n, rows, BLOCK, cols, BLOCK).transpose(0, 1, 3, 2, 4)
    flat = np.sort(blocks.reshape(n, rows * cols, BLOCK * BLOCK), axis=-1)
    return ((np.diff(flat, axis=-1) != 0).sum(axis=-1) + 1).mean(axis=1)


def _bar(lines: np.ndarray, colour: np.ndarray) -> int:
    """How many of the first ``lines`` are of one ``colour`` throughout."""
    uniform = np.abs(lines - colour).max(axis=(1, 2)) <= FLAT
    return int(np.argmin(uniform)) if not uniform.all() else len(lines)


def letterbox(image: np.ndarray) -> np.ndarray:
    """The picture inside the resize stage's letterbox bars, or ``image`` when it has none. Bars:
    lines of one colour on two opposite sides, alike in width (one pixel apart at most, after
    area-downscaling), with the picture along most of the other two sides in another colour. A
    graphic on a plain ground is plain on all four sides, and a wordmark touches the sides at a
    few letters only: both keep their margins."""
    for lines in (image, image.transpose(1, 0, 2)):  # bars above and below, then beside
        colour = lines[0, 0]
        first, last = _bar(lines, colour), _bar(lines[::-1], colour)
        inner = lines[first : len(lines) - last]
        if min(first, last) == 0 or abs(first - last) > 1 or len(inner) < MIN_PICTURE:
            continue
        sides = np.abs(inner[:, [0, -1]] - colour).max(axis=-1) > FLAT  # (lines, 2)
        if sides.mean(axis=0).min() >= 0.5:
            return inner if lines is image else inner.transpose(1, 0, 2)
    return image


def statistics(images: torch.Tensor, inside_bars: bool = True) -> dict[str, np.ndarray]:
    """Per image, inside its letterbox bars (the whole frame with ``inside_bars`` false, as
    before issue 27): the ``STATISTICS`` plus ``border`` roughness, ``palette`` share and
    ``blocks`` colours, each a share except the colour counts."""
    pictures = [letterbox(image) if inside_bars else image for image in _working(images)]
    each = [_measure(picture[None]) for picture in pictures]
    return {key: np.concatenate([one[key] for one in each]) for key in each[0]}


def _measure(x: np.ndarray) -> dict[str, np.ndarray]:
    """The statistics of a batch of pictures of one size."""
    g = _gradient(x)
    top, bottom = x.max(axis=-1), x.min(axis=-1)
    saturation = np.where(top > 0, (top - bottom) / np.maximum(top, 1), 0.0)
    return {
        "flat": (g <= FLAT).mean(axis=(1, 2)),
        "texture": ((g > FLAT) & (g <= EDGE)).mean(axis=(1, 2)),
        "edges": (g > EDGE).mean(axis=(1, 2)),
        "colours": colour_count(x),
        "foreground": foreground_share(x),
        "saturation": saturation.mean(axis=(1, 2)),
        "border": border_roughness(x),
        "palette": palette_share(x),
        "blocks": block_colours(x),
    }


def thumbnails(images: torch.Tensor) -> np.ndarray:
    """(N, 3 * THUMB²) area thumbnails, mean-centred and unit length: layout and colour, not
    brightness, decide which images are alike."""
    x = images.float() / 255
    if x.shape[1] == 1:
        x = x.expand(-1, 3, -1, -1)
    small = F.interpolate(x, size=(THUMB, THUMB), mode="area").reshape(len(x), -1).double()
    small = small - small.mean(dim=1, keepdim=True)
    return (small / small.norm(dim=1, keepdim=True).clamp_min(1e-6)).numpy()
