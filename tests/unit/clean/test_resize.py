"""resize: letterbox / centre-crop / stretch, anti-aliased shrinking, the upscale rule."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from imagecases import BLUE, RED, encode, pixels
from PIL import Image

from ganpipe.clean.resize import fit
from ganpipe.manifest import KEPT, REJECTED
from ganpipe.params import ResizeParams
from ganpipe.stagekit import InOut
from ganpipe.stages.resize import run_resize

PARAMS = ResizeParams(image_size=32, workers=1)


def wide() -> Image.Image:
    """128x64: red left quarter, blue elsewhere."""
    image = Image.new("RGB", (128, 64), BLUE)
    image.paste(RED, (0, 0, 32, 64))
    return image


def test_letterbox_pads_with_the_background():
    out = np.asarray(fit(wide(), PARAMS, "#00ff00"))
    assert out.shape == (32, 32, 3)
    assert (out[:8] == (0, 255, 0)).all() and (out[24:] == (0, 255, 0)).all()
    assert (out[8:24, :8] == RED).all() and (out[8:24, 8:] == BLUE).all()


def test_center_crop_keeps_the_middle_square():
    out = np.asarray(fit(wide(), replace(PARAMS, mode="center-crop"), "#ffffff"))
    assert out.shape == (32, 32, 3) and (out == BLUE).all()


def test_stretch_fills_the_square():
    out = np.asarray(fit(wide(), replace(PARAMS, mode="stretch"), "#ffffff"))
    assert (out[:, :8] == RED).all() and (out[:, 8:] == BLUE).all()


def test_grey_images_pad_with_the_background_luma():
    out = np.asarray(fit(wide().convert("L"), PARAMS, "#00ff00"))
    assert out.ndim == 2 and out[0, 0] == 150


@pytest.mark.parametrize("name", ["area", "lanczos"])
def test_downscaling_is_anti_aliased(name):
    """A one-pixel checkerboard must average to grey, not alias into stripes or moire."""
    board = (np.indices((256, 256)).sum(axis=0) % 2 * 255).astype(np.uint8)
    out = np.asarray(fit(Image.fromarray(board), replace(PARAMS, filter=name), "#ffffff"))
    assert abs(out.mean() - 127.5) < 2 and out.std() < 3


def test_small_images_are_rejected_unless_upscale(write_stage, tmp_path):
    small = encode(Image.new("RGB", (20, 24), RED), "PNG")
    raw, ids = write_stage({"logo": {"small": small, "big": encode(wide(), "PNG")}}, ext="png")
    rows = {
        r.id: r for r in run_resize(InOut(raw, tmp_path / "a"), params=PARAMS, background="#ffffff")
    }
    assert rows[ids["big"]].status == KEPT
    assert rows[ids["small"]].status == REJECTED
    assert rows[ids["small"]].reason.startswith("too-small:20x24 for letterbox to 32")
    rows = {
        r.id: r
        for r in run_resize(
            InOut(raw, tmp_path / "b"), params=replace(PARAMS, upscale=True), background="#ffffff"
        )
    }
    assert rows[ids["small"]].status == KEPT
    assert pixels(tmp_path / "b", rows[ids["small"]]).shape == (32, 32, 3)


@pytest.mark.parametrize("mode", ["letterbox", "center-crop", "stretch"])
def test_stage_writes_size_squares_deterministically(write_stage, tmp_path, mode):
    files = {f"i{k}": encode(wide().rotate(90 * k, expand=True), "PNG") for k in range(4)}
    raw, _ = write_stage({"logo": files}, ext="png")
    params = replace(PARAMS, mode=mode, workers=2)
    first = run_resize(InOut(raw, tmp_path / "out"), params=params, background="#ffffff")
    data = {r.path: (tmp_path / "out" / r.path).read_bytes() for r in first}
    assert all(r.width == r.height == 32 and r.status == KEPT for r in first)
    assert run_resize(InOut(raw, tmp_path / "out"), params=params, background="#ffffff") == first
    assert {r.path: (tmp_path / "out" / r.path).read_bytes() for r in first} == data


def test_right_size_png_is_passed_through_not_rewritten(write_stage, tmp_path):
    square = encode(Image.new("RGB", (32, 32), RED), "PNG")
    raw, ids = write_stage({"logo": {"square": square, "big": encode(wide(), "PNG")}}, ext="png")
    rows = {
        r.id: r
        for r in run_resize(InOut(raw, tmp_path / "out"), params=PARAMS, background="#ffffff")
    }
    assert rows[ids["square"]].path == f"../raw/images/logo/{ids['square']}.png"
    assert rows[ids["big"]].path == f"images/logo/{ids['big']}.png"
    assert pixels(tmp_path / "out", rows[ids["square"]]).shape == (32, 32, 3)
