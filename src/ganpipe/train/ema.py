"""Exponential moving average of the generator, the weights users sample from."""

from __future__ import annotations

import torch
from torch import nn


def ema_beta(batch_size: int, half_life_kimg: float) -> float:
    """Per-step decay so the average's half-life is ``half_life_kimg`` thousand images."""
    if half_life_kimg <= 0:
        return 0.0
    return 0.5 ** (batch_size / (half_life_kimg * 1000))


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
