"""Adversarial (non-saturating BCE or hinge), auxiliary-class and feature-matching losses."""

from __future__ import annotations

import torch
from torch.nn import functional as F


def d_adversarial(real_logit: torch.Tensor, fake_logit: torch.Tensor, kind: str,
                  real_target: float = 1.0) -> torch.Tensor:
    """D's loss on a real and a fake batch; ``real_target`` < 1 is one-sided label smoothing."""
    if kind == "hinge":
        return F.relu(1.0 - real_logit).mean() + F.relu(1.0 + fake_logit).mean()
    real = F.binary_cross_entropy_with_logits(real_logit, torch.full_like(real_logit, real_target))
    fake = F.binary_cross_entropy_with_logits(fake_logit, torch.zeros_like(fake_logit))
    return real + fake


def g_adversarial(fake_logit: torch.Tensor, kind: str) -> torch.Tensor:
    """G's loss: non-saturating BCE (log D(G(z))) or the hinge generator loss."""
    if kind == "hinge":
        return -fake_logit.mean()
    return F.binary_cross_entropy_with_logits(fake_logit, torch.ones_like(fake_logit))


def auxiliary(class_logits: torch.Tensor | None, labels: torch.Tensor) -> torch.Tensor:
    """AC-GAN class cross-entropy; zero when the model is unconditional."""
    if class_logits is None:
        return labels.new_zeros((), dtype=torch.float32)
    return F.cross_entropy(class_logits.float(), labels)


def feature_matching(real_features: torch.Tensor, fake_features: torch.Tensor) -> torch.Tensor:
    """Salimans et al. 2016: match the mean of D's last features on real and fake batches."""
    return F.mse_loss(fake_features.float().mean(0), real_features.float().mean(0).detach())
