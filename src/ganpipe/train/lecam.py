"""LeCam regularisation (Tseng et al. 2021, "Regularizing Generative Adversarial Networks under
Limited Data"; ``train.lecam``).

D's logits on real images are pulled towards the moving average of its logits on fakes and
vice versa, wherever they have moved past it: a bound on how far D can separate a small real set
from the fakes, which is what lets it overfit a few hundred images. The two averages are D's
buffers (:func:`anchors`), so a checkpoint resumes them exactly.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

DECAY = 0.99  # the averages' decay per D step, as in the paper's code


def add_anchors(D: nn.Module) -> None:
    """Give ``D`` the two moving averages, [real, fake], starting at 0."""
    D.register_buffer("lecam_anchors", torch.zeros(2))


def anchors(D: nn.Module) -> torch.Tensor:
    """``D``'s averages (through a DDP wrapper)."""
    return getattr(D, "module", D).lecam_anchors


def lecam_penalty(
    real_logit: torch.Tensor, fake_logit: torch.Tensor, averages: torch.Tensor
) -> torch.Tensor:
    """``mean(relu(D(x) - a_fake)^2) + mean(relu(a_real - D(G(z)))^2)``, after moving the
    averages ``[a_real, a_fake]`` (updated in place) towards this batch's mean logits."""
    real_logit, fake_logit = real_logit.float(), fake_logit.float()
    with torch.no_grad():
        batch = torch.stack([real_logit.mean(), fake_logit.mean()])
        averages.lerp_(batch, 1 - DECAY)
    a_real, a_fake = averages
    return F.relu(real_logit - a_fake).pow(2).mean() + F.relu(a_real - fake_logit).pow(2).mean()
