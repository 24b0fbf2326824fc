"""Image statistics on images drawn in the test: a flat graphic, a gradient, texture, a dot."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from ganpipe.curate.pixels import letterbox, statistics, thumbnails


def batch(*images: np.ndarray) -> torch.Tensor:
    """uint8 (N, C, H, W) from (H, W, C) arrays."""
    return torch.from_numpy(np.stack(images)).permute(0, 3, 1, 2).contiguous()


def graphic() -> np.ndarray:
    """A red square on white, a quarter of the frame."""
    image = np.full((64, 64, 3), 255, np.uint8)
    image[16:48, 16:48] = (200, 20, 20)
    return image


def gradient() -> np.ndarray:
    """Black to white, top to bottom: the widest smooth background there is."""
    return np.linspace(0, 255, 64)[:, None, None].repeat(64, 1).repeat(3, 2).astype(np.uint8)


def texture(seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (64, 64, 3), dtype=np.uint8)


def test_a_flat_graphic_a_gradient_and_texture() -> None:
    got = statistics(batch(graphic(), gradient(), texture()))
    assert got["border"].tolist() == [0.0, 0.0, pytest.approx(1.0, abs=0.1)]
    assert got["foreground"][0] == pytest.approx(0.25)
    assert got["colours"][0] == 2 and got["colours"][2] > 100
    assert got["flat"][0] > 0.9 and got["texture"][2] + got["edges"][2] > 0.9
    assert got["saturation"][0] == pytest.approx(0.25 * (200 - 20) / 200, abs=1e-6)


def test_a_dot_on_white_is_nearly_empty() -> None:
    dot = np.full((64, 64, 3), 255, np.uint8)
    dot[30:32, 30:32] = 0
    assert statistics(batch(dot))["foreground"][0] == pytest.approx(4 / 4096)


def test_any_size_and_grey_are_seen_at_64_px_in_rgb() -> None:
    big = graphic().repeat(2, axis=0).repeat(2, axis=1)  # 128 px, the same picture
    grey = graphic()[:, :, :1]
    same = statistics(batch(graphic()))
    for other in (statistics(batch(big)), statistics(batch(grey))):
        assert other["foreground"] == pytest.approx(same["foreground"])
        assert other["border"] == pytest.approx(same["border"])
    assert statistics(batch(grey))["saturation"][0] == 0


def test_thumbnails_are_centred_unit_vectors_that_ignore_brightness() -> None:
    dark = (graphic() // 2).astype(np.uint8)
    got = thumbnails(batch(graphic(), dark, np.full((64, 64, 3), 128, np.uint8)))
    assert got.shape == (3, 3 * 16 * 16)
    assert np.linalg.norm(got[:2], axis=1) == pytest.approx([1, 1])
    assert got[:2].sum(axis=1) == pytest.approx([0, 0], abs=1e-9)
    assert got[0] @ got[1] > 0.95  # the same layout, half as bright
    assert np.abs(got[2]).max() == 0  # a blank page has no layout at all


def test_palette_and_block_colours_tell_a_graphic_from_texture() -> None:
    got = statistics(batch(graphic(), gradient(), texture()))
    assert got["palette"][0] == 1.0  # white and red: two colours, all of the pixels
    assert got["palette"][1] == pytest.approx(4 * 8 / 64)  # 8 levels, 8 rows each: 4 of them
    assert got["palette"][2] < 0.05  # random colours: no four hold many pixels
    # Per 8 px block: the square's blocks hold one colour (its edges fall on block edges), the
    # gradient's 8 rows span one or two levels, noise almost a colour a pixel.
    assert got["blocks"][0] == 1.0
    assert 1 <= got["blocks"][1] <= 2
    assert got["blocks"][2] > 50


def letterboxed(picture: np.ndarray, bar: int) -> np.ndarray:
    """``picture`` (64 - 2 * bar rows) between white bars above and below, as resize pads."""
    white = np.full((bar, 64, 3), 255, np.uint8)
    return np.concatenate([white, picture, white])


def test_statistics_look_inside_the_letterbox_bars() -> None:
    photo = letterboxed(texture()[:48], 8)  # a 4:3 photo letterboxed to a square
    inside, whole = statistics(batch(photo)), statistics(batch(photo), inside_bars=False)
    assert inside["border"][0] == pytest.approx(1.0, abs=0.1)  # the photo's own edge
    assert whole["border"][0] < 0.6  # the bars are half the ring
    assert whole["foreground"][0] == pytest.approx(0.75, abs=0.02)  # all but the white bars
    assert letterbox(photo.astype(np.float32)).shape == (48, 64, 3)


def test_graphics_keep_their_margins() -> None:
    square = graphic()  # white all round: not bars
    coloured = np.full((64, 64, 3), 255, np.uint8)
    coloured[8:56] = (30, 90, 40)  # a 4:3 logo on its own colour, letterboxed: bars
    coloured[20:44, 24:40] = 255
    word = np.full((64, 64, 3), 255, np.uint8)
    word[20:44, 20:44] = 0  # a wordmark 24 px high, touching the sides at two letters
    word[30:34, 0:3] = word[30:34, 61:] = 0
    got = [letterbox(x.astype(np.float32)).shape for x in (square, coloured, word)]
    assert got == [(64, 64, 3), (48, 64, 3), (64, 64, 3)]
    columns = np.full((64, 64, 3), 255, np.uint8)
    columns[:, 10:54] = texture()[:, :44]  # a portrait photo: bars beside it
    assert letterbox(columns.astype(np.float32)).shape == (64, 44, 3)
