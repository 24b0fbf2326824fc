"""Fixture generator: every odd or broken file the cleaning stages must handle, made in the test.

Each maker returns the file's bytes (``conftest.write_stage`` lays them out as a stage).
"""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image, ImageCms

from ganpipe.manifest import Row

RED, GREEN, BLUE = (255, 0, 0), (0, 255, 0), (0, 0, 255)


def encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def photo(width: int, height: int, seed: int) -> Image.Image:
    """A smooth random colour field: structured like a photo, distinct per seed."""
    coarse = np.random.default_rng(seed).integers(0, 256, (6, 6, 3), dtype=np.uint8)
    return Image.fromarray(coarse).resize((width, height), Image.Resampling.BICUBIC)


def jpeg(width: int = 120, height: int = 90, seed: int = 0) -> bytes:
    return encode(photo(width, height, seed), "JPEG", quality=90)


def truncated_jpeg() -> bytes:
    data = jpeg(200, 150, seed=1)
    return data[: len(data) // 2]


def html_page() -> bytes:
    return b"<!DOCTYPE html>\n<html><body>403 Forbidden</body></html>\n"


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_bomb(side: int) -> bytes:
    """A valid 1-bit PNG of side x side pixels that compresses to a few kilobytes."""
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    raw = bytes((1 + (side + 7) // 8) * side)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(raw, 9))
        + _png_chunk(b"IEND", b"")
    )


def corrupt_png() -> bytes:
    """A PNG whose compressed pixel data is garbage (the chunk CRC is kept valid)."""
    data = bytearray(encode(photo(64, 64, 2), "PNG"))
    start = data.index(b"IDAT") + 4
    data[start + 10 : start + 200] = bytes(range(190))
    return bytes(data)


def _strip_app14(data: bytes) -> bytes:
    """Remove the Adobe APP14 segment from a JPEG."""
    at = data.index(b"\xff\xee")
    length = struct.unpack(">H", data[at + 2 : at + 4])[0]
    return data[:at] + data[at + 2 + length :]


def _half(mode: str, left: tuple[int, ...], right: tuple[int, ...]) -> Image.Image:
    """64x64, one colour on the left half, another on the right (flat images count as blank)."""
    image = Image.new(mode, (64, 64), right)
    image.paste(left, (0, 0, 32, 64))
    return image


def cmyk_adobe_red() -> bytes:
    """Red | white as Photoshop writes CMYK: Adobe marker, inverted samples (as PIL writes)."""
    return encode(_half("CMYK", (0, 255, 255, 0), (0, 0, 0, 0)), "JPEG", quality=95)


def cmyk_plain_red() -> bytes:
    """Red | white as plain (non-inverted) CMYK samples, with no Adobe marker."""
    inverted = _half("CMYK", (255, 0, 0, 255), (255, 255, 255, 255))  # PIL inverts on save
    return _strip_app14(encode(inverted, "JPEG", quality=95))


def swapped_primaries_profile() -> bytes:
    """An RGB ICC profile whose red and green primaries are swapped: red pixels mean green."""
    data = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    count = struct.unpack(">I", data[128:132])[0]
    entries = {bytes(data[132 + 12 * i : 136 + 12 * i]): i for i in range(count)}
    r, g = 132 + 12 * entries[b"rXYZ"], 132 + 12 * entries[b"gXYZ"]
    data[r + 4 : r + 12], data[g + 4 : g + 12] = data[g + 4 : g + 12], data[r + 4 : r + 12]
    return bytes(data).replace("sRGB".encode("utf-16-be"), "Test".encode("utf-16-be"))


def icc_red_means_green() -> bytes:
    """Red | black pixels tagged with the swapped profile: green | black in sRGB."""
    return encode(_half("RGB", RED, (0, 0, 0)), "PNG", icc_profile=swapped_primaries_profile())


def png16_gray() -> bytes:
    """16-bit grey: left half 65535, right half 128 * 257 (scaled: 255 and 128; clipped: 255)."""
    array = np.full((32, 64), 128 * 257, dtype=np.uint16)
    array[:, :32] = 65535
    return encode(Image.fromarray(array), "PNG")


def palette_trns() -> bytes:
    """Palette image: index 0 fully transparent, index 1 red; a red square in the middle."""
    image = Image.new("P", (64, 64), 0)
    image.putpalette([0, 0, 0, 255, 0, 0])
    image.paste(1, (16, 16, 48, 48))
    return encode(image, "PNG", transparency=0)


def gray_alpha() -> bytes:
    """LA: black, opaque only in the middle square."""
    image = Image.new("LA", (64, 64), (0, 0))
    image.paste((0, 255), (16, 16, 48, 48))
    return encode(image, "PNG")


def transparent_png() -> bytes:
    """RGBA with alpha 0 everywhere (colour data varies): blank once composited."""
    array = np.zeros((64, 64, 4), dtype=np.uint8)
    array[..., :3] = np.asarray(photo(64, 64, 3))
    return encode(Image.fromarray(array, "RGBA"), "PNG")


def exif_rotated() -> bytes:
    """Stored 80x40 with a red left half, EXIF orientation 6: shown 40x80 with red on top."""
    image = Image.new("RGB", (80, 40), BLUE)
    image.paste(RED, (0, 0, 40, 40))
    exif = Image.Exif()
    exif[0x0112] = 6
    return encode(image, "JPEG", quality=95, exif=exif)


def animated_gif() -> bytes:
    """Two frames: red | white, then blue | white."""
    frames = [_half("RGB", RED, (255, 255, 255)), _half("RGB", BLUE, (255, 255, 255))]
    return encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)


def mpo() -> bytes:
    """A multi-picture JPEG (camera still plus a second view): not an animation."""
    first, second = photo(96, 64, 8), photo(96, 64, 9)
    return encode(first, "MPO", save_all=True, append_images=[second])


def webp() -> bytes:
    return encode(photo(96, 64, 4), "WEBP", quality=90)


def blank() -> bytes:
    """Near-constant: grey 200 with one-level noise (std well under 2)."""
    rng = np.random.default_rng(5)
    return encode(Image.fromarray((200 + rng.integers(0, 2, (64, 64))).astype(np.uint8)), "PNG")


def near_duplicates(seed: int = 6) -> tuple[bytes, bytes]:
    """The same picture at 240x180 (PNG) and 120x90 (JPEG): the larger must be kept."""
    big = photo(240, 180, seed)
    return encode(big, "PNG"), encode(big.resize((120, 90), Image.Resampling.BOX), "JPEG")


def pixels(stage: Path, row: Row) -> np.ndarray:
    """A stage output's pixels."""
    return np.asarray(Image.open(stage / row.path))
