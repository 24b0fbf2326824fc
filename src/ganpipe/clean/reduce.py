"""Reduce one image to 8-bit RGB or L, as a lossless PNG.

Orientation, colour management, 16-bit scaling and alpha compositing live in
:mod:`ganpipe.clean.decode`, shared with filter so both see the same pixels.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from ganpipe.clean.decode import Mode, Rejected, load, open_image, to_mode
from ganpipe.clean.rows import pass_through, save_png
from ganpipe.manifest import Row

ORIENTATION = 0x0112  # the EXIF tag exif_transpose applies


def reduce_row(
    row: Row, in_dir: Path, out_dir: Path, mode: Mode, background: tuple[int, int, int]
) -> list[Row]:
    """One image as 8-bit RGB or L; passed through (not rewritten) when already so."""
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
