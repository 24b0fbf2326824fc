"""reduce: orientation, colour management, 16-bit, alpha; RGB or L PNG out, deterministic."""

from __future__ import annotations

from pathlib import Path

import imagecases as cases
import numpy as np
import pytest
from imagecases import BLUE, GREEN, RED, pixels
from PIL import Image

from ganpipe.manifest import KEPT, REJECTED
from ganpipe.params import ReduceParams
from ganpipe.stagekit import InOut
from ganpipe.stages.reduce import run_reduce

FILES = {
    "cmyk_adobe": cases.cmyk_adobe_red(),
    "cmyk_plain": cases.cmyk_plain_red(),
    "icc": cases.icc_red_means_green(),
    "png16": cases.png16_gray(),
    "palette": cases.palette_trns(),
    "la": cases.gray_alpha(),
    "rotated": cases.exif_rotated(),
    "gif": cases.animated_gif(),
    "webp": cases.webp(),
    "html": cases.html_page(),
}


def reduce_files(
    write_stage, tmp_path: Path, mode: str = "RGB", background: str = "#00ff00", workers: int = 1
):
    raw, ids = write_stage({"logo": FILES})
    out = tmp_path / f"reduced-{mode}"
    rows = run_reduce(
        InOut(raw, out), params=ReduceParams(mode=mode, background=background, workers=workers)
    )
    by_name = {name: next(r for r in rows if r.id == i) for name, i in ids.items()}
    return out, by_name


def close(actual: np.ndarray, expected: tuple[int, ...], tol: int = 6) -> bool:
    return bool(np.all(np.abs(actual.astype(int) - np.array(expected)) <= tol))


def test_every_odd_input_comes_out_as_the_picture_it_shows(write_stage, tmp_path):
    out, rows = reduce_files(write_stage, tmp_path)
    assert {r.mode for n, r in rows.items() if n != "html"} == {"RGB"}
    px = {name: pixels(out, row) for name, row in rows.items() if row.status == KEPT}
    for name in ("cmyk_adobe", "cmyk_plain"):  # plain CMYK is not read as inverted
        assert close(px[name][32, 8], RED) and close(px[name][32, 56], (255, 255, 255)), name
    assert close(px["icc"][32, 8], GREEN, tol=2) and close(px["icc"][32, 56], (0, 0, 0))
    assert close(px["png16"][0, 0], (255,) * 3, 0) and close(px["png16"][0, 63], (128,) * 3, 0)
    assert close(px["palette"][0, 0], GREEN, 0) and close(px["palette"][32, 32], RED, 0)
    assert close(px["la"][0, 0], GREEN, 0) and close(px["la"][32, 32], (0, 0, 0), 0)
    assert px["rotated"].shape == (80, 40, 3)  # orientation 6 applied
    assert close(px["rotated"][10, 20], RED) and close(px["rotated"][70, 20], BLUE)
    assert close(px["gif"][32, 8], RED, 0)  # first frame
    assert px["webp"].shape == (64, 96, 3)


def test_grey_output_and_ids_are_kept(write_stage, tmp_path):
    out, rows = reduce_files(write_stage, tmp_path, mode="L")
    la, png16 = pixels(out, rows["la"]), pixels(out, rows["png16"])
    assert la.ndim == 2 and la[0, 0] == 150 and la[32, 32] == 0  # green's luma behind alpha
    assert png16[0, 0] == 255 and png16[0, 63] == 128  # scaled, not clipped
    assert all(r.path == f"images/logo/{r.id}.png" for r in rows.values() if r.status == KEPT)


def test_undecodable_input_is_rejected_not_fatal(write_stage, tmp_path):
    _, rows = reduce_files(write_stage, tmp_path)
    assert rows["html"].status == REJECTED
    assert rows["html"].reason == "not-an-image:html page"


@pytest.mark.parametrize("workers", [1, 2])
def test_rerun_is_byte_identical(write_stage, tmp_path, workers):
    out, _ = reduce_files(write_stage, tmp_path)
    first = {p: p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    reduce_files(write_stage, tmp_path, workers=workers)
    assert {p: p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()} == first


def test_png_already_in_mode_is_passed_through_not_rewritten(write_stage, tmp_path):
    """Fashion-MNIST's grey PNGs need no work: the row points at the input file, no copy."""
    grey = cases.encode(Image.new("L", (28, 28), 90), "PNG")
    raw, ids = write_stage({"shirt": {"grey": grey, "jpeg": cases.jpeg()}}, ext="png")
    rows = {
        r.id: r
        for r in run_reduce(InOut(raw, tmp_path / "rgb"), params=ReduceParams(mode="L", workers=1))
    }
    assert rows[ids["grey"]].path == f"../raw/images/shirt/{ids['grey']}.png"
    assert (tmp_path / "rgb" / rows[ids["grey"]].path).read_bytes() == grey
    assert rows[ids["jpeg"]].path == f"images/shirt/{ids['jpeg']}.png"  # converted: written
    assert sorted(p.name for p in (tmp_path / "rgb").rglob("*.png")) == [f"{ids['jpeg']}.png"]
