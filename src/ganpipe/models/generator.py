"""G(z, y) -> image in [-1, 1]: a linear layer to a small square, then doubling blocks."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from ganpipe.models.fastgan import SkipExcitation, excitation_sources, glu
from ganpipe.models.layers import (
    ConditionalGenerator,
    as_nhwc_map,
    g_norm,
    halvings,
    init_weights,
)
from ganpipe.params import TrainParams


class UpBlock(nn.Module):
    """Double the resolution: transposed conv, or nearest/bilinear + conv against checkerboards;
    then the norm and a ReLU, or (``train.g_glu``) twice the channels and a GLU."""

    def __init__(self, c_in: int, c_out: int, p: TrainParams, n_classes: int) -> None:
        super().__init__()
        self.act = glu if p.g_glu else F.relu
        c_conv = 2 * c_out if p.g_glu else c_out
        bias = not p.g_batchnorm
        if p.upsample == "transpose":
            self.conv: nn.Module = nn.ConvTranspose2d(c_in, c_conv, 4, 2, 1, bias=bias)
        else:
            self.conv = nn.Sequential(
                nn.Upsample(scale_factor=2, mode=p.upsample),
                nn.Conv2d(c_in, c_conv, 3, 1, 1, bias=bias),
            )
        self.norm = g_norm(c_conv, n_classes, p.g_batchnorm)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None) -> torch.Tensor:
        return self.act(self.norm(self.conv(x), y))


class Generator(ConditionalGenerator):
    """Class-conditional (n_classes > 0) or unconditional (n_classes == 0) DCGAN-style G."""

    def __init__(self, p: TrainParams, size: int, channels: int, n_classes: int) -> None:
        super().__init__(p.conditioning, p.z_dim, size, channels, n_classes)
        self.base, n_up = halvings(size)
        widths = [max(p.g_channels // 2**i, 16) for i in range(n_up + 1)]
        self.fc = nn.Linear(self.z_in, widths[0] * self.base**2, bias=not p.g_batchnorm)
        self.fc_norm = nn.BatchNorm1d(widths[0] * self.base**2) if p.g_batchnorm else nn.Identity()
        cbn_classes = n_classes if p.conditioning == "cbn" else 0
        self.blocks = nn.ModuleList(
            UpBlock(widths[i], widths[i + 1], p, cbn_classes) for i in range(n_up)
        )
        # FastGAN's skip-layer excitation: map k (0: the base square) gated by a lower one
        self.sources = excitation_sources(n_up + 1) if p.g_skip_excite else {}
        self.excite = nn.ModuleDict(
            {str(k): SkipExcitation(widths[j], widths[k]) for k, j in self.sources.items()}
        )
        self.to_image = nn.Conv2d(widths[-1], channels, 3, 1, 1)
        self.apply(init_weights)

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """``y`` (class labels) is ignored by an unconditional G."""
        x = as_nhwc_map(F.relu(self.fc_norm(self.fc(self.condition(z, y)))), self.base)
        maps = [x]
        for k, block in enumerate(self.blocks, start=1):
            x = block(x, y)
            if k in self.sources:
                x = self.excite[str(k)](maps[self.sources[k]], x)
            maps.append(x)
        return torch.tanh(self.to_image(x))
