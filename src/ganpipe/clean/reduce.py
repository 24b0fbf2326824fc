"""The reduce stage: every kept image to 8-bit RGB or L, as a lossless PNG.

Orientation, colour management, 16-bit scaling and alpha compositing live in
:mod:`ganpipe.clean.decode`, shared with filter so both see the same pixels.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from PIL import Image

from ganpipe.clean.decode import Mode, Rejected, load, open_image, to_mode
from ganpipe.clean.stage import parse_colour, pass_through, run_stage, save_png
from ganpipe.manifest import Row
from ganpipe.params import ReduceParams

ORIENTATION = 0x0112  # the EXIF tag exif_transpose applies


def run_reduce(in_dir: Path, out_dir: Path, params: ReduceParams) -> list[Row]:
    """Reduce ``in_dir``'s kept images into ``out_dir`` (one PNG per image, same ids).

    An image that is already an 8-bit PNG in ``mode`` with nothing to composite or orient is
    passed through (ganpipe.clean.stage.pass_through) rather than written again.
    """
    task = partial(
        _reduce_one,
        in_dir=Path(in_dir),
        out_dir=Path(out_dir),
        mode=params.mode,
        background=parse_colour(params.background),
    )
    return run_stage(in_dir, out_dir, task, params.workers, "reduce")


def _reduce_one(
    row: Row, in_dir: Path, out_dir: Path, mode: Mode, background: tuple[int, int, int]
) -> list[Row]:
    try:
        image = load(open_image((in_dir / row.path).read_bytes()))
    except Rejected as err:  # filter normally catches these; reduce may run on other input
        return [row.rejected(str(err))]
    oriented = image.getexif().get(ORIENTATION, 1) != 1
    reduced = to_mode(image, mode, background)
    if reduced is image and not oriented and _is_plain_png(image):
        return [pass_through(row, in_dir, out_dir)]
    return [save_png(reduced, out_dir, row)]


def _is_plain_png(image: Image.Image) -> bool:
    """A single-frame PNG: already what reduce writes, when ``to_mode`` had nothing to do."""
    return image.format == "PNG" and getattr(image, "n_frames", 1) == 1
