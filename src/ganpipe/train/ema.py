"""Exponential moving average of the generator, the weights users sample from."""

from __future__ import annotations

import copy

import torch
from torch import nn

SETTLE_IMAGES = 4096  # generated images whose activations give the standing statistics
SETTLE_BATCH = 512


def ema_beta(batch_size: int, half_life_kimg: float, cur_nimg: int = 0, rampup: float = 0) -> float:
    """Per-step decay so the average's half-life is ``half_life_kimg`` thousand images, or,
    with ``rampup``, at most ``rampup`` x the images seen so far (StyleGAN2-ADA's ramp-up): a
    short run's average then forgets its first, random weights, where a fixed half-life of a
    large part of the run would keep them in."""
    half_life = half_life_kimg * 1000
    if rampup:
        half_life = min(half_life, cur_nimg * rampup)
    if half_life <= 0:
        return 0.0
    return 0.5 ** (batch_size / half_life)


@torch.no_grad()
def update_ema(ema: nn.Module, model: nn.Module, beta: float) -> None:
    """Average parameters; copy buffers (BatchNorm running statistics) as they are.

    Averaging running statistics of a moving network mixes statistics of different weights;
    copying them keeps them consistent with the latest G, as StyleGAN2-ADA does.
    """
    for p_ema, p in zip(ema.parameters(), model.parameters(), strict=True):
        p_ema.lerp_(p.detach(), 1.0 - beta)
    for b_ema, b in zip(ema.buffers(), model.buffers(), strict=True):
        b_ema.copy_(b)


@torch.no_grad()
def with_standing_statistics(G: nn.Module, n_classes: int, seed: int) -> nn.Module:
    """A copy of ``G`` whose BatchNorm running statistics are those of its own activations,
    averaged over ``SETTLE_IMAGES`` generated images (BigGAN's "standing statistics").

    The EMA's statistics are copied from the latest G, whose weights differ from the
    average's; on short runs that mismatch more than doubled the domain Fréchet distance of
    the small-colour default (benchmarks/quality.py). ``G`` itself (the checkpointed average)
    is left as it is. A G with SyncBatchNorm (``train.sync_batchnorm``) is returned as it is:
    only rank 0 generates, and a synchronised norm would wait for the others.
    """
    norms = _batch_norms(G)
    if not norms or any(isinstance(m, nn.SyncBatchNorm) for m in norms):
        return G
    settled = copy.deepcopy(G)
    settled_norms = _batch_norms(settled)
    for norm in settled_norms:
        norm.reset_running_stats()
        norm.momentum = None  # a cumulative average over the batches below
        norm.train()
    device = next(G.parameters()).device
    rng = torch.Generator().manual_seed(seed)
    for _ in range(SETTLE_IMAGES // SETTLE_BATCH):
        z = torch.randn(SETTLE_BATCH, settled.z_dim, generator=rng)
        y = torch.randint(n_classes, (SETTLE_BATCH,), generator=rng) if n_classes else None
        settled(z.to(device), None if y is None else y.to(device))
    for norm, original in zip(settled_norms, norms, strict=True):
        norm.momentum = original.momentum
    return settled.eval()


def _batch_norms(model: nn.Module) -> list[nn.modules.batchnorm._BatchNorm]:
    """``model``'s BatchNorm layers (1-D, 2-D and synchronised), in module order."""
    return [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
