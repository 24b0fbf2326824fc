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

# Training settings an architecture brings with it (the seed's layers are in seed_emnist.py).
ARCH_SETTINGS: dict[str, dict[str, object]] = {
    "seed-emnist": {"z_dim": 90, "label_smoothing": 0.9, "conditioning": "onehot-concat"},
}


def with_arch_settings(p: TrainParams) -> TrainParams:
    """The params with ``train.arch``'s own training settings applied on top."""
    settings = ARCH_SETTINGS.get(p.arch)
    return dataclasses.replace(p, **settings) if settings else p


def build_models(
    p: TrainParams, size: int, channels: int, n_classes: int
) -> tuple[nn.Module, nn.Module]:
    """A matching G and D of ``train.arch``; ``class_conditional: false`` drops the labels."""
    k = n_classes if p.class_conditional else 0
    if p.arch == "seed-emnist":
        if size != 28 or not k:
            raise UserError(
                "train.arch 'seed-emnist' is the seed's 28x28 AC-GAN: it needs "
                "resize.image_size 28 and train.class_conditional true"
            )
        return SeedGenerator(p.z_dim, k, channels), SeedDiscriminator(k, channels)
    if p.arch == "resnet":
        return ResNetGenerator(p, size, channels, k), ResNetDiscriminator(p, size, channels, k)
    return Generator(p, size, channels, k), Discriminator(p, size, channels, k)


__all__ = [
    "ARCH_SETTINGS",
    "DOutput",
    "Discriminator",
    "Generator",
    "ResNetDiscriminator",
    "ResNetGenerator",
    "build_models",
    "with_arch_settings",
]
