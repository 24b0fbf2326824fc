"""Near-duplicate fixtures, made in the test: distinct simple images, and true duplicate pairs.

``distinct()``: 23 flat, two-tone, gradient and simple-logo images that must never merge (the
kind a perceptual hash confuses). ``pairs()``: each of 12 base images (4 photo-like, 8 simple)
against 8 edits that keep it the same picture: JPEG quality 60, half size, 1.5x size, a 5% crop,
brightness +10%, saturation -10%, contrast -10%, a small watermark. ``crops()``: 3%, 5% and 8%
crops of 27 images. benchmarks/dedupe.py uses all of them; the unit tests a few.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance

SIDE = 256
RED, BLUE, GREEN = "#d01010", "#1030d0", "#10a030"


def _array(values: np.ndarray) -> Image.Image:
    return Image.fromarray(np.dstack([values.astype(np.uint8)] * 3))


def _shape(draw: Callable[[ImageDraw.ImageDraw], None], background: str = "white") -> Image.Image:
    image = Image.new("RGB", (SIDE, SIDE), background)
    draw(ImageDraw.Draw(image))
    return image


def _grids() -> dict[str, Image.Image]:
    """Two-tone splits, gradients and stripes: layouts with almost no texture."""
    yy, xx = np.mgrid[:SIDE, :SIDE]
    ramp = xx * 255.0 / (SIDE - 1)
    radius = np.clip(np.hypot(xx - SIDE / 2, yy - SIDE / 2) / (SIDE / 1.4), 0, 1) * 255
    return {
        "black-top": _array((yy >= SIDE // 2) * 255),
        "white-top": _array((yy < SIDE // 2) * 255),
        "white-left": _array((xx < SIDE // 2) * 255),
        "diagonal": _array((xx > yy) * 255),
        "gradient-left-right": _array(ramp),
        "gradient-top-bottom": _array(ramp.T),
        "gradient-radial": _array(radius),
        "stripes-vertical": _array(((xx // 32) % 2 == 0) * 255),
        "stripes-horizontal": _array(((yy // 32) % 2 == 0) * 255),
    }


def _logos() -> dict[str, Image.Image]:
    """Flat shapes and logo-like marks: same layout in other colours, same colour other shapes."""
    box = (48, 48, 208, 208)
    return {
        "circle-red": _shape(lambda d: d.ellipse(box, fill=RED)),
        "circle-blue": _shape(lambda d: d.ellipse(box, fill=BLUE)),
        "circle-green": _shape(lambda d: d.ellipse(box, fill=GREEN)),
        "square-red": _shape(lambda d: d.rectangle(box, fill=RED)),
        "triangle-red": _shape(lambda d: d.polygon([(128, 40), (220, 210), (36, 210)], fill=RED)),
        "ring": _shape(lambda d: d.ellipse(box, outline="black", width=20)),
        "cross": _shape(
            lambda d: (
                d.rectangle((108, 40, 148, 216), fill="black"),
                d.rectangle((40, 108, 216, 148), fill="black"),
            )
        ),
        "dot-top-left": _shape(lambda d: d.ellipse((20, 20, 110, 110), fill="black")),
        "dot-bottom-right": _shape(lambda d: d.ellipse((146, 146, 236, 236), fill="black")),
        "circle-white-on-blue": _shape(lambda d: d.ellipse(box, fill="white"), BLUE),
        "two-tone-yellow": _shape(
            lambda d: d.rectangle((0, 0, SIDE, SIDE // 2), fill="#202020"), "#f0e000"
        ),
        "roundel": _shape(lambda d: _roundel(d, 0)),
        "roundel-turned": _shape(lambda d: _roundel(d, 90)),
        "badge-silver": _shape(
            lambda d: (
                d.ellipse((30, 30, 226, 226), outline="#c0c0c0", width=12),
                d.polygon([(128, 60), (180, 190), (76, 190)], fill="#c0c0c0"),
            ),
            "black",
        ),
    }


def _roundel(draw: ImageDraw.ImageDraw, turn: int) -> None:
    """A blue disc with two white quarters (a roundel logo), turned by ``turn`` degrees."""
    draw.ellipse((30, 30, 226, 226), fill="#0050a0")
    for start in (turn, turn + 180):
        draw.pieslice((50, 50, 206, 206), start, start + 90, fill="white")


def distinct() -> dict[str, Image.Image]:
    return _grids() | _logos()


def photo(seed: int) -> Image.Image:
    """A photo-like image: smooth random colour field with a few blobs."""
    rng = np.random.default_rng(seed)
    field = rng.integers(0, 256, (6, 6, 3), dtype=np.uint8)
    image = Image.fromarray(field).resize((SIDE, SIDE), Image.Resampling.BICUBIC)
    draw = ImageDraw.Draw(image)
    for _ in range(4):
        x, y = (int(v) for v in rng.integers(0, SIDE - 60, 2))
        w, h = (int(v) for v in rng.integers(20, 60, 2))
        draw.ellipse((x, y, x + w, y + h), fill=tuple(int(v) for v in rng.integers(0, 256, 3)))
    return image


def jpeg(image: Image.Image, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def crop(image: Image.Image, share: float = 0.05) -> Image.Image:
    """``share`` of the width and height cut off, half on each side."""
    dx, dy = int(image.width * share / 2), int(image.height * share / 2)
    return image.crop((dx, dy, image.width - dx, image.height - dy))


def watermark(image: Image.Image) -> Image.Image:
    out = image.copy()
    draw = ImageDraw.Draw(out)
    x, y = out.width * 0.62, out.height * 0.9
    draw.text((x, y), "(c) stock", fill=(255, 255, 255))
    draw.text((x + 1, y + 1), "(c) stock", fill=(0, 0, 0))
    return out


EDITS: dict[str, Callable[[Image.Image], Image.Image]] = {
    "jpeg-q60": lambda im: jpeg(im, 60),
    "half-size": lambda im: im.resize((SIDE // 2, SIDE // 2), Image.Resampling.LANCZOS),
    "1.5x-size": lambda im: im.resize((SIDE * 3 // 2, SIDE * 3 // 2), Image.Resampling.BICUBIC),
    "crop-5%": crop,
    "brightness+10%": lambda im: ImageEnhance.Brightness(im).enhance(1.1),
    "saturation-10%": lambda im: ImageEnhance.Color(im).enhance(0.9),
    "contrast-10%": lambda im: ImageEnhance.Contrast(im).enhance(0.9),
    "watermark": watermark,
}


def crops() -> list[tuple[str, Image.Image, Image.Image]]:
    """(name, original, a 3% / 5% / 8% central crop saved as a quality-80 JPEG) for every image
    of ``distinct()`` and 4 photos: crops move every edge of a flat logo, the hardest edit."""
    bases = [(f"photo-{i}", photo(i)) for i in range(4)] + list(distinct().items())
    return [
        (f"{name}/crop-{share:.0%}", base, jpeg(crop(base, share), 80))
        for (name, base), share in itertools.product(bases, (0.03, 0.05, 0.08))
    ]


def pairs() -> list[tuple[str, Image.Image, Image.Image]]:
    """(name, original as a quality-92 JPEG, edited copy) for every base image and edit."""
    simple = list(distinct().items())[::3]
    bases = [(f"photo-{i}", photo(i)) for i in range(4)] + simple
    return [
        (f"{name}/{edit}", jpeg(base, 92), apply(base))
        for (name, base), (edit, apply) in itertools.product(bases, EDITS.items())
    ]
