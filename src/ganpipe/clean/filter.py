"""Filter checks: decide which raw files are usable images, and say why the others are not.

Kept rows point at the raw file itself (no copy, no re-encode; reduce does the only
decode-to-pixels that reaches training); only a file named with the wrong extension is copied.
Every input row comes out kept or rejected with a ``code:detail`` reason.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from ganpipe.clean.decode import Rejected, decoding, extension, load, open_image, to_mode
from ganpipe.clean.dedupe import Index, signature
from ganpipe.clean.reject_list import LISTED, RejectList
from ganpipe.clean.rows import pass_through
from ganpipe.formats import same_format
from ganpipe.manifest import KEPT, Row, image_relpath, sha256_bytes, store
from ganpipe.params import FilterParams

TEST_SIDE = 256  # blank test and near-duplicate signature run on at most this many pixels a side
ROTATED = {5, 6, 7, 8}  # EXIF orientations that swap width and height


@dataclass(frozen=True)
class FilterJob:
    """What every worker needs to check a row: folders, params, background, reject list."""

    in_dir: Path
    out_dir: Path
    params: FilterParams
    background: tuple[int, int, int]
    reject: RejectList


@dataclass(frozen=True)
class Checked:
    """One row after the per-image checks; signature and size feed the per-class duplicate pass."""

    source: Row
    row: Row
    signature: np.ndarray | None = None  # ganpipe.clean.dedupe
    pixels: int = 0
    nbytes: int = 0


def check_row(row: Row, job: FilterJob) -> Checked:
    """Per-image checks (in a worker); a passing file is kept where it is."""
    pattern = job.reject.first(row)
    if pattern is not None:
        return Checked(row, row.rejected(f"{LISTED}:{pattern}"))
    data = (job.in_dir / row.path).read_bytes()
    try:
        image = open_image(data, job.params.max_pixels)
        with decoding():
            width, height = _inspect(image, job.params)
            rgb = _shrink(to_mode(load(image), "RGB", job.background))
        _check_blank(np.asarray(rgb.convert("L")), job.params.blank_std)
    except Rejected as err:
        return Checked(row, row.rejected(str(err)))
    kept = replace(
        _keep(row, data, extension(image), job),
        sha256=sha256_bytes(data),
        width=width,
        height=height,
        mode=image.mode,
    )
    return Checked(row, kept, signature(np.asarray(rgb)), width * height, len(data))


def _keep(row: Row, data: bytes, ext: str, job: FilterJob) -> Row:
    """The raw file itself, or a byte-for-byte copy named by its real format.

    A WebP or PNG saved as ``.jpg`` gets ``.webp`` / ``.png``, so viewers and browsers open it.
    """
    if same_format(Path(row.path).suffix, ext):
        return pass_through(row, job.in_dir, job.out_dir)
    rel = image_relpath(row.label, row.id, ext)
    store(job.out_dir, rel, data)
    return replace(row, path=rel)


def _inspect(image: Image.Image, params: FilterParams) -> tuple[int, int]:
    """Checks on the size and frames; returns the displayed (EXIF-oriented) size.

    Animated images (GIF, APNG, WebP): ``first-frame`` keeps the file and later stages use
    frame 0; ``reject`` rejects it. Multi-picture JPEGs (MPO) are stills and always kept.
    A JPEG is then set to decode at reduced scale: every byte is still entropy decoded (so
    truncation is caught) but the full-size inverse DCT is skipped.
    """
    frames = getattr(image, "n_frames", 1)
    if frames > 1 and image.format != "MPO" and params.animated == "reject":
        raise Rejected(f"animated:{frames} frames")
    width, height = image.size
    if image.getexif().get(0x0112) in ROTATED:
        width, height = height, width
    if min(width, height) < params.min_side:
        raise Rejected(f"too-small:{width}x{height}, min side {params.min_side}")
    if not params.aspect_min <= width / height <= params.aspect_max:
        raise Rejected(
            f"aspect:{width / height:.3g} outside {params.aspect_min:g}-{params.aspect_max:g}"
        )
    image.draft(None, (TEST_SIDE, TEST_SIDE))
    return width, height


def _shrink(image: Image.Image) -> Image.Image:
    """At most about ``TEST_SIDE`` a side, by an exact box average (cheap for large PNGs)."""
    factor = max(image.size) // TEST_SIDE
    return image.reduce(factor) if factor > 1 else image


def _check_blank(gray: np.ndarray, blank_std: float) -> None:
    std = float(cv2.meanStdDev(gray)[1][0, 0])
    if std <= blank_std:
        raise Rejected(f"blank:pixel std {std:.2f} <= {blank_std:g}")


def deduplicate(checked: list[Checked], within: float) -> list[Row]:
    """Within each class, reject exact then near duplicates, keeping the largest of each group.

    Greedy, largest first (pixels, then bytes, then id): an image is rejected when its
    signature is ``within`` of an image already kept. A negative ``within`` turns near-dups off.
    """
    final = [c.row for c in checked]
    by_class: dict[str, list[int]] = defaultdict(list)
    for i, c in enumerate(checked):
        if c.row.status == KEPT:
            by_class[c.row.label].append(i)
    for members in by_class.values():
        members.sort(key=lambda i: (-checked[i].pixels, -checked[i].nbytes, checked[i].row.id))
        seen: dict[str, str] = {}
        index = Index(len(members))
        kept_ids: list[str] = []
        for i in members:
            c = checked[i]
            if c.row.sha256 in seen:
                final[i] = c.source.rejected(f"duplicate:same bytes as {seen[c.row.sha256]}")
                continue
            seen[c.row.sha256] = c.row.id
            near = index.nearest(c.signature, within) if within >= 0 else None
            if near is not None:
                final[i] = c.source.rejected(
                    f"near-duplicate:of {kept_ids[near[0]]} (distance {near[1]:.3f})"
                )
                continue
            index.add(c.signature)
            kept_ids.append(c.row.id)
    return final
