"""A folder as hard as a real web image search for brand logos, made reproducibly from a seed.

benchmarks/searchsuite.py's contamination is easy: hand photos on plain walls, small graphics
pasted on them, text. A real search for "Hyundai logo" returns frame-filling photos in full
colour (a car with the badge on its grille, a dealership, a product) and clean logos drawn in
several styles. So here, per brand (a class of 11-17 images, as a rare brand gives, and a few
larger ones), one or two marks (Noto Emoji, ../shared/data/noto-emoji/) drawn as:

- clean, in the styles a search returns, none of which may be flagged: ``clean`` (the mark's own
  colours on white, colour or a gradient, a wordmark at times, as searchsuite.graphic),
  ``style:outline`` (its outline only), ``style:filled`` (a one-colour silhouette),
  ``style:on-colour`` (a white silhouette on the brand's colour, edge to edge),
  ``style:wordmark`` (the mark beside the brand's name), ``style:chrome`` (a shaded metal badge
  with a shadow: many colours, yet a graphic), ``style:render`` (the mark glowing on a dark
  vignette that fills the frame, as wallpapers and 3D renders show it);
- off-topic, 10% of the folder: ``scene+graphic`` (a real photo filling the frame with the
  brand's mark inside it: small, rotated, in perspective, partly hidden, on a plate at times),
  ``scene`` (several photos in one frame: a multi-object scene), ``product`` (an object shot in a
  studio, shaded, with the mark on it), ``photo`` (one real photo, no mark).

Photos (README beside this file: where each comes from): four colour photos scikit-image ships
in its wheel (``skimage.data``: astronaut, chelsea, coffee, rocket; public domain or CC0) and
the Sign Language Digits hand photos (../shared/data/sign-language-digits/, Apache-2.0), each
cropped anywhere at any scale, flipped and colour-shifted a little, with other crops pasted in
as clutter. Everything is drawn 128 px high or wide at the shape search results have (photos
4:3, 3:2, 16:9, portrait or square, cropped; graphics mostly square, or their ground widened to
4:3 or 2:1), saved as a JPEG (quality 60-95) and letterboxed onto white at 64 px by the resize
stage's own ``fit``, as the car-logos preset does: the plain bands above and below a photo are
what made today's ranking read "fills the whole frame". No wrong labels: searchsuite has those.
"""

from __future__ import annotations

import importlib.util
import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from searchsuite import CANVAS, SIDE, Suite, _colour, _photos, _word, emoji, graphic
from shareddata import shared

from ganpipe.clean.resize import fit
from ganpipe.params import ResizeParams

SCENES = ("astronaut.png", "chelsea.png", "coffee.png", "rocket.jpg")  # in skimage's wheel
SMALL_SIZES = (11, 17)  # clean images of a rare brand, inclusive
LARGE_SIZES = (30, 45, 70, 100)  # and of the four common brands
BRANDS = 16
OFF_TOPIC = 0.10  # share of each brand's final images
KINDS = {"scene+graphic": 0.45, "scene": 0.2, "product": 0.2, "photo": 0.15}
STYLES = {
    "clean": 0.34,
    "style:outline": 0.11,
    "style:filled": 0.11,
    "style:on-colour": 0.11,
    "style:wordmark": 0.11,
    "style:chrome": 0.11,
    "style:render": 0.11,
}

# Width:height of search results, and how often: photos are cropped to it, graphics widened
PHOTO_SHAPES = {(4, 3): 0.3, (3, 2): 0.2, (16, 9): 0.2, (3, 4): 0.1, (1, 1): 0.2}
GRAPHIC_SHAPES = {(1, 1): 0.5, (4, 3): 0.2, (2, 1): 0.2, (3, 4): 0.1}
LETTERBOX = ResizeParams(image_size=SIDE, mode="letterbox")

Array = np.ndarray
Rng = np.random.Generator


@dataclass(frozen=True)
class Brand:
    name: str  # the class label and the wordmark's text
    marks: tuple[Image.Image, ...]  # RGBA
    colour: tuple[int, int, int]


@cache
def scenes() -> tuple[Image.Image, ...]:
    """The colour photos scikit-image ships in its wheel, read as files (no skimage import)."""
    spec = importlib.util.find_spec("skimage")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("benchmarks/websuite.py needs scikit-image (pip install -e '.[bench]')")
    folder = Path(next(iter(spec.submodule_search_locations))) / "data"
    return tuple(Image.open(folder / name).convert("RGB") for name in SCENES)


