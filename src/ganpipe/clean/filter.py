"""The filter stage: decide which raw files are usable images, and say why the others are not.

Kept rows point at the raw file itself (no copy, no re-encode; reduce does the only
decode-to-pixels that reaches training); only a file named with the wrong extension is copied.
Every input row comes out kept or rejected with a ``code:detail`` reason.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from ganpipe.clean.decode import Rejected, decoding, extension, load, open_image, to_mode
from ganpipe.clean.dedupe import Index, signature
from ganpipe.clean.parallel import pmap
from ganpipe.clean.reject_list import LISTED, RejectList, read_reject_list
from ganpipe.clean.review import write_review
from ganpipe.clean.stage import finish, parse_colour, pass_through, start
from ganpipe.manifest import KEPT, Row, image_relpath, sha256_bytes, stage_counts, store
from ganpipe.params import FilterParams

TEST_SIDE = 256  # blank test and near-duplicate signature run on at most this many pixels a side
SAME_FORMAT = {"jpeg": "jpg", "jpe": "jpg", "tiff": "tif"}  # other names of a format
ROTATED = {5, 6, 7, 8}  # EXIF orientations that swap width and height


@dataclass(frozen=True)
class _Job:
    in_dir: Path
    out_dir: Path
    params: FilterParams
    background: tuple[int, int, int]
    reject: RejectList


@dataclass(frozen=True)
class _Checked:
    """One row after the per-image checks; signature and size feed the per-class duplicate pass."""

    source: Row
    row: Row
    signature: np.ndarray | None = None  # ganpipe.clean.dedupe
    pixels: int = 0
    nbytes: int = 0


def run_filter(
    in_dir: Path,
    out_dir: Path,
    params: FilterParams,
    reject_list: Path,
    metrics_path: Path,
    background: str = "#ffffff",
) -> list[Row]:
    """Filter ``in_dir`` into ``out_dir``; per-class, per-reason counts go to ``metrics_path``.

    ``background`` should be ``reduce.background``: transparent images are judged (blank,
    near-duplicate) as they will look after reduce composites them.
    """
    rows = start(in_dir, out_dir)
    job = _Job(
        Path(in_dir), Path(out_dir), params, parse_colour(background), read_reject_list(reject_list)
    )
    checked = pmap(partial(_check, job=job), rows, params.workers, "filter")
    final = _deduplicate(checked, params.near_duplicate_distance)
    _remove_dropped(job.out_dir, checked, final)
    out = finish(out_dir, final)
    _write_metrics(Path(metrics_path), out)
    if params.contact_sheets:
        write_review(
            Path(out_dir),
            [r for r in out if r.status == KEPT],
            params.workers,
            job.background,
            params.review_per_class,
        )
    return out


def _remove_dropped(out_dir: Path, checked: list[_Checked], final: list[Row]) -> None:
    """Delete the renamed copies (``_keep``) of rows the duplicate pass rejected.

    Rows with identical bytes share one id and so one path: keep any path a kept row uses.
    Paths leading out of ``out_dir`` are the input's own files and never deleted.
    """
    kept = {row.path for row in final if row.status == KEPT}
    for item, row in zip(checked, final, strict=True):
        path = item.row.path
        if (
            row.status != KEPT
            and item.row.status == KEPT
            and path not in kept
            and not path.startswith("../")
        ):
            (out_dir / path).unlink(missing_ok=True)


def _check(row: Row, job: _Job) -> _Checked:
    """Per-image checks (in a worker); a passing file is kept where it is."""
    pattern = job.reject.first(row)
    if pattern is not None:
        return _Checked(row, row.rejected(f"{LISTED}:{pattern}"))
    data = (job.in_dir / row.path).read_bytes()
    try:
        image = open_image(data, job.params.max_pixels)
        with decoding():
            width, height = _inspect(image, job.params)
            rgb = _shrink(to_mode(load(image), "RGB", job.background))
        _check_blank(np.asarray(rgb.convert("L")), job.params.blank_std)
    except Rejected as err:
        return _Checked(row, row.rejected(str(err)))
    kept = replace(
        _keep(row, data, extension(image), job),
        sha256=sha256_bytes(data),
        width=width,
        height=height,
        mode=image.mode,
    )
    return _Checked(row, kept, signature(np.asarray(rgb)), width * height, len(data))


def _keep(row: Row, data: bytes, ext: str, job: _Job) -> Row:
    """The raw file itself, or a byte-for-byte copy named by its real format.

    A WebP or PNG saved as ``.jpg`` gets ``.webp`` / ``.png``, so viewers and browsers open it.
    """
    suffix = Path(row.path).suffix.lower().lstrip(".")
    if suffix == ext or SAME_FORMAT.get(suffix) == ext:
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


def _deduplicate(checked: list[_Checked], within: float) -> list[Row]:
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


def _write_metrics(path: Path, rows: list[Row]) -> None:
    """Counts per class per reason, plus totals over classes; sorted keys, stable bytes."""
    classes = stage_counts(rows)
    total: dict[str, int] = defaultdict(int)
    for counts in classes.values():
        for key, value in counts.items():
            total[key] += value
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {"classes": classes, "total": dict(sorted(total.items()))}
    path.write_text(json.dumps(body, indent=2, sort_keys=True) + "\n")
