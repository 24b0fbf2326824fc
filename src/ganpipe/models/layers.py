"""Building blocks shared by the generator and the discriminator."""

from __future__ import annotations

import torch
from torch import nn


def init_weights(module: nn.Module) -> None:
    """DCGAN initialisation: N(0, 0.02) for convolutions and linears, N(1, 0.02) for norms."""
    if isinstance(module, nn.Conv2d | nn.ConvTranspose2d | nn.Linear):
        nn.init.normal_(module.weight, 0.0, 0.02)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, nn.BatchNorm2d | nn.BatchNorm1d) and module.affine:
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


def halvings(size: int) -> tuple[int, int]:
    """(base, n): ``size == base * 2**n`` with the smallest base in 3..7 and n >= 2."""
    base, n = size, 0
    while base % 2 == 0 and base > 7:
        base, n = base // 2, n + 1
    if n < 2 or not 3 <= base <= 7:
        raise ValueError(
            f"image size {size} is not supported: use 28, 32, 48, 64, 96, 128, 192 or 256 "
            "(a base of 3 to 7 pixels doubled at least twice)"
        )
    return base, n


class ConditionalBatchNorm2d(nn.Module):
    """BatchNorm whose scale and shift are learned per class (Miyato & Koyama 2018)."""

    def __init__(self, channels: int, n_classes: int) -> None:
        super().__init__()
        self.norm = nn.BatchNorm2d(channels, affine=False)
        self.gamma = nn.Embedding(n_classes, channels)
        self.beta = nn.Embedding(n_classes, channels)
        nn.init.ones_(self.gamma.weight)
        nn.init.zeros_(self.beta.weight)

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        out = self.norm(x)
        return out * self.gamma(y)[:, :, None, None] + self.beta(y)[:, :, None, None]
