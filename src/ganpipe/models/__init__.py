"""Generator and discriminator construction from the ``train`` params."""

from __future__ import annotations

import dataclasses

from torch import nn

from ganpipe.errors import UserError
from ganpipe.models.discriminator import Discriminator
from ganpipe.models.generator import Generator
from ganpipe.models.heads import DOutput
from ganpipe.models.resnet import ResNetDiscriminator, ResNetGenerator
from ganpipe.models.seed_emnist import SeedDiscriminator, SeedGenerator
from ganpipe.params import TrainParams

# Training settings of the named presets (the architecture itself is in seed_emnist.py).
PRESETS: dict[str, dict[str, object]] = {
    "seed-emnist": {"z_dim": 90, "label_smoothing": 0.9, "conditioning": "onehot-concat"},
}


def resolve_preset(p: TrainParams) -> TrainParams:
    """The params with a named preset's values applied on top."""
    return dataclasses.replace(p, **PRESETS[p.preset]) if p.preset else p


def build_models(
    p: TrainParams, size: int, channels: int, n_classes: int
) -> tuple[nn.Module, nn.Module]:
    """A matching G and D of ``train.arch``; ``mode: dcgan`` drops the labels entirely."""
    k = n_classes if p.mode == "acgan" else 0
    if p.preset == "seed-emnist":
        if size != 28 or not k:
            raise UserError(
                "train.preset 'seed-emnist' is the seed's 28x28 AC-GAN: it needs "
                "resize.image_size 28 and train.mode acgan"
            )
        return SeedGenerator(p.z_dim, k, channels), SeedDiscriminator(k, channels)
    if p.arch == "resnet":
        return ResNetGenerator(p, size, channels, k), ResNetDiscriminator(p, size, channels, k)
    return Generator(p, size, channels, k), Discriminator(p, size, channels, k)


__all__ = [
    "PRESETS",
    "DOutput",
    "Discriminator",
    "Generator",
    "ResNetDiscriminator",
    "ResNetGenerator",
    "build_models",
    "resolve_preset",
]
