"""The augment chain grammar: parse and check ``augment.chains`` without any image library.

params.py validates chains at load and augment.py applies them; both read the grammar here, so
loading params never imports cv2, PIL or albumentations (docs/ARCHITECTURE.md).

A chain is a space-separated list of codes, applied left to right::

    fliph                       mirror left-right
    flipv                       mirror top-bottom
    noise_<std>                 Gaussian noise; std a fraction of full scale (0.01 = 2.55 levels)
    rot_<degrees>               rotate about the centre; positive is counter-clockwise
    trans_<dx>_<dy>             shift by whole pixels; +dx right, +dy down
    zoom_<scale>                zoom about the centre; > 1 magnifies
    zoom_<x1>_<y1>_<x2>_<y2>    stretch the pixel box [x1, x2) x [y1, y2) to the whole image
                                (the box may reach past the edges: that part is background)
    blur_<sigma>                Gaussian blur, sigma in pixels

Any number except the zoom box may be a range ``lo:hi`` (``rot_-15:15``, ``trans_-4:4_0``),
drawn uniformly for each image and copy (whole pixels for ``trans``).
Sampling a range is the caller's: :meth:`Code.sample` takes the random generator.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

USAGE = (
    "fliph, flipv, noise_<std>, rot_<degrees>, trans_<dx>_<dy>, zoom_<scale>, "
    "zoom_<x1>_<y1>_<x2>_<y2>, blur_<sigma>; any number but the zoom box may be lo:hi"
)
ARITY = {
    "fliph": (0,),
    "flipv": (0,),
    "noise": (1,),
    "rot": (1,),
    "trans": (2,),
    "zoom": (1, 4),
    "blur": (1,),
}
Range = tuple[float, float]


class ChainError(ValueError):
    """An augment chain holds a code that does not exist or has bad values."""


@dataclass(frozen=True)
class Code:
    """One parsed code: its name and a (lo, hi) range per number (lo == hi when fixed)."""

    name: str
    ranges: tuple[Range, ...]

    def sample(self, rng: np.random.Generator) -> tuple[float, ...]:
        """Concrete values, rounded to what ``applied.csv`` shows (so it is exactly replayable)."""
        if self.name == "trans":
            return tuple(
                float(rng.integers(int(lo), int(hi), endpoint=True)) for lo, hi in self.ranges
            )
        return tuple(
            lo if lo == hi else round(float(rng.uniform(lo, hi)), 3) for lo, hi in self.ranges
        )


def parse_chain(chain: str) -> tuple[Code, ...]:
    """Parse and validate a chain; a bad code raises :class:`ChainError` naming it."""
    tokens = chain.split()
    if not tokens:
        raise ChainError(f"augment chain {chain!r} is empty; codes: {USAGE}")
    return tuple(_parse_code(token, chain) for token in tokens)


def _parse_code(token: str, chain: str) -> Code:
    name, *args = token.split("_")

    def fail(problem: str) -> ChainError:
        return ChainError(f"augment code {token!r} in chain {chain!r}: {problem}; codes: {USAGE}")

    if name not in ARITY:
        raise fail(f"unknown code {name!r}")
    if len(args) not in ARITY[name]:
        raise fail(f"{name} takes {' or '.join(map(str, ARITY[name]))} numbers, got {len(args)}")
    try:
        ranges = tuple(_parse_range(arg) for arg in args)
    except ValueError as err:
        raise fail(str(err)) from err
    problem = _check_values(name, ranges)
    if problem:
        raise fail(problem)
    return Code(name, ranges)


def _parse_range(text: str) -> Range:
    parts = text.split(":")
    if len(parts) > 2 or not all(parts):
        raise ValueError(f"{text!r} is not a number or a lo:hi range")
    try:
        lo, hi = float(parts[0]), float(parts[-1])
    except ValueError:
        raise ValueError(f"{text!r} is not a number or a lo:hi range") from None
    if not (math.isfinite(lo) and math.isfinite(hi)) or lo > hi:
        raise ValueError(f"range {text!r} needs finite lo <= hi")
    return lo, hi


def _check_values(name: str, ranges: tuple[Range, ...]) -> str:
    """The problem with a code's values, or '' when they are fine."""
    flat = [v for r in ranges for v in r]
    if name == "noise" and not 0 <= min(flat) <= max(flat) <= 1:
        return "std must be in 0-1 (a fraction of full scale)"
    if name == "rot" and not -360 <= min(flat) <= max(flat) <= 360:
        return "degrees must be in -360 to 360"
    if name == "trans" and any(v != int(v) for v in flat):
        return "shifts are whole pixels"
    if name == "blur" and not 0 < min(flat) <= max(flat) <= 50:
        return "sigma must be > 0 and <= 50"
    if name == "zoom" and len(ranges) == 1 and min(flat) <= 0:
        return "scale must be > 0"
    if name == "zoom" and len(ranges) == 4:
        if any(lo != hi or lo != int(lo) for lo, hi in ranges):
            return "the zoom box takes fixed whole pixels; use zoom_<lo>:<hi> for a random scale"
        x1, y1, x2, y2 = (lo for lo, _ in ranges)
        if x2 <= x1 or y2 <= y1:
            return "the zoom box needs x1 < x2 and y1 < y2"
    return ""


def format_code(name: str, values: tuple[float, ...]) -> str:
    """``rot`` and ``(-7.312,)`` as ``rot_-7.312``: the concrete code a copy got."""
    return "_".join([name, *(format(v, "g") for v in values)])
