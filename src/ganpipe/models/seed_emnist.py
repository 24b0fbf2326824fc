"""The E/F-MNIST seed's AC-GAN, layer for layer (../shared/seeds/acgan-e-f-mnist.md).

Kept exactly as the seed's Keras summary lists it (G 451,073 and D 101,195 parameters) so it
can serve as the baseline that ganpipe's defaults are measured against.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from ganpipe.models.heads import DOutput
from ganpipe.models.layers import init_weights

SLOPE, DROPOUT, WIDTH = 0.2, 0.4, 64


class SeedGenerator(nn.Module):
    """concat(one-hot(10), noise(90)) -> Dense 7*7*64 -> 2x ConvTranspose(64, 4, 2) -> Conv 7x7."""

    def __init__(self, z_dim: int, n_classes: int, channels: int = 1) -> None:
        super().__init__()
        self.z_dim, self.n_classes, self.size, self.channels = z_dim, n_classes, 28, channels
        act = [nn.LeakyReLU(SLOPE), nn.Dropout(DROPOUT)]
        self.fc = nn.Sequential(nn.Linear(z_dim + n_classes, WIDTH * 7 * 7), *act)
        self.convs = nn.Sequential(
            nn.ConvTranspose2d(WIDTH, WIDTH, 4, 2, 1),
            *act,
            nn.ConvTranspose2d(WIDTH, WIDTH, 4, 2, 1),
            nn.LeakyReLU(SLOPE),
            nn.Dropout(DROPOUT),
            nn.Conv2d(WIDTH, channels, 7, 1, 3),
            nn.Tanh(),
        )
        self.apply(init_weights)

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        assert y is not None, "the seed's generator is class-conditional"
        h = self.fc(torch.cat([F.one_hot(y, self.n_classes).to(z.dtype), z], dim=1))
        return self.convs(h.view(-1, WIDTH, 7, 7))


class SeedDiscriminator(nn.Module):
    """2x Conv(64, 4, 2) with LeakyReLU and dropout 0.4, then Dense(1) and Dense(classes)."""

    def __init__(self, n_classes: int, channels: int = 1) -> None:
        super().__init__()
        self.n_classes = n_classes
        self.trunk = nn.Sequential(
            nn.Conv2d(channels, WIDTH, 4, 2, 1),
            nn.LeakyReLU(SLOPE),
            nn.Dropout(DROPOUT),
            nn.Conv2d(WIDTH, WIDTH, 4, 2, 1),
            nn.LeakyReLU(SLOPE),
            nn.Dropout(DROPOUT),
            nn.Flatten(),
        )
        self.adv_head = nn.Linear(WIDTH * 7 * 7, 1)
        self.class_head = nn.Linear(WIDTH * 7 * 7, n_classes)
        self.apply(init_weights)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> DOutput:
        """``y`` is not read: the seed's D has AC-GAN heads."""
        h = self.trunk(x)
        return DOutput(self.adv_head(h).squeeze(1), self.class_head(h), h)
