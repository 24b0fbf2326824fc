"""A folder that looks like a web image search for logos, made reproducibly from a seed.

Classes are Noto Emoji categories (flat RGBA graphics, ../shared/data/noto-emoji/), one of
the nine held out as "other companies' marks", subsampled to search-like sizes: half the classes
hold 10-30 images, as a search for a rare brand gives. Every image is drawn at 128 px, saved as a
JPEG (quality 60-95, as scraped files are) and area-downscaled to 64 px, as resize would.

Clean images vary the way logo search results do: white, flat coloured or gradient backgrounds,
any scale and place, a wordmark under the graphic in one of five. About 10% of each class is
contamination, the kinds image search returns:

- ``photo+graphic``: the class's own graphic small inside a photo (a hand photo from
  ../shared/data/sign-language-digits/, cropped, flipped and colour-shifted): a logo on a car,
  a mug, a shop front;
- ``photo``: a photo with no graphic at all;
- ``foreign``: a graphic of the held-out category (another company that shares the name);
- ``text``: text only, a wordmark or lines of an article;
- ``near-empty``: a tiny mark or a faint stroke on a flat background;

plus about 5% ``wrong-label``: a clean image of one class filed under another.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from shareddata import shared  # benchmarks/ is on a script's path

CANVAS, SIDE = 128, 64
SIZES = (10, 14, 20, 30, 50, 80, 130, 200)  # images per class before contamination
CONTAMINATION = 0.10  # share of each class's final images that are off-topic
WRONG = 0.05  # share of all clean images filed under another class
KINDS = {"photo+graphic": 0.35, "photo": 0.15, "foreign": 0.2, "text": 0.15, "near-empty": 0.15}
SYLLABLES = ("ka", "ro", "mi", "tex", "on", "vel", "sa", "dor", "lu", "fen", "gra", "po", "zu")

Array = np.ndarray


@dataclass(frozen=True)
class Suite:
    images: list[Array]  # (64, 64, 3) uint8
    labels: list[str]  # the class each image is filed under
    kinds: list[str]  # "clean", "style:..." (clean, drawn another way) or what is wrong with it

    @property
    def bad(self) -> np.ndarray:
        return np.array([is_bad(k) for k in self.kinds])


def is_bad(kind: str) -> bool:
    """Off-topic or mislabelled: neither ``clean`` nor a clean graphic in another ``style:``."""
    return kind != "clean" and not kind.startswith("style:")


@cache
def emoji(category: str) -> tuple[Image.Image, ...]:
    """A category's graphics, RGBA, in file order (loaded once)."""
    folder = shared("noto-emoji", "images", category)
    return tuple(Image.open(p).convert("RGBA") for p in sorted(folder.glob("*.png")))


@cache
def _photos() -> tuple[Image.Image, ...]:
    root = shared("sign-language-digits", "Dataset")
    return tuple(
        Image.open(p).convert("RGB") for d in range(10) for p in sorted((root / str(d)).glob("*"))
    )


def _colour(rng: np.random.Generator, light: bool | None = None) -> tuple[int, int, int]:
    low, high = {None: (0, 256), True: (170, 256), False: (0, 120)}[light]
    return tuple(int(v) for v in rng.integers(low, high, 3))


def _background(rng: np.random.Generator) -> Image.Image:
    """White in most results; flat colour, dark, or a soft gradient in the rest."""
    kind = rng.choice(["white", "light", "colour", "gradient"], p=[0.6, 0.15, 0.12, 0.13])
    if kind == "gradient":
        top, bottom = np.array(_colour(rng)), np.array(_colour(rng))
        t = np.linspace(0, 1, CANVAS)[:, None, None]
        ramp = (top * (1 - t) + bottom * t).repeat(CANVAS, axis=1)
        return Image.fromarray(ramp.astype(np.uint8))
    colour = {"white": (255, 255, 255), "light": _colour(rng, True), "colour": _colour(rng)}[kind]
    return Image.new("RGB", (CANVAS, CANVAS), colour)


def _word(rng: np.random.Generator) -> str:
    word = "".join(rng.choice(SYLLABLES, int(rng.integers(2, 4))))
    return word.upper() if rng.random() < 0.5 else word.capitalize()


def _paste(canvas: Image.Image, graphic: Image.Image, side: int, rng: np.random.Generator) -> None:
    sized = graphic.resize((side, side), Image.Resampling.LANCZOS)
    x, y = (int(rng.integers(0, CANVAS - side + 1)) for _ in range(2))
    canvas.paste(sized, (x, y), sized)


