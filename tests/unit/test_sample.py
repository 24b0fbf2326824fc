"""The sample stage and API: per-image seeding, per-class folders, pictures, manifest."""

from pathlib import Path

import pytest
import torch
from PIL import Image

from ganpipe.generate import generate_images
from ganpipe.manifest import read_manifest
from ganpipe.models import Generator
from ganpipe.params import SampleParams, TrainParams
from ganpipe.sample import LoadedGenerator, generate, load_generator, training_gif
from ganpipe.stages.sample import SamplePaths, run_sample
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
        SamplePaths(generator_path.parent, out, real=tiny_stage),
        params=SampleParams(per_class=5, grid_columns=4),
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
        run_sample(
            SamplePaths(generator_path.parent, tmp_path / name), params=SampleParams(per_class=3)
        )
    assert (tmp_path / "a/manifest.csv").read_bytes() == (tmp_path / "b/manifest.csv").read_bytes()
    assert (tmp_path / "a/grid.png").read_bytes() == (tmp_path / "b/grid.png").read_bytes()


def test_training_gif_without_grids_writes_nothing(tmp_path: Path) -> None:
    training_gif(tmp_path, tmp_path / "t.gif")
    assert not (tmp_path / "t.gif").exists()


def test_unconditional_samples_carry_the_training_label(tmp_path: Path) -> None:
    p = TrainParams(g_channels=16, z_dim=8, class_conditional=False)
    path = tmp_path / "generator.pt"
    export_generator(
        Generator(p, 28, 1, 0),
        {"params": p.__dict__, "classes": ["cat"], "size": 28, "channels": 1, "conditional": False},
        path,
    )
    rows = run_sample(SamplePaths(tmp_path, tmp_path / "s"), params=SampleParams(per_class=3))
    assert {r.label for r in rows} == {"cat"}


def todays_images(gen: LoadedGenerator, label: int, n: int, seed: int) -> torch.Tensor:
    """The images generate() gave before truncation existed: image i from its own seeded z."""
    z = torch.stack(
        [
            torch.randn(
                gen.model.z_dim,
                generator=torch.Generator().manual_seed(seed * 1_000_003 + label * 10_007 + i),
            )
            for i in range(n)
        ]
    )
    return generate_images(gen.model, z, torch.full((n,), label))


def test_truncation_off_gives_todays_images(generator_path: Path) -> None:
    gen = load_generator(generator_path)
    expected = todays_images(gen, 1, 6, seed=3)
    assert torch.equal(generate(gen, "low", 6, seed=3), expected)
    assert torch.equal(generate(gen, "low", 6, seed=3, truncation=0.0), expected)
    assert not torch.equal(generate(gen, "low", 6, seed=3, truncation=1.0), expected)


def test_truncation_off_leaves_the_sample_stage_byte_identical(
    generator_path: Path, tmp_path: Path
) -> None:
    """Default and explicit 0: the same files, and origins without a truncation tag (so the
    manifest, and the stage's DVC hash, are what they were); 1.0 changes both."""
    params = {
        "default": SampleParams(per_class=3),
        "off": SampleParams(per_class=3, truncation=0.0),
        "on": SampleParams(per_class=3, truncation=1.0),
    }
    for name, p in params.items():
        run_sample(SamplePaths(generator_path.parent, tmp_path / name), params=p)
    files = {
        name: {f.name: f.read_bytes() for f in (tmp_path / name).glob("*.*")} for name in params
    }
    assert files["default"] == files["off"] and files["on"] != files["off"]
    origins = {r.origin for r in read_manifest(tmp_path / "off")}
    assert origins == {f"generator.pt:seed0:{i}" for i in range(3)}
    assert {r.origin for r in read_manifest(tmp_path / "on")} == {
        f"generator.pt:seed0:truncation1.0:{i}" for i in range(3)
    }


class LinearGenerator(torch.nn.Module):
    """A generator whose images spread as its latents do (an untrained G's barely vary)."""

    z_dim = 16

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.fc = torch.nn.Linear(self.z_dim, 28 * 28)

    def forward(self, z: torch.Tensor, y: torch.Tensor | None) -> torch.Tensor:
        return torch.tanh(self.fc(z)).view(-1, 1, 28, 28)


def test_smaller_threshold_lowers_the_sample_spread() -> None:
    gen = LoadedGenerator(LinearGenerator(), ["bar"], 28, 1, True)
    thresholds = (0.0, 2.0, 1.0, 0.5, 0.2)
    spread = [
        float(generate(gen, "bar", 300, seed=0, truncation=t).float().std(dim=0).mean())
        for t in thresholds
    ]
    assert spread == sorted(spread, reverse=True) and spread[-1] < 0.3 * spread[0]
