"""Adversarial (non-saturating BCE or hinge), auxiliary-class and feature-matching losses."""

from __future__ import annotations

import torch
from torch.nn import functional as F

from ganpipe.params import TrainParams


def d_adversarial(
    real_logit: torch.Tensor, fake_logit: torch.Tensor, kind: str, real_target: float = 1.0
) -> torch.Tensor:
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


UNLABELLED = -100  # a real image's label under train.labelled_fraction < 1 (cross_entropy skips it)


def auxiliary(class_logits: torch.Tensor | None, labels: torch.Tensor) -> torch.Tensor:
    """AC-GAN class cross-entropy, averaged over the labelled images; zero when the model is
    unconditional or no image in the batch has a label."""
    if class_logits is None:
        return labels.new_zeros((), dtype=torch.float32)
    total = F.cross_entropy(class_logits.float(), labels, ignore_index=UNLABELLED, reduction="sum")
    return total / (labels != UNLABELLED).sum().clamp(min=1)


def feature_matching(real_features: torch.Tensor, fake_features: torch.Tensor) -> torch.Tensor:
    """Salimans et al. 2016: match the mean of D's last features on real and fake batches."""
    return F.mse_loss(fake_features.float().mean(0), real_features.float().mean(0).detach())


def d_loss(
    adv_r: torch.Tensor,
    cls_r: torch.Tensor | None,
    y_real: torch.Tensor,
    adv_f: torch.Tensor,
    cls_f: torch.Tensor | None,
    y_fake: torch.Tensor,
    p: TrainParams,
) -> torch.Tensor:
    """D's loss: real vs fake plus ``aux_weight`` x the class term, from D's outputs.

    With ``d_head: ssl`` (bce, no smoothing, aux_weight 1) it is Salimans et al.'s
    L_supervised + L_unsupervised: cross-entropy over the K+1 classes on labelled reals (all
    of them unless ``labelled_fraction`` < 1), -log(1 - p(fake | x)) on every real, plus
    -log p(fake | G(z)).
    """
    aux = auxiliary(cls_r, y_real)
    if p.d_aux_on_fake:
        aux = aux + auxiliary(cls_f, y_fake)
    return d_adversarial(adv_r.float(), adv_f.float(), p.loss, p.label_smoothing) + (
        p.aux_weight * aux
    )


def g_loss(
    adv_f: torch.Tensor, cls_f: torch.Tensor | None, y_fake: torch.Tensor, p: TrainParams
) -> torch.Tensor:
    """G's loss: fool D and be classified as the class it was asked for.

    With ``d_head: ssl`` this is the cross-entropy over D's K+1 classes with the requested
    class as target: -log p(y | G(z, y)).
    """
    return g_adversarial(adv_f.float(), p.loss) + p.aux_weight * auxiliary(cls_f, y_fake)
