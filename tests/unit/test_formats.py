"""One format map: scrape's names and filter's renaming agree (TIFF is ``.tiff`` for both)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from ganpipe.clean.decode import extension
from ganpipe.formats import same_format
from ganpipe.scrape.sniff import sniff


@pytest.mark.parametrize("fmt", ["TIFF", "JPEG", "PNG", "WEBP", "BMP", "GIF"])
def test_scrape_and_filter_name_a_format_alike(fmt: str) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format=fmt)
    data = buffer.getvalue()
    scraped = sniff(data).ext
    assert scraped == extension(Image.open(io.BytesIO(data)))
    assert same_format(f".{scraped}", scraped)


@pytest.mark.parametrize(
    ("suffix", "ext", "same"),
    [(".TIF", "tiff", True), (".jpeg", "jpg", True), (".JPE", "jpg", True), (".jpg", "png", False)],
)
def test_other_names_of_a_format(suffix: str, ext: str, same: bool) -> None:
    assert same_format(suffix, ext) is same
