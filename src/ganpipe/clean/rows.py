"""The skeleton every image stage shares: kept rows in, a parallel map, images and a manifest out.

The image stages (ganpipe.stages.filter, reduce, resize, augment) differ only in the per-row
task; reading the input manifest, clearing stale outputs, writing PNGs the same way and writing
the manifest happen here once.

A stage that would write an image byte for byte as it came in (filter always; reduce, resize
and augment for images already in shape) writes no copy: its row's path points at the earlier
stage's file (``../raw/images/...``). The manifest still has a row per image with the sha256,
so a changed input still changes the manifest, while DVC hashes each file once instead of once
per stage (five copies of 60,000 Fashion-MNIST images made a no-op ``dvc repro`` take 45 s).
"""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path

from PIL import Image

from ganpipe.clean.parallel import pmap
from ganpipe.manifest import (
    Row,
    image_relpath,
    read_manifest,
    sha256_bytes,
    store,
    write_manifest,
)

PNG_LEVEL = 1  # fixed zlib level: fast to write and read, and the same bytes on every run
STALE = ("images", "review")  # stage sub-folders rebuilt from scratch on every run

RowTask = Callable[[Row], list[Row]]


def start(in_dir: Path, out_dir: Path) -> list[Row]:
    """The input's kept rows, with ``out_dir`` emptied of a previous run's images."""
    rows = read_manifest(in_dir, kept_only=True)
    for name in STALE:
        shutil.rmtree(Path(out_dir) / name, ignore_errors=True)
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    return rows


def finish(out_dir: Path, rows: Iterable[Row]) -> list[Row]:
    """Write the manifest; return the rows in its (sorted, deterministic) order."""
    ordered = sorted(rows, key=lambda r: (r.label, r.id, r.status))
    write_manifest(out_dir, ordered)
    return ordered


def map_rows(in_dir: Path, out_dir: Path, task: RowTask, workers: int, desc: str) -> list[Row]:
    """Map ``task`` over the input's kept rows and record every row it returns."""
    rows = start(in_dir, out_dir)
    results = pmap(task, rows, workers, desc)
    return finish(out_dir, [row for out in results for row in out])


def save_png(image: Image.Image, out_dir: Path, source: Row, image_id: str | None = None) -> Row:
    """Write ``image`` as ``images/<class>/<id>.png``; the kept row describing it.

    The id defaults to the source's, so filter -> reduce -> resize keeps one id per image.
    """
    image_id = image_id or source.id
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=PNG_LEVEL)
    data = buffer.getvalue()
    rel = image_relpath(source.label, image_id, "png")
    store(out_dir, rel, data)
    return Row(
        id=image_id,
        label=source.label,
        path=rel,
        sha256=sha256_bytes(data),
        width=image.width,
        height=image.height,
        mode=image.mode,
        origin=source.origin,
    )


def pass_through(source: Row, in_dir: Path, out_dir: Path) -> Row:
    """``source`` kept unchanged: the row points at the input stage's file instead of a copy."""
    target = os.path.relpath(Path(in_dir) / source.path, Path(out_dir))
    return replace(source, path=Path(target).as_posix())


def parse_colour(colour: str) -> tuple[int, int, int]:
    """``'#rrggbb'`` as an RGB tuple."""
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def fill_for(mode: str, colour: str) -> tuple[int, int, int] | int:
    """The background as a pixel value of ``mode`` (luma for L, as PIL's RGB->L computes it)."""
    rgb = parse_colour(colour)
    if mode == "L":
        return (rgb[0] * 19595 + rgb[1] * 38470 + rgb[2] * 7471 + 0x8000) >> 16
    return rgb
