"""Resize an image to one square size, by letterbox, centre crop or stretch.

Downscaling is anti-aliased: ``area`` is an exact box average (PIL's BOX), ``lanczos`` PIL's
Lanczos, whose kernel widens with the scale factor (OpenCV's LANCZOS4 does not, and aliases).
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from ganpipe.clean.decode import Rejected, load, open_image
from ganpipe.clean.rows import fill_for, pass_through, save_png
from ganpipe.manifest import Row
from ganpipe.params import ResizeParams


def resize_row(
    row: Row, in_dir: Path, out_dir: Path, params: ResizeParams, background: str
) -> list[Row]:
    """One image as a ``params.image_size`` square; passed through when already one."""
    try:
        image = load(open_image((in_dir / row.path).read_bytes()))
        _check_size(image, params)
    except Rejected as err:
        return [row.rejected(str(err))]
    if image.size == (params.image_size, params.image_size) and _is_reduced(image):
        return [pass_through(row, in_dir, out_dir)]  # fit would return the same pixels
    return [save_png(fit(image, params, background), out_dir, row)]


def _is_reduced(image: Image.Image) -> bool:
    """A PNG in a mode reduce writes: safe to pass on unchanged when already the right size."""
    return image.format == "PNG" and image.mode in ("RGB", "L")


def _check_size(image: Image.Image, params: ResizeParams) -> None:
    """Reject images the mode would have to enlarge, unless ``upscale`` allows it."""
    width, height = image.size
    side = max(width, height) if params.mode == "letterbox" else min(width, height)
    if side < params.image_size and not params.upscale:
        raise Rejected(
            f"too-small:{width}x{height} for {params.mode} to {params.image_size} "
            "(set resize.upscale to enlarge)"
        )


def fit(image: Image.Image, params: ResizeParams, background: str) -> Image.Image:
    """``image`` as a ``params.image_size`` square, by ``params.mode``."""
    size, (width, height) = params.image_size, image.size
    if params.mode == "stretch":
        return image.resize((size, size), _resample(params, size / min(width, height)))
    if params.mode == "center-crop":
        side = min(width, height)
        left, top = (width - side) // 2, (height - side) // 2
        return image.resize(
            (size, size), _resample(params, size / side), box=(left, top, left + side, top + side)
        )
    scale = size / max(width, height)
    inner = (max(1, round(width * scale)), max(1, round(height * scale)))
    canvas = Image.new(image.mode, (size, size), fill_for(image.mode, background))
    canvas.paste(
        image.resize(inner, _resample(params, scale)),
        ((size - inner[0]) // 2, (size - inner[1]) // 2),
    )
    return canvas


def _resample(params: ResizeParams, scale: float) -> Image.Resampling:
    """Box average to shrink, bicubic to enlarge (a box filter enlarges as nearest-neighbour)."""
    if params.filter == "lanczos":
        return Image.Resampling.LANCZOS
    return Image.Resampling.BOX if scale <= 1 else Image.Resampling.BICUBIC
