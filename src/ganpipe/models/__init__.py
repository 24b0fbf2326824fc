"""Generator and discriminator construction from the ``train`` params."""

from __future__ import annotations

import dataclasses

from ganpipe.models.discriminator import Discriminator
from ganpipe.models.generator import Generator
from ganpipe.params import TrainParams

# The E/F-MNIST seed's networks (acgan-e-f-mnist.md): one-hot-concatenated input, 64-channel
# transposed convolutions, dropout 0.4 in both nets, LeakyReLU, no BatchNorm, one-sided smoothing.
PRESETS: dict[str, dict[str, object]] = {
    "seed-emnist": {"conditioning": "onehot-concat", "g_channels": 64, "d_channels": 64,
                    "upsample": "transpose", "g_batchnorm": False, "d_dropout": 0.4,
                    "label_smoothing": 0.9, "z_dim": 90},
}


def resolve_preset(p: TrainParams) -> TrainParams:
    """The params with a named architecture preset's values applied on top."""
    return dataclasses.replace(p, **PRESETS[p.preset]) if p.preset else p


def build_models(p: TrainParams, size: int, channels: int, n_classes: int
                 ) -> tuple[Generator, Discriminator]:
    """A matching G and D; ``mode: dcgan`` drops the labels entirely."""
    k = n_classes if p.mode == "acgan" else 0
    return Generator(p, size, channels, k), Discriminator(p, size, channels, k)


__all__ = ["PRESETS", "Discriminator", "Generator", "build_models", "resolve_preset"]
