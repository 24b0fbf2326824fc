"""The sample stage: per-class folders of generated images, the grid and the pictures."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch
from tqdm import tqdm

from ganpipe.data import load_image_set
from ganpipe.manifest import Row, encode_png, write_image, write_manifest
from ganpipe.params import SampleParams
from ganpipe.sample import (
    GENERATORS,
    generate,
    load_generator,
    real_vs_generated,
    save_grid,
    save_interpolations,
    training_gif,
)


@dataclass(frozen=True)
class SamplePaths:
    """The train stage's models, the output folder, and the real images for the side by side
    picture (none: no such picture)."""

    models: Path
    out: Path
    real: Path | None = None


def run_sample(paths: SamplePaths, *, params: SampleParams) -> list[Row]:
    """Per-class folders of ``sample.per_class`` images, a manifest, and the pictures.

    ``sample.checkpoint`` picks the EMA generator or the best snapshot's; ``sample.truncation``
    applies to every image drawn here; the training GIF is made of ``models_dir/train/grids``
    when training left them.
    """
    models_dir, out_dir, real_dir, p = paths.models, paths.out, paths.real, params
    generator_path = models_dir / GENERATORS[p.checkpoint]
    gen = load_generator(generator_path)
    # unconditional samples carry the training label, so evaluate can pair them with the reals
    labels = gen.classes if gen.conditional else gen.classes[:1]
    # off leaves the origin as it always was, so the manifest (and its DVC hash) is unchanged
    tag = f"{generator_path.name}:seed{p.seed}" + (
        f":truncation{p.truncation}" if p.truncation else ""
    )
    rows = []
    for label in tqdm(labels, desc="sample", unit="class"):
        images = generate(
            gen, label if gen.conditional else None, p.per_class, p.seed, p.truncation
        )
        rows += [_save_png(img, out_dir, label, f"{tag}:{i}") for i, img in enumerate(images)]
    write_manifest(out_dir, rows)
    save_grid(gen, out_dir / "grid.png", p.grid_columns, p.seed, p.truncation)
    save_interpolations(gen, out_dir, p.interpolation_steps, p.seed, p.truncation)
    if real_dir is not None:
        real = load_image_set(real_dir, gen.classes, per_class=p.grid_columns)
        real_vs_generated(gen, real, out_dir, p.grid_columns, p.seed, p.truncation)
    training_gif(models_dir / "train" / "grids", out_dir / "training.gif")
    return rows


def _save_png(array: torch.Tensor, out_dir: Path, label: str, origin: str) -> Row:
    """Write one generated image as PNG; the row follows the manifest data contract."""
    data = array.permute(1, 2, 0).numpy()
    gray = data.shape[2] == 1
    return write_image(
        out_dir,
        label,
        encode_png(data[:, :, 0] if gray else data),
        "png",
        origin,
        (data.shape[1], data.shape[0]),
        "L" if gray else "RGB",
    )
