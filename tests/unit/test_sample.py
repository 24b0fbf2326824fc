"""The sample stage and API: per-image seeding, per-class folders, pictures, manifest."""

from pathlib import Path

import pytest
import torch
from PIL import Image

from ganpipe.manifest import read_manifest
from ganpipe.models import Generator
from ganpipe.params import SampleParams, TrainParams
from ganpipe.sample import generate, load_generator, training_gif
from ganpipe.stages.sample import run_sample
from ganpipe.train.snapshot import export_generator


@pytest.fixture()
def generator_path(tmp_path: Path) -> Path:
    p = TrainParams(g_channels=16, z_dim=8)
    path = tmp_path / "generator.pt"
    meta = {
        "params": p.__dict__,
        "classes": ["bar", "low"],
        "size": 28,
        "channels": 1,
        "conditional": True,
    }
    export_generator(Generator(p, 28, 1, 2), meta, path)
    return path


def test_image_i_does_not_depend_on_n(generator_path: Path) -> None:
    gen = load_generator(generator_path)
    assert torch.equal(generate(gen, "low", 3, seed=7), generate(gen, "low", 9, seed=7)[:3])
    assert not torch.equal(generate(gen, "low", 3, seed=7), generate(gen, "bar", 3, seed=7))


def test_run_sample_writes_folders_manifest_and_pictures(
    generator_path: Path, tmp_path: Path, tiny_stage: Path
) -> None:
    grids = tmp_path / "train" / "grids"
    grids.mkdir(parents=True)
    for k in range(3):
        Image.new("L", (20, 20), 40 * k).save(grids / f"kimg{k:08.1f}.png")
    out = tmp_path / "samples"
    rows = run_sample(
        generator_path.parent, out, SampleParams(per_class=5, grid_columns=4), tiny_stage
    )
    assert len(rows) == 10 and read_manifest(out) == sorted(rows, key=lambda r: (r.label, r.id))
    assert sorted(p.name for p in (out / "images").iterdir()) == ["bar", "low"]
    assert Image.open(out / "grid.png").size == (4 * 30 + 2, 2 * 30 + 2)
    assert (out / "real_vs_generated" / "bar.png").exists()
    assert Image.open(out / "across_classes_fixed_z.png").size == (2 * 30 + 2, 32)
    assert Image.open(out / "interpolation_within_class.png").size == (8 * 30 + 2, 2 * 30 + 2)
    assert Image.open(out / "training.gif").n_frames == 3


def test_rerun_is_byte_identical(generator_path: Path, tmp_path: Path) -> None:
    for name in ("a", "b"):
        run_sample(generator_path.parent, tmp_path / name, SampleParams(per_class=3))
    assert (tmp_path / "a/manifest.csv").read_bytes() == (tmp_path / "b/manifest.csv").read_bytes()
    assert (tmp_path / "a/grid.png").read_bytes() == (tmp_path / "b/grid.png").read_bytes()


def test_training_gif_without_grids_writes_nothing(tmp_path: Path) -> None:
    training_gif(tmp_path, tmp_path / "t.gif")
    assert not (tmp_path / "t.gif").exists()


def test_unconditional_samples_carry_the_training_label(tmp_path: Path) -> None:
    p = TrainParams(g_channels=16, z_dim=8, mode="dcgan")
    path = tmp_path / "generator.pt"
    export_generator(
        Generator(p, 28, 1, 0),
        {"params": p.__dict__, "classes": ["cat"], "size": 28, "channels": 1, "conditional": False},
        path,
    )
    rows = run_sample(tmp_path, tmp_path / "s", SampleParams(per_class=3))
    assert {r.label for r in rows} == {"cat"}
