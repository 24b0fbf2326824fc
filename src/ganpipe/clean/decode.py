"""Opening untrusted image bytes and bringing them to plain 8-bit RGB or L.

Filter, reduce and the review sheets share this, so the near-duplicate hash, the blank test and
the reduced image all see the same pixels: oriented, colour-managed, alpha composited, 8-bit.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Literal

import numpy as np
from PIL import Image, ImageChops, ImageCms, ImageOps, UnidentifiedImageError

from ganpipe.formats import EXTENSIONS

Mode = Literal["RGB", "L"]
ALPHA_MODES = {"RGBA", "LA", "PA", "RGBa", "La"}
WIDE_MODES = {"I", "I;16", "I;16B", "I;16L", "I;16N"}  # integer grey, more than 8 bits
SRGB = ImageCms.createProfile("sRGB")


class Rejected(Exception):
    """An unusable image; ``str(err)`` is the manifest reason, ``code:detail``."""


def open_image(data: bytes, max_pixels: int | None = None) -> Image.Image:
    """Open ``data`` lazily, refusing non-images and images over ``max_pixels`` before decoding.

    PIL's own decompression-bomb guard is kept as a second line: its warning is silenced (the
    size is checked here) and its error becomes a rejection instead of a crash.
    """
    if not data:
        raise Rejected("empty:zero bytes")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as err:
        raise Rejected(f"bomb:{err}") from err
    except UnidentifiedImageError as err:
        raise Rejected(f"not-an-image:{_sniff(data)}") from err
    width, height = image.size
    if max_pixels is not None and width * height > max_pixels:
        raise Rejected(f"bomb:{width}x{height} pixels over the cap of {max_pixels}")
    return image


def _sniff(data: bytes) -> str:
    """A hint at what a non-image is (scrapers often save HTML error pages as .jpg)."""
    head = data[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head:
        return "html page"
    if head.startswith((b"<?xml", b"<svg")):
        return "xml/svg (vector images are not decoded)"
    return f"unknown format, starts {data[:8]!r}"


@contextmanager
def decoding() -> Iterator[None]:
    """Turn a decoder failure inside the block into a rejection naming the cause.

    Untrusted bytes can make PIL raise almost anything (OSError, SyntaxError, ValueError,
    struct.error ...), from ``load`` but also from metadata reads such as ``getexif``.
    """
    try:
        yield
    except Rejected:
        raise
    except Exception as err:
        code = "truncated" if "truncat" in str(err).lower() else "corrupt"
        raise Rejected(f"{code}:{type(err).__name__}: {err}") from err


def load(image: Image.Image) -> Image.Image:
    """Decode every byte; a truncated or corrupt file becomes a rejection with the cause."""
    with decoding():
        image.load()
    return image


def extension(image: Image.Image) -> str:
    """The file extension for ``image``'s real format (not the name it was saved under)."""
    return EXTENSIONS.get(image.format or "", (image.format or "bin").lower())


def to_mode(image: Image.Image, mode: Mode, background: tuple[int, int, int]) -> Image.Image:
    """A loaded image as 8-bit ``mode``: oriented, sRGB, alpha composited over ``background``."""
    ImageOps.exif_transpose(image, in_place=True)
    image = _to_srgb(_fix_cmyk(image))
    image = _to_8bit(image)
    if image.mode == "P" or "transparency" in image.info:
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    if image.mode in ALPHA_MODES:
        image = _composite(image, background)
    return image if image.mode == mode else image.convert(mode)


def _fix_cmyk(image: Image.Image) -> Image.Image:
    """PIL reads every CMYK JPEG with Adobe's inverted polarity; undo that when no Adobe marker."""
    if image.mode == "CMYK" and image.format == "JPEG" and "adobe" not in image.info:
        return ImageChops.invert(image)
    return image


def _to_srgb(image: Image.Image) -> Image.Image:
    """Apply an embedded ICC profile (CMYK, wide-gamut RGB) so colours come out as sRGB."""
    profile = image.info.get("icc_profile")
    if not profile or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    out_mode = "RGBA" if image.mode == "RGBA" else "RGB"
    transform = _transform(profile, image.mode, out_mode)
    if transform is None:
        return image.convert(out_mode)
    return ImageCms.applyTransform(image, transform)


@lru_cache(maxsize=32)
def _transform(profile: bytes, in_mode: str, out_mode: str) -> ImageCms.ImageCmsTransform | None:
    """A cached ICC -> sRGB transform; None for sRGB already or a profile lcms cannot read."""
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        if ImageCms.getProfileDescription(source).strip().startswith("sRGB"):
            return None
        return ImageCms.buildTransform(source, SRGB, in_mode, out_mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return None


def _to_8bit(image: Image.Image) -> Image.Image:
    """Scale 16-bit (and 32-bit) grey to 0-255; PIL's convert('L') would clip at 255 instead."""
    if image.mode not in WIDE_MODES:
        return image
    array = np.asarray(image, dtype=np.float64)
    scaled = np.clip(np.rint(array / 257.0), 0, 255).astype(np.uint8)
    return Image.fromarray(scaled)


def _composite(image: Image.Image, background: tuple[int, int, int]) -> Image.Image:
    """Blend straight alpha over the background colour (a transparent logo on white stays so)."""
    rgba = image.convert("RGBA")
    out = Image.new("RGB", rgba.size, background)
    out.paste(rgba, mask=rgba.getchannel("A"))
    return out
