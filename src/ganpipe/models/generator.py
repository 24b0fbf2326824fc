"""G(z, y) -> image in [-1, 1]: a linear layer to a small square, then doubling blocks."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from ganpipe.models.layers import ConditionalBatchNorm2d, halvings, init_weights
from ganpipe.params import TrainParams


class UpBlock(nn.Module):
    """Double the resolution (transposed conv, or nearest + conv against checkerboards)."""

    def __init__(self, c_in: int, c_out: int, p: TrainParams, n_classes: int) -> None:
        super().__init__()
        if p.upsample == "transpose":
            self.conv: nn.Module = nn.ConvTranspose2d(c_in, c_out, 4, 2, 1, bias=not p.g_batchnorm)
        else:
            self.conv = nn.Sequential(nn.Upsample(scale_factor=2, mode="nearest"),
                                      nn.Conv2d(c_in, c_out, 3, 1, 1, bias=not p.g_batchnorm))
        self.cbn = p.g_batchnorm and p.conditioning == "cbn" and n_classes > 0
        if self.cbn:
            self.norm: nn.Module = ConditionalBatchNorm2d(c_out, n_classes)
        else:
            self.norm = nn.BatchNorm2d(c_out) if p.g_batchnorm else nn.Identity()

    def forward(self, x: torch.Tensor, y: torch.Tensor | None) -> torch.Tensor:
        x = self.conv(x)
        x = self.norm(x, y) if self.cbn else self.norm(x)
        return F.relu(x)


class Generator(nn.Module):
    """Class-conditional (n_classes > 0) or unconditional (n_classes == 0) DCGAN-style G."""

    def __init__(self, p: TrainParams, size: int, channels: int, n_classes: int) -> None:
        super().__init__()
        self.size, self.channels, self.n_classes, self.z_dim = size, channels, n_classes, p.z_dim
        self.conditioning = p.conditioning if n_classes else "none"
        self.base, n_up = halvings(size)
        widths = [max(p.g_channels // 2**i, 16) for i in range(n_up + 1)]
        z_in = p.z_dim + (n_classes if self.conditioning == "onehot-concat" else 0)
        if self.conditioning == "embed-mul":
            self.embed = nn.Embedding(n_classes, p.z_dim)
        self.fc = nn.Linear(z_in, widths[0] * self.base**2, bias=not p.g_batchnorm)
        self.fc_norm = nn.BatchNorm1d(widths[0] * self.base**2) if p.g_batchnorm else nn.Identity()
        self.blocks = nn.ModuleList(
            UpBlock(widths[i], widths[i + 1], p, n_classes if self.conditioning == "cbn" else 0)
            for i in range(n_up)
        )
        self.to_image = nn.Conv2d(widths[-1], channels, 3, 1, 1)
        self.apply(init_weights)

    def _condition(self, z: torch.Tensor, y: torch.Tensor | None) -> torch.Tensor:
        if self.conditioning == "embed-mul":
            return z * self.embed(y)
        if self.conditioning == "onehot-concat":
            return torch.cat([z, F.one_hot(y, self.n_classes).to(z.dtype)], dim=1)
        return z

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """``y`` (class labels) is ignored by an unconditional G."""
        x = F.relu(self.fc_norm(self.fc(self._condition(z, y))))
        # Read the fc output as NHWC: a channels_last tensor with no copy, the layout the
        # convolutions run in on the CPU and CUDA (an NCHW view cost a conversion per block).
        x = x.view(z.shape[0], self.base, self.base, -1).permute(0, 3, 1, 2)
        for block in self.blocks:
            x = block(x, y)
        return torch.tanh(self.to_image(x))