def graphic(mark: Image.Image, rng: np.random.Generator) -> Image.Image:
    """A logo as search results show it: any background, scale and place; a wordmark at times."""
    canvas = _background(rng)
    if rng.random() < 0.2:
        side = int(rng.integers(40, 80))
        sized = mark.resize((side, side), Image.Resampling.LANCZOS)
        canvas.paste(sized, ((CANVAS - side) // 2, 8), sized)
        font = ImageFont.load_default(size=int(rng.integers(14, 24)))
        ImageDraw.Draw(canvas).text(
            (CANVAS // 2, side + 14), _word(rng), fill=_colour(rng, False), font=font, anchor="mt"
        )
        return canvas
    _paste(canvas, mark, int(rng.integers(int(0.45 * CANVAS), CANVAS + 1)), rng)
    return canvas


def photo(rng: np.random.Generator) -> Image.Image:
    """A hand photo, cropped, maybe flipped, its colours shifted: not one tight cluster."""
    source = _photos()[int(rng.integers(len(_photos())))]
    side = int(rng.integers(60, 101))
    x, y = (int(rng.integers(0, 101 - side)) for _ in range(2))
    image = source.crop((x, y, x + side, y + side)).resize(
        (CANVAS, CANVAS), Image.Resampling.BICUBIC
    )
    if rng.random() < 0.5:
        image = image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    hsv = np.asarray(image.convert("HSV")).astype(np.int16)
    hsv[..., 0] = (hsv[..., 0] + int(rng.integers(0, 256))) % 256
    hsv[..., 1] = np.clip(hsv[..., 1] * rng.uniform(0.6, 2.0), 0, 255)
    hsv[..., 2] = np.clip(hsv[..., 2] * rng.uniform(0.6, 1.2), 0, 255)
    return Image.fromarray(hsv.astype(np.uint8), "HSV").convert("RGB")


def photo_with(mark: Image.Image, rng: np.random.Generator) -> Image.Image:
    """A photo with the graphic small on it (on a white plate at times, like a sign)."""
    canvas = photo(rng)
    side = int(rng.integers(int(0.18 * CANVAS), int(0.45 * CANVAS)))
    if rng.random() < 0.3:
        plate = Image.new("RGBA", (side, side), (255, 255, 255, 255))
        plate.paste(
            mark.resize((side, side), Image.Resampling.LANCZOS), (0, 0), mark.resize((side, side))
        )
        mark = plate
    _paste(canvas, mark, side, rng)
    return canvas


def text(rng: np.random.Generator) -> Image.Image:
    """A wordmark alone, or lines of small text (an article, an advert's copy)."""
    canvas = Image.new(
        "RGB", (CANVAS, CANVAS), _colour(rng, True) if rng.random() < 0.5 else "white"
    )
    draw = ImageDraw.Draw(canvas)
    ink = _colour(rng, False)
    if rng.random() < 0.5:
        font = ImageFont.load_default(size=int(rng.integers(18, 34)))
        draw.text((CANVAS // 2, CANVAS // 2), _word(rng), fill=ink, font=font, anchor="mm")
        return canvas
    font = ImageFont.load_default(size=int(rng.integers(9, 14)))
    y = int(rng.integers(4, 20))
    while y < CANVAS - 12:
        draw.text((6, y), " ".join(_word(rng).lower() for _ in range(3)), fill=ink, font=font)
        y += font.size + 4
    return canvas


def near_empty(mark: Image.Image, rng: np.random.Generator) -> Image.Image:
    """A tiny mark, or one faint stroke, on a flat background."""
    canvas = Image.new(
        "RGB", (CANVAS, CANVAS), "white" if rng.random() < 0.7 else _colour(rng, True)
    )
    if rng.random() < 0.5:
        _paste(canvas, mark, int(rng.integers(8, 16)), rng)
        return canvas
    points = [tuple(int(v) for v in rng.integers(10, CANVAS - 10, 2)) for _ in range(2)]
    ImageDraw.Draw(canvas).line(points, fill=_colour(rng), width=int(rng.integers(1, 4)))
    return canvas


def as_scraped(image: Image.Image, rng: np.random.Generator) -> Array:
    """JPEG at a random quality at 128 px, then area-downscaled to 64 px (resize's view)."""
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=int(rng.integers(60, 96)))
    with Image.open(buffer) as decoded:
        return np.asarray(decoded.convert("RGB").resize((SIDE, SIDE), Image.Resampling.BOX))


def _contaminant(
    kind: str,
    own: tuple[Image.Image, ...],
    foreign: tuple[Image.Image, ...],
    rng: np.random.Generator,
) -> Image.Image:
    def pick(pool: tuple[Image.Image, ...]) -> Image.Image:
        return pool[int(rng.integers(len(pool)))]

    if kind == "photo+graphic":
        return photo_with(pick(own), rng)
    if kind == "photo":
        return photo(rng)
    if kind == "foreign":
        return graphic(pick(foreign), rng)
    if kind == "text":
        return text(rng)
    return near_empty(pick(own), rng)


def build_suite(seed: int) -> Suite:
    """Classes, clean images, contamination and wrong labels, all from ``seed``."""
    rng = np.random.default_rng(seed)
    categories = sorted(p.name for p in shared("noto-emoji", "images").iterdir() if p.is_dir())
    held_out = categories.pop(int(rng.integers(len(categories))))
    sizes = dict(zip(categories, rng.permutation(SIZES).tolist(), strict=True))
    images, labels, kinds = [], [], []
    for category in categories:
        pool = emoji(category)
        n = min(sizes[category], len(pool))
        for i in rng.choice(len(pool), n, replace=False):
            images.append(as_scraped(graphic(pool[i], rng), rng))
            labels.append(category)
            kinds.append("clean")
        for kind in rng.choice(
            list(KINDS),
            max(1, round(n * CONTAMINATION / (1 - CONTAMINATION))),
            p=list(KINDS.values()),
        ):
            images.append(as_scraped(_contaminant(str(kind), pool, emoji(held_out), rng), rng))
            labels.append(category)
            kinds.append(str(kind))
    clean = [i for i, k in enumerate(kinds) if k == "clean"]
    for i in rng.choice(clean, round(WRONG * len(clean)), replace=False):
        others = [c for c in categories if c != labels[i]]
        labels[i] = others[int(rng.integers(len(others)))]
        kinds[i] = "wrong-label"
    return Suite(images, labels, kinds)
