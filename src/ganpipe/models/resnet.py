"""Residual G and D in the SNGAN / BigGAN style (Miyato et al. 2018, Brock et al. 2019).

G: z -> linear -> base square (4x4, or 7x7 at 28 px) -> up-blocks -> BN, ReLU, conv, tanh.
D: an "optimized" first down-block, down-blocks to the base square, one block at the base, ReLU,
global sum pooling, then :mod:`heads`. Widths follow ``g_channels`` (G's widest, halving per
doubling) and ``d_channels`` (D's first, doubling per halving), as in the DCGAN stacks.

Both shortcuts run their 1x1 convolution at the lower resolution (before G's upsampling, after
D's pooling): both orders give the same result, and this one costs a quarter.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from ganpipe.models.discriminator import sn_wrap
from ganpipe.models.heads import DOutput, HeadedDiscriminator, Wrap
from ganpipe.models.layers import ConditionalGenerator, as_nhwc_map, g_norm, halvings
from ganpipe.params import TrainParams


def init_xavier(module: nn.Module) -> None:
    """Xavier-uniform weights and zero biases, as SNGAN initialises its residual networks (the
    DCGAN N(0, 0.02) makes a deep residual stack start almost silent)."""
    if isinstance(module, nn.Conv2d | nn.Linear):
        nn.init.xavier_uniform_(module.weight)
        if module.bias is not None:
            nn.init.zeros_(module.bias)


def _up(x: torch.Tensor) -> torch.Tensor:
    return F.interpolate(x, scale_factor=2.0, mode="nearest")


SHARED_DIM = 128  # BigGAN's shared class embedding size


class ResUpBlock(nn.Module):
    """x -> norm, ReLU, 2x nearest, conv3x3, norm, ReLU, conv3x3; plus 2x(conv1x1(x)).
    The norms are conditional (on the shared class embedding) when ``conditional``."""

    def __init__(self, c_in: int, c_out: int, conditional: bool, batchnorm: bool) -> None:
        super().__init__()
        k, dim = (1, SHARED_DIM) if conditional else (0, 0)
        self.norm1 = g_norm(c_in, k, batchnorm, dim)
        self.conv1 = nn.Conv2d(c_in, c_out, 3, 1, 1, bias=not batchnorm)
        self.norm2 = g_norm(c_out, k, batchnorm, dim)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, 1, 1)
        self.shortcut = nn.Conv2d(c_in, c_out, 1)

    def forward(self, x: torch.Tensor, e: torch.Tensor | None) -> torch.Tensor:
        h = self.conv1(_up(F.relu(self.norm1(x, e))))
        h = self.conv2(F.relu(self.norm2(h, e)))
        return h + _up(self.shortcut(x))


class ResNetGenerator(ConditionalGenerator):
    """Residual G; the class enters through BigGAN's conditional BatchNorm on a shared class
    embedding (``conditioning: cbn``) or through z (``embed-mul``, ``onehot-concat``);
    n_classes == 0 is unconditional."""

    def __init__(self, p: TrainParams, size: int, channels: int, n_classes: int) -> None:
        super().__init__(p.conditioning, p.z_dim, size, channels, n_classes)
        self.base, n_up = halvings(size)
        widths = [max(p.g_channels // 2**i, 16) for i in range(n_up + 1)]
        self.fc = nn.Linear(self.z_in, widths[0] * self.base**2)
        cbn = self.conditioning == "cbn" and p.g_batchnorm
        if cbn:
            self.class_embed = nn.Embedding(n_classes, SHARED_DIM)
        self.blocks = nn.ModuleList(
            ResUpBlock(widths[i], widths[i + 1], cbn, p.g_batchnorm) for i in range(n_up)
        )
        self.out_norm = g_norm(widths[-1], 0, p.g_batchnorm)
        self.to_image = nn.Conv2d(widths[-1], channels, 3, 1, 1)
        self.apply(init_xavier)
        if cbn:  # unit-scale rows: the norms' scales start within ~15% of 1
            nn.init.xavier_uniform_(self.class_embed.weight)

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """``y`` (class labels) is ignored by an unconditional G."""
        x = as_nhwc_map(self.fc(self.condition(z, y)), self.base)
        e = self.class_embed(y) if hasattr(self, "class_embed") else None
        for block in self.blocks:
            x = block(x, e)
        return torch.tanh(self.to_image(F.relu(self.out_norm(x, None))))


class ResDownBlock(nn.Module):
    """x -> ReLU, conv3x3, ReLU, conv3x3, 2x2 average pool; plus conv1x1(pool(x)).

    ``first``: SNGAN's "optimized" block on the image itself, with no ReLU in front (an image
    has negative values that carry information). ``down=False``: no pooling, and an identity
    shortcut when the width stays.
    """

    def __init__(self, c_in: int, c_out: int, sn: Wrap, down: bool, first: bool = False):
        super().__init__()
        self.down, self.first = down, first
        self.conv1 = sn(nn.Conv2d(c_in, c_out, 3, 1, 1))
        self.conv2 = sn(nn.Conv2d(c_out, c_out, 3, 1, 1))
        learned = c_in != c_out or down
        self.shortcut = sn(nn.Conv2d(c_in, c_out, 1)) if learned else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.conv1(x if self.first else F.relu(x))
        h = self.conv2(F.relu(h))
        if self.down:
            h, x = F.avg_pool2d(h, 2), F.avg_pool2d(x, 2)
        return h + self.shortcut(x)


class ResNetDiscriminator(HeadedDiscriminator):
    """Residual D with global sum pooling; spectral norm on every layer when
    ``d_spectral_norm`` is set (SNGAN)."""

    def __init__(self, p: TrainParams, size: int, channels: int, n_classes: int) -> None:
        super().__init__()
        self.n_classes = n_classes
        _, n_down = halvings(size)
        widths = [min(p.d_channels * 2**i, 512) for i in range(n_down)]
        sn = sn_wrap(p)
        blocks = [ResDownBlock(channels, widths[0], sn, down=True, first=True)]
        blocks += [ResDownBlock(a, b, sn, down=True) for a, b in zip(widths, widths[1:])]
        blocks.append(ResDownBlock(widths[-1], widths[-1], sn, down=False))
        self.blocks = nn.Sequential(*blocks)
        self.build_heads(widths[-1], n_classes, p.d_head, sn, p.d_embed_dim)
        self.apply(init_xavier)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> DOutput:
        """``y`` (class labels) is read by the projection and ReACGAN heads only."""
        h = F.relu(self.blocks(x)).sum(dim=(2, 3))
        return self.heads(h, y)
