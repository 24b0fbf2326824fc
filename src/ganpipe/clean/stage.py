"""The skeleton every image stage shares: kept rows in, a parallel map, images and a manifest out.

Stages differ only in the per-row task; reading the input manifest, clearing stale outputs,
writing PNGs the same way and writing the manifest happen here once.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

from PIL import Image

from ganpipe.clean.parallel import pmap
from ganpipe.manifest import Row, image_relpath, read_manifest, sha256_bytes, write_manifest

PNG_LEVEL = 1  # fixed zlib level: fast to write and read, and the same bytes on every run
STALE = ("images", "review")  # stage sub-folders rebuilt from scratch on every run

RowTask = Callable[[Row], list[Row]]


def start(in_dir: Path, out_dir: Path) -> list[Row]:
    """The input's kept rows, with ``out_dir`` emptied of a previous run's images."""
    rows = read_manifest(in_dir, kept_only=True)
    for name in STALE:
        shutil.rmtree(Path(out_dir) / name, ignore_errors=True)
    for label in sorted({r.label for r in rows}):
        (Path(out_dir) / "images" / label).mkdir(parents=True, exist_ok=True)
    return rows


def finish(out_dir: Path, rows: Iterable[Row]) -> list[Row]:
    """Write the manifest; return the rows in its (sorted, deterministic) order."""
    ordered = sorted(rows, key=lambda r: (r.label, r.id, r.status))
    write_manifest(out_dir, ordered)
    return ordered


def run_stage(in_dir: Path, out_dir: Path, task: RowTask, workers: int, desc: str) -> list[Row]:
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
    (Path(out_dir) / rel).write_bytes(data)
    return Row(id=image_id, label=source.label, path=rel, sha256=sha256_bytes(data),
               width=image.width, height=image.height, mode=image.mode, origin=source.origin)


def parse_colour(colour: str) -> tuple[int, int, int]:
    """``'#rrggbb'`` as an RGB tuple."""
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def fill_for(mode: str, colour: str) -> tuple[int, int, int] | int:
    """The background as a pixel value of ``mode`` (luma for L, as PIL's RGB->L computes it)."""
    rgb = parse_colour(colour)
    if mode == "L":
        return (rgb[0] * 19595 + rgb[1] * 38470 + rgb[2] * 7471 + 0x8000) >> 16
    return rgb
