"""The resize stage: every image to one square size, by letterbox, centre crop or stretch."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from ganpipe.clean.resize import resize_row
from ganpipe.clean.rows import map_rows
from ganpipe.manifest import Row
from ganpipe.params import ResizeParams
from ganpipe.stagekit import InOut


def run_resize(paths: InOut, *, params: ResizeParams, background: str) -> list[Row]:
    """Resize ``paths.inp``'s kept images to ``params.image_size`` squares; pad with
    ``background`` (``reduce.background``)."""
    in_dir, out_dir = paths.inp, paths.out
    task = partial(
        resize_row,
        in_dir=Path(in_dir),
        out_dir=Path(out_dir),
        params=params,
        background=background,
    )
    return map_rows(in_dir, out_dir, task, params.workers, "resize")
