"""Image formats ganpipe accepts, and the one file extension each is stored under.

Scrape names downloaded files by the format their bytes hold (ganpipe.scrape.sniff); filter
checks that a local file's name agrees with its format (ganpipe.clean.filter). Both read this
map, so a file scrape names ``.tiff`` is not renamed by filter.
"""

from __future__ import annotations

# Pillow format name -> file extension. Anything else (HTML, SVG, PDF, EPS ...) is not an image.
EXTENSIONS = {
    "JPEG": "jpg",
    "MPO": "jpg",  # multi-picture JPEG: a still, stored as a JPEG
    "PNG": "png",
    "GIF": "gif",
    "WEBP": "webp",
    "BMP": "bmp",
    "TIFF": "tiff",
    "ICO": "ico",
    "PPM": "ppm",
    "AVIF": "avif",
}
SAME_FORMAT = {"jpeg": "jpg", "jpe": "jpg", "tif": "tiff"}  # other extensions of one format


def same_format(suffix: str, ext: str) -> bool:
    """Whether a file named ``*.suffix`` is correctly named for a format stored as ``ext``."""
    suffix = suffix.lower().lstrip(".")
    return SAME_FORMAT.get(suffix, suffix) == ext
