"""DiffAugment (Zhao et al. 2020): differentiable augmentations applied to real and fake alike.

Lets D train on small scraped datasets without the augmentations leaking into G's output,
because G's images are augmented exactly as the real ones before D sees them.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch.nn import functional as F


@dataclass(frozen=True)
class Draw:
    """Random numbers for this process's rows of a global batch, from the CPU generator ``g``.

    Every process draws for the whole global batch (``world`` slices of ``n`` rows) and keeps
    slice ``rank``: the generator stays in step across processes and each image gets the same
    augmentation it would get in a single process. Drawing on the CPU and moving the numbers
    also keeps a CPU generator usable when the images live on a GPU.
    """

    g: torch.Generator
    n: int
    device: torch.device
    rank: int = 0
    world: int = 1

    def _mine(self, t: torch.Tensor) -> torch.Tensor:
        return t[self.rank * self.n : (self.rank + 1) * self.n].to(self.device)

    def rand(self, *shape: int) -> torch.Tensor:
        return self._mine(torch.rand(self.n * self.world, *shape, generator=self.g))

    def randn(self, *shape: int) -> torch.Tensor:
        return self._mine(torch.randn(self.n * self.world, *shape, generator=self.g))

    def randint(self, low: int, high: int, *shape: int) -> torch.Tensor:
        return self._mine(torch.randint(low, high, (self.n * self.world, *shape), generator=self.g))


def _color(x: torch.Tensor, draw: Draw) -> torch.Tensor:
    x = x + (draw.rand(1, 1, 1) - 0.5)
    mean = x.mean(dim=1, keepdim=True)
    x = (x - mean) * (draw.rand(1, 1, 1) * 2) + mean
    mean = x.mean(dim=[1, 2, 3], keepdim=True)
    return (x - mean) * (draw.rand(1, 1, 1) + 0.5) + mean


def _translation(x: torch.Tensor, draw: Draw, ratio: float = 0.125) -> torch.Tensor:
    n, _, h, w = x.shape
    sh, sw = int(h * ratio + 0.5), int(w * ratio + 0.5)
    dy = draw.randint(-sh, sh + 1, 1, 1)
    dx = draw.randint(-sw, sw + 1, 1, 1)
    gy, gx = torch.meshgrid(
        torch.arange(h, device=x.device), torch.arange(w, device=x.device), indexing="ij"
    )
    gy = torch.clamp(gy[None] + dy + 1, 0, h + 1)
    gx = torch.clamp(gx[None] + dx + 1, 0, w + 1)
    padded = F.pad(x, [1, 1, 1, 1])
    batch = torch.arange(n, device=x.device)[:, None, None]
    return padded.permute(0, 2, 3, 1)[batch, gy, gx].permute(0, 3, 1, 2)


def cutout(
    x: torch.Tensor, draw: Draw, ratio: float = 0.5, chosen: torch.Tensor | None = None
) -> torch.Tensor:
    """Zero a square of ``ratio`` times the side at a random centre, in every image or in the
    ``chosen`` ones (a boolean per image: ADA's per-image probability)."""
    _, _, h, w = x.shape
    ch, cw = int(h * ratio + 0.5), int(w * ratio + 0.5)
    top = draw.randint(0, h, 1, 1) - ch // 2
    left = draw.randint(0, w, 1, 1) - cw // 2
    gy = torch.arange(h, device=x.device)[None, :, None]
    gx = torch.arange(w, device=x.device)[None, None, :]
    inside = (gy >= top) & (gy < top + ch) & (gx >= left) & (gx < left + cw)
    if chosen is not None:
        inside = inside & chosen[:, None, None]
    return x * (~inside)[:, None].to(x.dtype)


POLICIES = {"color": _color, "translation": _translation, "cutout": cutout}


def diff_augment(
    x: torch.Tensor, policy: str, g: torch.Generator, rank: int = 0, world: int = 1
) -> torch.Tensor:
    """Apply the comma-separated policies in order; an empty policy returns ``x``.

    ``x`` is slice ``rank`` of a global batch split over ``world`` processes (see :class:`Draw`).
    """
    draw = Draw(g, x.shape[0], x.device, rank, world)
    for name in (p.strip() for p in policy.split(",") if p.strip()):
        x = POLICIES[name](x, draw)
    return x
