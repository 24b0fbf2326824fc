"""Building blocks shared by the generator and the discriminator."""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

from ganpipe.errors import UserError


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
        raise UserError(
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


class BatchNorm2dY(nn.BatchNorm2d):
    """Plain BatchNorm called as ``norm(x, y)`` like :class:`ConditionalBatchNorm2d`."""

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        return super().forward(x)


class IdentityY(nn.Identity):
    """No normalisation, called as ``norm(x, y)``."""

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        return x


class SharedConditionalBatchNorm2d(nn.Module):
    """BigGAN's conditional BatchNorm (Brock et al. 2019): scale ``1 + W_g e`` and shift
    ``W_b e`` projected from the class's embedding ``e``, one embedding shared by all of G's
    norms. Unlike a scale and shift per class, every class's gradient trains the projections,
    and classes differ from the first step: at CPU budgets (a few thousand steps of Adam at
    2e-4) per-class scales starting at 1 barely move, and G ignores the label."""

    def __init__(self, channels: int, embed_dim: int) -> None:
        super().__init__()
        self.norm = nn.BatchNorm2d(channels, affine=False)
        self.gain = nn.Linear(embed_dim, channels, bias=False)
        self.bias = nn.Linear(embed_dim, channels, bias=False)

    def forward(self, x: torch.Tensor, e: torch.Tensor) -> torch.Tensor:
        scale, shift = 1 + self.gain(e), self.bias(e)
        return self.norm(x) * scale[:, :, None, None] + shift[:, :, None, None]


def g_norm(
    channels: int, n_classes: int, enabled: bool = True, shared_dim: int = 0
) -> nn.Module:
    """G's normalisation, called as ``norm(x, y)``: conditional BatchNorm when given classes
    (``y`` a label; or, with ``shared_dim``, BigGAN's on a shared class embedding ``y``), plain
    BatchNorm without, or nothing when ``enabled`` is false (``train.g_batchnorm``)."""
    if not enabled:
        return IdentityY()
    if n_classes and shared_dim:
        return SharedConditionalBatchNorm2d(channels, shared_dim)
    return ConditionalBatchNorm2d(channels, n_classes) if n_classes else BatchNorm2dY(channels)


class ConditionalGenerator(nn.Module):
    """Base of ganpipe's generators: how the class enters z. ``embed-mul`` multiplies z by a
    class embedding, ``onehot-concat`` appends the one-hot label; ``cbn`` and unconditional
    (n_classes == 0) leave z as it is (the class then enters through G's norms, or not at all).
    """

    def __init__(self, conditioning: str, z_dim: int, size: int, channels: int, n_classes: int):
        super().__init__()
        self.size, self.channels, self.n_classes, self.z_dim = size, channels, n_classes, z_dim
        self.conditioning = conditioning if n_classes else "none"
        self.z_in = z_dim + (n_classes if self.conditioning == "onehot-concat" else 0)
        if self.conditioning == "embed-mul":
            self.embed = nn.Embedding(n_classes, z_dim)

    def condition(self, z: torch.Tensor, y: torch.Tensor | None) -> torch.Tensor:
        if self.conditioning == "embed-mul":
            return z * self.embed(y)
        if self.conditioning == "onehot-concat":
            return torch.cat([z, F.one_hot(y, self.n_classes).to(z.dtype)], dim=1)
        return z


def as_nhwc_map(x: torch.Tensor, base: int) -> torch.Tensor:
    """Read a linear layer's (N, base*base*C) output as an NCHW tensor stored NHWC: a
    channels_last tensor with no copy, the layout the convolutions run in on the CPU and CUDA
    (an NCHW view cost a conversion per block)."""
    return x.view(x.shape[0], base, base, -1).permute(0, 3, 1, 2)


class Blur(nn.Module):
    """A [1, 2, 1] x [1, 2, 1] / 16 low-pass per channel, for D's input to each strided
    convolution (``train.d_blur``): a stride-2 convolution without it aliases, so D is blind to
    patterns at the pixel pitch (G's checkerboards) that fold onto coarse ones (Zhang 2019,
    "Making convolutional networks shift-invariant again"; StyleGAN2's downsampling filter)."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        k = torch.tensor([1.0, 2.0, 1.0])
        kernel = (k[:, None] * k[None, :] / 16).expand(channels, 1, 3, 3).contiguous()
        self.register_buffer("kernel", kernel, persistent=False)  # fixed: not in checkpoints

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.conv2d(x, self.kernel.to(x.dtype), padding=1, groups=x.shape[1])


class MinibatchStd(nn.Module):
    """StyleGAN's minibatch standard deviation (Karras et al. 2018; ``train.d_mbstd``): one
    more feature map, the mean standard deviation of the features over a group of ``group``
    consecutive images, so D can tell a batch of fakes that are too alike from real ones.
    Groups are consecutive images because D sees real and fake as one batch (real first):
    with both halves a multiple of ``group`` long, no group mixes them."""

    def __init__(self, group: int = 4) -> None:
        super().__init__()
        self.group = group

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, c, h, w = x.shape
        g = math.gcd(self.group, n)
        grouped = x.float().reshape(n // g, g, c, h, w)
        std = (grouped.var(dim=1, unbiased=False) + 1e-8).sqrt().mean(dim=(1, 2, 3))
        feature = std.repeat_interleave(g).to(x.dtype)[:, None, None, None].expand(n, 1, h, w)
        return torch.cat([x, feature], dim=1)
