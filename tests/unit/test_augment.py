"""augment: the seed's codes parse strictly, act as documented, and rerun byte-identically."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ganpipe.augment import _apply
from ganpipe.chains import ChainError, parse_chain
from ganpipe.manifest import (
    Row,
    content_id,
    image_relpath,
    read_manifest,
    sha256_bytes,
    write_manifest,
)
from ganpipe.params import AugmentParams, ParamsError, build
from ganpipe.stagekit import InOut
from ganpipe.stages.augment import run_augment

RED, BLUE = (255, 0, 0), (0, 0, 255)


def quadrant() -> np.ndarray:
    """64x64 black with a red top-left quadrant."""
    image = np.zeros((64, 64, 3), dtype=np.uint8)
    image[:32, :32] = RED
    return image


def run(chain: str, image: np.ndarray | None = None, fill: object = BLUE, seed: int = 1):
    return _apply(quadrant() if image is None else image, parse_chain(chain), fill, seed)


@pytest.mark.parametrize(
    "chain",
    [
        "fliph",
        "flipv",
        "noise_0.01",
        "rot_-45",
        "trans_20_10",
        "zoom_0_0_20_20",
        "zoom_-10_-20_10_10",
        "blur_1.5",
        "rot_-15:15 noise_0:0.05",
        "trans_-4:4_0 zoom_0.9:1.1",
    ],
)
def test_seed_codes_and_ranges_parse(chain):
    assert len(parse_chain(chain)) == len(chain.split())


@pytest.mark.parametrize(
    ("chain", "match"),
    [
        ("flop", "unknown code 'flop'"),
        ("rot", "rot takes 1 numbers, got 0"),
        ("rot_x", "'x' is not a number"),
        ("rot_15:-15", "lo <= hi"),
        ("noise_2", "std must be in 0-1"),
        ("trans_1.5_0", "whole pixels"),
        ("zoom_0_0_10", "zoom takes 1 or 4 numbers"),
        ("zoom_0_0_0:5_5", "zoom box takes fixed whole pixels"),
        ("zoom_10_0_5_5", "x1 < x2"),
        ("blur_0", "sigma must be > 0"),
        ("  ", "is empty"),
    ],
)
def test_bad_codes_raise_naming_the_code(chain, match):
    with pytest.raises(ChainError, match=match):
        parse_chain(chain)


def test_params_check_names_the_chain_key():
    with pytest.raises(ParamsError, match=r"augment\.chains\[1\]: augment code 'rot_q'"):
        build(AugmentParams, {"chains": ["fliph", "rot_q"]}, "augment")


def test_geometry_follows_the_documented_conventions():
    flipped, _ = run("fliph")
    assert (flipped[:32, 32:] == RED).all() and (flipped[:32, :32] == 0).all()
    rotated, _ = run("rot_90")  # counter-clockwise: top-left goes to bottom-left
    assert (rotated[40:60, 4:28] == RED).all()
    shifted, _ = run("trans_10_5")
    assert (shifted[:5] == BLUE).all() and (shifted[:, :10] == BLUE).all()
    assert (shifted[5:37, 10:42] == RED).all()
    zoomed, _ = run("zoom_0_0_32_32")  # the red quadrant fills the image
    assert (zoomed == RED).all()
    outside, _ = run("zoom_-64_0_64_64")  # the box's left half is background
    assert (outside[:, :30] == BLUE).all() and (outside[:30, 34:46] == RED).all()


def test_fill_is_the_background_not_black():
    rotated, _ = run("rot_45", np.full((64, 64, 3), 255, np.uint8), fill=BLUE)
    assert tuple(rotated[0, 0]) == BLUE


def test_noise_and_blur_strength():
    grey = np.full((64, 64), 128, dtype=np.uint8)
    noisy, _ = run("noise_0.1", grey, fill=0)
    assert noisy.ndim == 2 and 22 < noisy.std() < 29  # 0.1 of full scale = 25.5 levels
    board = (np.indices((64, 64)).sum(axis=0) % 2 * 255).astype(np.uint8)
    blurred, _ = run("blur_1.5", board, fill=0)
    assert blurred.std() < board.std() / 4


def test_ranges_are_drawn_per_seed_within_bounds_and_recorded_exactly():
    chain = "rot_-15:15 trans_-4:4_2 zoom_0.8:1.2"
    draws = [run(chain, seed=s)[1] for s in range(20)]
    assert len(set(draws)) == 20 and run(chain, seed=3)[1] == draws[3]
    for applied in draws:
        rot, trans, zoom = applied.split()
        assert -15 <= float(rot[4:]) <= 15 and -4 <= int(trans.split("_")[1]) <= 4
        assert trans.endswith("_2") and 0.8 <= float(zoom[5:]) <= 1.2
    replayed, _ = run(draws[5], seed=5)
    assert (replayed == run(chain, seed=5)[0]).all()


def write_resized(root: Path, mode: str = "RGB", count: int = 6) -> Path:
    stage, rows = root / "resized", []
    for k in range(count):
        rng = np.random.default_rng(k)
        shape = (64, 64, 3) if mode == "RGB" else (64, 64)
        buffer = io.BytesIO()
        Image.fromarray(rng.integers(0, 256, shape, dtype=np.uint8)).save(buffer, "PNG")
        data, label = buffer.getvalue(), f"c{k % 2}"
        image_id = content_id(data)
        rel = image_relpath(label, image_id, "png")
        (stage / rel).parent.mkdir(parents=True, exist_ok=True)
        (stage / rel).write_bytes(data)
        rows.append(Row(image_id, label, rel, sha256_bytes(data), 64, 64, mode, f"src{k}"))
    write_manifest(stage, rows)
    return stage


def snapshot(stage: Path) -> dict[str, bytes]:
    return {str(p.relative_to(stage)): p.read_bytes() for p in stage.rglob("*") if p.is_file()}


@pytest.mark.parametrize("mode", ["RGB", "L"])
def test_stage_keeps_originals_adds_copies_and_reruns_identically(tmp_path, mode):
    stage = write_resized(tmp_path, mode)
    params = AugmentParams(chains=["fliph", "rot_-20:20 noise_0.02"], copies=2, workers=2)
    rows = run_augment(InOut(stage, tmp_path / "aug"), params=params, background="#ffffff")
    assert len(rows) == 6 * (1 + 2 * 2) and {r.mode for r in rows} == {mode}
    sources = {r.id: r for r in read_manifest(stage)}
    originals = [r for r in rows if r.id in sources]
    assert len(originals) == 6 and all(
        (stage / sources[r.id].path).read_bytes() == (tmp_path / "aug" / r.path).read_bytes()
        for r in originals
    )
    with (tmp_path / "aug/applied.csv").open() as f:
        applied = list(csv.DictReader(f))
    assert len(applied) == 24 and {a["chain"] for a in applied} == set(params.chains)
    ids = {
        content_id(f"{a['source_id']}|{a['chain']}|{c}".encode()) for a in applied for c in (0, 1)
    }
    assert {a["id"] for a in applied} <= ids and {a["source_id"] for a in applied} == set(sources)
    before = snapshot(tmp_path / "aug")
    run_augment(
        InOut(stage, tmp_path / "aug"),
        params=AugmentParams(chains=params.chains, copies=2, workers=1),
        background="#ffffff",
    )
    assert snapshot(tmp_path / "aug") == before
    run_augment(
        InOut(stage, tmp_path / "aug"),
        params=AugmentParams(chains=params.chains, copies=2, seed=1, workers=1),
        background="#ffffff",
    )
    assert snapshot(tmp_path / "aug") != before


def test_no_chains_passes_originals_through_without_copies(tmp_path):
    stage = write_resized(tmp_path, count=2)
    rows = run_augment(
        InOut(stage, tmp_path / "aug"), params=AugmentParams(workers=1), background="#ffffff"
    )
    assert len(rows) == 2 and all(r.path.startswith(f"../{stage.name}/images/") for r in rows)
    assert sorted(snapshot(tmp_path / "aug")) == ["applied.csv", "manifest.csv"]


def test_copies_name_their_source_so_the_holdout_split_keeps_them_together(
    tiny_stage: Path, tmp_path: Path
) -> None:
    from ganpipe.data import load_image_set
    from ganpipe.params import AugmentParams

    run_augment(
        InOut(tiny_stage, tmp_path / "aug"),
        params=AugmentParams(chains=["fliph"], workers=1),
        background="#000000",
    )
    originals = load_image_set(tiny_stage).ids
    augmented = load_image_set(tmp_path / "aug").ids
    assert sorted(augmented) == sorted(originals * 2)