def real_crop(rng: Rng, side: int = CANVAS) -> Image.Image:
    """A square crop of a real photo at any scale, maybe flipped, its colour shifted a little."""
    pool = scenes() if rng.random() < 0.6 else _photos()
    source = pool[int(rng.integers(len(pool)))]
    short = min(source.size)
    crop = int(rng.integers(short // 4, short + 1))
    x = int(rng.integers(0, source.width - crop + 1))
    y = int(rng.integers(0, source.height - crop + 1))
    image = source.crop((x, y, x + crop, y + crop)).resize((side, side), Image.Resampling.BICUBIC)
    if rng.random() < 0.5:
        image = image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    hsv = np.asarray(image.convert("HSV")).astype(np.int16)
    hsv[..., 0] = (hsv[..., 0] + int(rng.integers(-12, 13))) % 256
    hsv[..., 1] = np.clip(hsv[..., 1] * rng.uniform(0.7, 1.4), 0, 255)
    hsv[..., 2] = np.clip(hsv[..., 2] * rng.uniform(0.75, 1.15), 0, 255)
    return Image.fromarray(hsv.astype(np.uint8), "HSV").convert("RGB")


def cluttered(rng: Rng, pieces: int) -> Image.Image:
    """A frame-filling photo with ``pieces`` more crops pasted in (boxes or ovals)."""
    canvas = real_crop(rng)
    for _ in range(pieces):
        side = int(rng.integers(CANVAS // 4, CANVAS * 2 // 3))
        piece = real_crop(rng, side)
        mask = Image.new("L", (side, side), 0)
        draw = ImageDraw.Draw(mask)
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)((0, 0, side - 1, side - 1), 255)
        at = tuple(int(v) for v in rng.integers(-side // 3, CANVAS - side * 2 // 3, 2))
        canvas.paste(piece, at, mask)
    return canvas


def _perspective(image: Image.Image, rng: Rng) -> Image.Image:
    """The image seen at an angle: each corner moved inwards by up to a quarter of the side."""
    w, h = image.size
    corners = np.array([(0, 0), (w, 0), (w, h), (0, h)], dtype=float)
    moved = corners + rng.uniform(0, 0.25, (4, 2)) * np.array([w, h]) * np.sign(
        np.array([w, h]) / 2 - corners
    )
    rows = []
    for (x, y), (u, v) in zip(corners, moved, strict=True):  # output (u, v) <- input (x, y)
        rows.append([u, v, 1, 0, 0, 0, -x * u, -x * v])
        rows.append([0, 0, 0, u, v, 1, -y * u, -y * v])
    coeffs = np.linalg.solve(np.array(rows), corners.reshape(-1))
    return image.transform((w, h), Image.Transform.PERSPECTIVE, coeffs.tolist(), Image.BICUBIC)


def _badge(mark: Image.Image, side: int, rng: Rng) -> Image.Image:
    """The mark at ``side`` px, on a plate at times (a sign, a grille badge)."""
    sized = mark.resize((side, side), Image.Resampling.LANCZOS)
    if rng.random() < 0.35:
        plate = Image.new("RGBA", (side, side), (0, 0, 0, 0))
        fill = (*_colour(rng, bool(rng.random() < 0.6)), 255)
        ImageDraw.Draw(plate).rounded_rectangle((0, 0, side - 1, side - 1), side // 5, fill)
        plate.alpha_composite(sized)
        sized = plate
    return sized


def scene_with(mark: Image.Image, rng: Rng) -> Image.Image:
    """A cluttered photo with the mark inside: small, rotated, in perspective, partly hidden."""
    canvas = cluttered(rng, int(rng.integers(0, 3)))
    side = int(rng.integers(CANVAS // 5, CANVAS // 2))
    badge = _badge(mark, side, rng).rotate(rng.uniform(-35, 35), Image.BICUBIC, expand=True)
    if rng.random() < 0.5:
        badge = _perspective(badge, rng)
    at = tuple(int(v) for v in rng.integers(-side // 4, CANVAS - side * 3 // 4, 2))
    canvas.paste(badge, at, badge)
    if rng.random() < 0.4:  # something in front of it
        cover = int(rng.integers(side // 3, side * 2 // 3))
        canvas.paste(real_crop(rng, cover), (at[0] + int(rng.integers(0, side - cover + 1)), at[1]))
    return canvas


def product(mark: Image.Image, rng: Rng) -> Image.Image:
    """An object shot in a studio: a shaded or photo-textured body, a shadow, the mark on it."""
    light = np.array(_colour(rng, True), dtype=float)
    ramp = np.linspace(1.0, rng.uniform(0.7, 0.95), CANVAS)[:, None, None]
    canvas = Image.fromarray((light * ramp).repeat(CANVAS, axis=1).astype(np.uint8))
    w, h = (int(v) for v in rng.integers(CANVAS * 2 // 5, CANVAS * 4 // 5, 2))
    x0, y0 = (CANVAS - w) // 2, (CANVAS - h) // 2
    shadow = Image.new("L", (CANVAS, CANVAS), 0)
    ImageDraw.Draw(shadow).ellipse((x0, y0 + h - h // 6, x0 + w, y0 + h + h // 6), 120)
    canvas.paste((40, 40, 40), (0, 0), shadow.filter(ImageFilter.GaussianBlur(6)))
    if rng.random() < 0.5:
        body = real_crop(rng, max(w, h)).resize((w, h))
    else:
        shade = np.linspace(rng.uniform(0.4, 0.7), 1.2, w)[None, :, None] ** 1.5
        noise = rng.normal(1, 0.04, (h, w, 1))
        body = Image.fromarray(
            np.clip(np.array(_colour(rng)) * shade * noise, 0, 255).astype(np.uint8)
        )
    mask = Image.new("L", (w, h), 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, w - 1, h - 1), min(w, h) // 4, 255)
    canvas.paste(body, (x0, y0), mask)
    side = int(min(w, h) * rng.uniform(0.35, 0.6))
    badge = _badge(mark, side, rng)
    canvas.paste(badge, (x0 + (w - side) // 2, y0 + (h - side) // 2), badge)
    return canvas


def _silhouette(mark: Image.Image, colour: tuple[int, int, int], side: int) -> Image.Image:
    alpha = mark.getchannel("A").resize((side, side), Image.Resampling.LANCZOS)
    out = Image.new("RGBA", (side, side), (*colour, 255))
    out.putalpha(alpha)
    return out


def _outline(mark: Image.Image, colour: tuple[int, int, int], side: int) -> Image.Image:
    alpha = mark.getchannel("A").resize((side, side), Image.Resampling.LANCZOS)
    ring = np.asarray(alpha.filter(ImageFilter.MaxFilter(5))).astype(int) - np.asarray(
        alpha.filter(ImageFilter.MinFilter(3))
    )
    out = Image.new("RGBA", (side, side), (*colour, 255))
    out.putalpha(Image.fromarray(np.clip(ring, 0, 255).astype(np.uint8)))
    return out


def _chrome(mark: Image.Image, side: int, rng: Rng) -> Image.Image:
    """A metal badge: the silhouette filled with bands of grey, a dark rim and a shadow."""
    t = np.linspace(0, 1, side)[:, None]
    grey = 150 + 90 * np.sin(2 * np.pi * (t * rng.uniform(1.0, 2.5) + rng.uniform(0, 1)))
    tint = np.array([1.0, 1.0, 1.0]) + rng.uniform(-0.08, 0.08, 3)
    fill = np.clip(grey[..., None].repeat(side, axis=1) * tint, 0, 255).astype(np.uint8)
    metal = Image.fromarray(fill).convert("RGBA")
    metal.putalpha(mark.getchannel("A").resize((side, side), Image.Resampling.LANCZOS))
    out = Image.new("RGBA", (side + 6, side + 6), (0, 0, 0, 0))
    shadow = _silhouette(mark, (60, 60, 60), side).filter(ImageFilter.GaussianBlur(2))
    out.alpha_composite(shadow, (5, 5))
    out.alpha_composite(_outline(mark, (70, 70, 80), side), (1, 1))
    out.alpha_composite(metal, (1, 1))
    return out


def _render(mark: Image.Image, colour: tuple[int, int, int], rng: Rng) -> Image.Image:
    """The mark (its own colours or chrome) glowing on a radial vignette of the brand's colour."""
    yy, xx = np.mgrid[:CANVAS, :CANVAS] / (CANVAS - 1) - 0.5
    light = np.clip(1.3 - 2.2 * np.hypot(yy, xx), 0.15, 1.0)[..., None]
    base = np.array(colour, dtype=float) * 0.6 + 60
    canvas = Image.fromarray(np.clip(base * light, 0, 255).astype(np.uint8))
    side = int(rng.integers(CANVAS // 2, CANVAS * 4 // 5))
    at = ((CANVAS - side) // 2, (CANVAS - side) // 2)
    glow = _silhouette(mark, (255, 255, 255), side).filter(ImageFilter.GaussianBlur(5))
    canvas.paste(glow, at, glow)
    drawn = _chrome(mark, side, rng) if rng.random() < 0.5 else mark.resize((side, side))
    canvas.paste(drawn, at, drawn)
    return canvas


def styled(brand: Brand, style: str, rng: Rng) -> Image.Image:
    """One clean image of the brand in ``style`` (the keys of ``STYLES``)."""
    mark = brand.marks[int(rng.integers(len(brand.marks)))]
    if style == "clean":
        return graphic(mark, rng)
    if style == "style:render":
        return _render(mark, brand.colour, rng)
    side = int(rng.integers(CANVAS * 11 // 20, CANVAS * 17 // 20))
    ground = (255, 255, 255) if rng.random() < 0.7 else _colour(rng, True)
    if style == "style:on-colour":
        ground, drawn = brand.colour, _silhouette(mark, (255, 255, 255), side)
    elif style == "style:outline":
        drawn = _outline(mark, brand.colour, side)
    elif style == "style:chrome":
        drawn = _chrome(mark, side, rng)
    else:  # filled, and the wordmark's mark
        drawn = _silhouette(mark, brand.colour, side)
    canvas = Image.new("RGB", (CANVAS, CANVAS), ground)
    if style == "style:wordmark":
        drawn = drawn.resize((CANVAS // 2, CANVAS // 2))
        canvas.paste(drawn, (CANVAS // 4, 10), drawn)
        font = ImageFont.load_default(size=int(rng.integers(16, 24)))
        draw = ImageDraw.Draw(canvas)
        draw.text(
            (CANVAS // 2, CANVAS * 3 // 4), brand.name, fill=brand.colour, font=font, anchor="mm"
        )
        return canvas
    at = (CANVAS - drawn.width) // 2, (CANVAS - drawn.height) // 2
    canvas.paste(drawn, at, drawn)
    return canvas


def off_topic(kind: str, brand: Brand, rng: Rng) -> Image.Image:
    mark = brand.marks[int(rng.integers(len(brand.marks)))]
    if kind == "scene+graphic":
        return scene_with(mark, rng)
    if kind == "scene":
        return cluttered(rng, int(rng.integers(2, 5)))
    if kind == "product":
        return product(mark, rng)
    return real_crop(rng)


def _shape(shapes: dict[tuple[int, int], float], rng: Rng) -> tuple[int, int]:
    w, h = list(shapes)[int(rng.choice(len(shapes), p=list(shapes.values())))]
    return (CANVAS, round(CANVAS * h / w)) if w >= h else (round(CANVAS * w / h), CANVAS)


def as_found(image: Image.Image, photo: bool, rng: Rng) -> Array:
    """At a search result's shape (a photo cropped, a graphic's ground widened by its edge
    pixels), as a JPEG of quality 60-95, letterboxed to 64 px onto white by resize's ``fit``."""
    width, height = _shape(PHOTO_SHAPES if photo else GRAPHIC_SHAPES, rng)
    if photo:
        x, y = int(rng.integers(0, CANVAS - width + 1)), int(rng.integers(0, CANVAS - height + 1))
        image = image.crop((x, y, x + width, y + height))
    else:
        side = min(width, height)
        top, left = (height - side) // 2, (width - side) // 2
        small = np.asarray(image.resize((side, side), Image.Resampling.LANCZOS))
        pads = ((top, height - side - top), (left, width - side - left), (0, 0))
        image = Image.fromarray(np.pad(small, pads, mode="edge"))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=int(rng.integers(60, 96)))
    with Image.open(buffer) as decoded:
        return np.asarray(fit(decoded.convert("RGB"), LETTERBOX, "#ffffff"))


def brands(rng: Rng) -> list[Brand]:
    """``BRANDS`` brands, each one or two marks of one emoji category, never shared."""
    categories = sorted(p.name for p in shared("noto-emoji", "images").iterdir() if p.is_dir())
    used: set[tuple[str, int]] = set()
    out = []
    while len(out) < BRANDS:
        category = categories[int(rng.integers(len(categories)))]
        pool = emoji(category)
        picks = rng.choice(len(pool), int(rng.integers(1, 3)), replace=False).tolist()
        if any((category, i) in used for i in picks):
            continue
        used |= {(category, i) for i in picks}
        name = _word(rng)
        if name not in {b.name for b in out}:
            out.append(Brand(name, tuple(pool[i] for i in picks), _colour(rng, False)))
    return out


def build_web_suite(seed: int) -> Suite:
    """Brands, their clean images in several styles and their off-topic results, from ``seed``."""
    rng = np.random.default_rng(seed)
    images, labels, kinds = [], [], []
    made = brands(rng)
    sizes = [int(rng.integers(SMALL_SIZES[0], SMALL_SIZES[1] + 1)) for _ in made]
    sizes[: len(LARGE_SIZES)] = LARGE_SIZES
    for brand, size in zip(made, sizes, strict=True):
        bad = max(1, round(size * OFF_TOPIC))
        styles = rng.choice(list(STYLES), size - bad, p=list(STYLES.values()))
        wrong = rng.choice(list(KINDS), bad, p=list(KINDS.values()))
        for kind in [*styles.tolist(), *wrong.tolist()]:
            drawn = off_topic(kind, brand, rng) if kind in KINDS else styled(brand, kind, rng)
            images.append(as_found(drawn, kind in KINDS, rng))
            labels.append(brand.name)
            kinds.append(kind)
    return Suite(images, labels, kinds)
