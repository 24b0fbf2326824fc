"""Decide what is an image from its bytes, never from the URL or the Content-Type."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from ganpipe.formats import EXTENSIONS

Image.init()
_OPENERS = [name for name in EXTENSIONS if name in Image.OPEN]  # MPO is opened by JPEG


class NotAnImage(ValueError):
    """The bytes are not an accepted image; ``reason`` is the manifest reason."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason


@dataclass(frozen=True)
class Sniffed:
    """What the header says about an image that passed Pillow's integrity check."""

    ext: str
    width: int
    height: int
    mode: str


def sniff(data: bytes) -> Sniffed:
    """Identify ``data`` by its magic bytes and verify it; raise :class:`NotAnImage` if not."""
    try:
        with Image.open(io.BytesIO(data), formats=_OPENERS) as image:
            found = Sniffed(EXTENSIONS[image.format or ""], *image.size, image.mode)
            image.verify()
    except Image.DecompressionBombError as err:
        raise NotAnImage("decompression_bomb", str(err)) from err
    except UnidentifiedImageError as err:
        raise NotAnImage("not_an_image", "no known image signature") from err
    except (OSError, SyntaxError, ValueError, IndexError, KeyError) as err:
        raise NotAnImage("corrupt_image", f"{type(err).__name__}: {err}") from err
    return found
