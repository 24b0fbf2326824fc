"""Sampling from a trained generator: the Python API the sample stage and ``ganpipe`` use."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import torch
from PIL import Image

from ganpipe.data import ImageSet
from ganpipe.errors import UserError
from ganpipe.generate import generate_images, grid_image, truncate
from ganpipe.modelfile import IMAGE_HEADER, describe_image_model, load_weights, read_model_file
from ganpipe.models import build_models
from ganpipe.params import ParamsError, TrainParams, build, from_record

GENERATOR_FILE = "a generator exported by ganpipe's train stage (models/generator.pt)"
GENERATOR_HEADER = {**IMAGE_HEADER, "params": dict, "conditional": bool}

GENERATORS = {"ema": "generator.pt", "best": "generator_best.pt"}  # by sample.checkpoint


@dataclasses.dataclass
class LoadedGenerator:
    """A generator in eval mode with the class names and sizes it was trained with."""

    model: torch.nn.Module
    classes: list[str]
    size: int
    channels: int
    conditional: bool

    def class_index(self, name_or_index: str | int) -> int:
        if isinstance(name_or_index, int) or (
            str(name_or_index).isdigit() and str(name_or_index) not in self.classes
        ):
            index = int(name_or_index)
            if not 0 <= index < len(self.classes):
                raise UserError(f"class index {index} out of range 0..{len(self.classes) - 1}")
            return index
        if name_or_index not in self.classes:
            raise UserError(f"unknown class {name_or_index!r}; classes: {', '.join(self.classes)}")
        return self.classes.index(str(name_or_index))


def load_generator(path: str | Path) -> LoadedGenerator:
    """Rebuild a generator exported by the train stage (``models/generator.pt``); any other
    file is a one-line UserError saying what it is and what was expected."""
    state = read_model_file(path, GENERATOR_FILE, GENERATOR_HEADER)[0]
    kind = "a generator" if state["conditional"] else "an unconditional generator"
    described = describe_image_model(state, path, kind)
    n_classes = len(state["classes"]) if state["conditional"] else 0
    try:
        p = build(TrainParams, from_record(state["params"]), "train")
        model = build_models(p, state["size"], state["channels"], n_classes)[0]
    except (ParamsError, UserError) as err:
        raise UserError(f"{path}: not a generator ganpipe can build: {err}") from None
    load_weights(model, state["state_dict"], path, described)
    return LoadedGenerator(
        model.eval(), state["classes"], state["size"], state["channels"], state["conditional"]
    )


def latents(z_dim: int, seed: int, label: int, n: int, truncation: float = 0.0) -> torch.Tensor:
    """z for images 0..n-1 of a class: image i's z depends only on (seed, class, i) and the
    truncation threshold (0: none), whose redraws continue image i's own random stream."""
    out = []
    for i in range(n):
        g = torch.Generator().manual_seed(seed * 1_000_003 + label * 10_007 + i)
        out.append(truncate(torch.randn(z_dim, generator=g), truncation, g))
    return torch.stack(out)


def generate(
    gen: LoadedGenerator,
    class_name: str | int | None,
    n: int,
    seed: int = 0,
    truncation: float = 0.0,
) -> torch.Tensor:
    """n uint8 images (N, C, H, W) of one class (ignored when unconditional)."""
    label = gen.class_index(class_name) if gen.conditional and class_name is not None else 0
    z = latents(gen.model.z_dim, seed, label, n, truncation)
    y = torch.full((n,), label, dtype=torch.int64) if gen.conditional else None
    return generate_images(gen.model, z, y)


def save_grid(
    gen: LoadedGenerator, path: Path, columns: int = 10, seed: int = 0, truncation: float = 0.0
) -> Image.Image:
    """One row per class, ``columns`` images each (10 rows when unconditional)."""
    rows = [
        generate(gen, c, columns, seed, truncation)
        for c in (range(len(gen.classes)) if gen.conditional else [None] * 10)
    ]
    image = grid_image(torch.cat(rows), len(rows))
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path)
    return image


@torch.no_grad()
def interpolate(
    gen: LoadedGenerator, z_from: torch.Tensor, z_to: torch.Tensor, labels: list[int], steps: int
) -> torch.Tensor:
    """Spherical interpolation from z_from to z_to, one row per label: (rows*steps, C, H, W)."""
    t = torch.linspace(0, 1, steps)[:, None]
    a, b = z_from / z_from.norm(), z_to / z_to.norm()
    omega = torch.arccos((a * b).sum().clamp(-1 + 1e-7, 1 - 1e-7))
    path = (torch.sin((1 - t) * omega) * z_from + torch.sin(t * omega) * z_to) / torch.sin(omega)
    z = path.repeat(len(labels), 1)
    y = torch.tensor(labels).repeat_interleave(steps) if gen.conditional else None
    return generate_images(gen.model, z, y)


def save_interpolations(
    gen: LoadedGenerator, out_dir: Path, steps: int, seed: int, truncation: float = 0.0
) -> None:
    """Within each class (z_a -> z_b), and across classes at a fixed z (class morph)."""
    n_classes = len(gen.classes) if gen.conditional else 1
    z_a, z_b = latents(gen.model.z_dim, seed, 0, 2, truncation)
    within = interpolate(gen, z_a, z_b, list(range(n_classes)), steps)
    grid_image(within, n_classes).save(out_dir / "interpolation_within_class.png")
    if gen.conditional and n_classes > 1:
        with torch.no_grad():
            y = torch.arange(n_classes)
            morph = generate_images(gen.model, z_a.repeat(n_classes, 1), y)
        grid_image(morph, 1).save(out_dir / "across_classes_fixed_z.png")


def real_vs_generated(
    gen: LoadedGenerator,
    real: ImageSet,
    out_dir: Path,
    columns: int,
    seed: int,
    truncation: float = 0.0,
) -> None:
    """Per class, a sheet: top row real images, bottom row generated ones."""
    sheets = out_dir / "real_vs_generated"
    sheets.mkdir(parents=True, exist_ok=True)
    for index, name in enumerate(gen.classes if gen.conditional else gen.classes[:1]):
        mine = (
            real.images[real.labels == index][:columns]
            if gen.conditional
            else real.images[:columns]
        )
        fake = generate(gen, index if gen.conditional else None, columns, seed, truncation)
        if len(mine):
            grid_image(torch.cat([mine, fake[: len(mine)]]), 2).save(sheets / f"{name}.png")


def training_gif(grids_dir: Path, path: Path, frame_ms: int = 400) -> None:
    """The snapshot grids, in training order, as an animated GIF (last frame held longer)."""
    frames = [Image.open(f).convert("P") for f in sorted(grids_dir.glob("kimg*.png"))]
    if frames:
        durations = [frame_ms] * (len(frames) - 1) + [frame_ms * 5]
        frames[0].save(path, save_all=True, append_images=frames[1:], duration=durations, loop=0)


def model_summary(gen: LoadedGenerator) -> str:
    """Classes, image shape, parameter count and layers: what a user needs to trust a file."""
    n_params = sum(p.numel() for p in gen.model.parameters())
    kind = f"AC-GAN, {len(gen.classes)} classes" if gen.conditional else "unconditional DCGAN"
    lines = [
        f"generator: {kind}; {gen.size}x{gen.size}x{gen.channels}; "
        f"z_dim {gen.model.z_dim}; {n_params:,} parameters",
        f"classes: {', '.join(gen.classes)}",
        str(gen.model),
    ]
    return "\n".join(lines)
