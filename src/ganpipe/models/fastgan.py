"""FastGAN's generator blocks (Liu et al. 2021, "Towards Faster and Stabilized GAN Training for
High-fidelity Few-shot Image Synthesis"), for the DCGAN-style G of :mod:`generator`.

- Skip-layer excitation (``train.g_skip_excite``): a low-resolution feature map, pooled to 4x4,
  becomes one sigmoid gate per channel of a map three doublings higher. The gate is a function
  of the whole image's coarse layout and of z, so it sets global properties of the fine layers
  (tone, colour, texture) in one step, where plain convolutions pass them up one doubling at
  a time; it costs a 4x4 convolution on 4x4 maps and a channel-wise multiply.
- Gated linear units (``train.g_glu``): each up-block's convolution makes twice the channels and
  half of them gate the other half through a sigmoid (``F.glu``), in place of the ReLU.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

EXCITE_SPAN = 3  # doublings between the map that gates and the map it gates (64 px: 4->32, 8->64)


class SkipExcitation(nn.Module):
    """Channel gates for a high-resolution map from a low-resolution one: pool to 4x4, a 4x4
    convolution to 1x1, SiLU (FastGAN's Swish), a 1x1 convolution, sigmoid."""

    def __init__(self, c_low: int, c_high: int) -> None:
        super().__init__()
        self.gate = nn.Sequential(
            nn.AdaptiveAvgPool2d(4),
            nn.Conv2d(c_low, c_high, 4, 1, 0, bias=False),
            nn.SiLU(),
            nn.Conv2d(c_high, c_high, 1, 1, 0, bias=False),
            nn.Sigmoid(),
        )

    def forward(self, low: torch.Tensor, high: torch.Tensor) -> torch.Tensor:
        return high * self.gate(low)


def excitation_sources(n_maps: int) -> dict[int, int]:
    """Which map gates which: {gated index: gating index} over G's maps 0 (the base square)
    to ``n_maps - 1`` (the last up-block's), each gated by the one ``EXCITE_SPAN`` lower."""
    return {k: k - EXCITE_SPAN for k in range(EXCITE_SPAN, n_maps)}


def glu(x: torch.Tensor) -> torch.Tensor:
    """The first half of the channels gated by the sigmoid of the second half."""
    return F.glu(x, dim=1)
