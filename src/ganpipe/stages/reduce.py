"""The reduce stage: every kept image to 8-bit RGB or L, as a lossless PNG."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from ganpipe.clean.reduce import reduce_row
from ganpipe.clean.rows import map_rows, parse_colour
from ganpipe.manifest import Row
from ganpipe.params import ReduceParams
from ganpipe.stagekit import InOut


def run_reduce(paths: InOut, *, params: ReduceParams) -> list[Row]:
    """Reduce ``paths.inp``'s kept images into ``paths.out`` (one PNG per image, same ids).

    An image that is already an 8-bit PNG in ``mode`` with nothing to composite or orient is
    passed through (ganpipe.clean.rows.pass_through) rather than written again.
    """
    in_dir, out_dir = paths.inp, paths.out
    task = partial(
        reduce_row,
        in_dir=Path(in_dir),
        out_dir=Path(out_dir),
        mode=params.mode,
        background=parse_colour(params.background),
    )
    return map_rows(in_dir, out_dir, task, params.workers, "reduce")
