"""Adversarial (non-saturating BCE or hinge), class (AC-GAN cross-entropy or ReACGAN's
data-to-data cross-entropy) and feature-matching losses.

Every loss casts D's outputs to fp32 first: under bf16 autocast, logsumexp, exp and the
normalised embeddings' cosines would lose the margins the losses are about.
"""

from __future__ import annotations

import torch
from torch.nn import functional as F

from ganpipe.models.heads import DOutput
from ganpipe.params import TrainParams
from ganpipe.registries.heads import D_HEADS


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


def data_to_data_ce(
    embed: torch.Tensor,
    proxy: torch.Tensor,
    labels: torch.Tensor,
    temperature: float,
    margin: float,
) -> torch.Tensor:
    """ReACGAN's D2D-CE (Kang et al. 2021, "Rebooting ACGAN", eq. 8) on unit-length rows.

    Each image's embedding is pulled to its class proxy until their cosine reaches ``margin``
    (m_p), and pushed from the other images of the batch whose class differs (same-class
    images are no negatives) while their cosine exceeds ``1 - margin`` (m_n):
    ``-log e^{min(s_p - m_p, 0)/t} / (e^{min(s_p - m_p, 0)/t} + sum_j e^{max(s_j - m_n, 0)/t})``.
    Comparing images with images, not only with the K class weights, is what keeps AC-GAN's
    classifier from collapsing early. Written with logsumexp, which is stable as it stands
    (StudioGAN subtracts a row maximum from the negatives alone, which rescales them).
    """
    embed, proxy = embed.float(), proxy.float()
    positive = ((embed * proxy).sum(1) - margin).clamp(max=0) / temperature
    with torch.autocast(embed.device.type, enabled=False):  # bf16 cosines: +-0.004, a 5th
        similarity = embed @ embed.t()  # of the margin 1 - m_p
    negative = (similarity - (1 - margin)).clamp(min=0) / temperature
    other_class = labels[:, None] != labels[None, :]  # also leaves out each image itself
    negative = negative.masked_fill(~other_class, float("-inf"))
    logits = torch.cat([positive[:, None], negative], dim=1)
    return (torch.logsumexp(logits, dim=1) - positive).mean()


def class_loss(out: DOutput, labels: torch.Tensor, p: TrainParams) -> torch.Tensor:
    """The class term ``train.d_head``'s row of D_HEADS names: AC-GAN's and the SSL-GAN's
    cross-entropy, ReACGAN's D2D-CE, or none (the projection D: the class is inside its
    real/fake logit). Unconditional runs (no class scores) have none either (auxiliary)."""
    kind = D_HEADS[p.d_head].class_loss
    if kind == "none":
        return labels.new_zeros((), dtype=torch.float32)
    if kind == "d2d":
        if out.embed is None or out.proxy is None:
            raise ValueError(f"d_head '{p.d_head}' has the d2d loss, but D gave no embeddings")
        return data_to_data_ce(out.embed, out.proxy, labels, p.d2d_temperature, p.d2d_margin)
    return auxiliary(out.cls, labels)


def feature_matching(real_features: torch.Tensor, fake_features: torch.Tensor) -> torch.Tensor:
    """Salimans et al. 2016: match the mean of D's last features on real and fake batches."""
    return F.mse_loss(fake_features.float().mean(0), real_features.float().mean(0).detach())


def d_loss(
    real: DOutput, y_real: torch.Tensor, fake: DOutput, y_fake: torch.Tensor, p: TrainParams
) -> torch.Tensor:
    """D's loss: real vs fake plus ``aux_weight`` x the class term, from D's outputs.

    With ``d_head: ssl`` (bce, no smoothing, aux_weight 1) it is Salimans et al.'s
    L_supervised + L_unsupervised: cross-entropy over the K+1 classes on labelled reals (all
    of them unless ``labelled_fraction`` < 1), -log(1 - p(fake | x)) on every real, plus
    -log p(fake | G(z)).
    """
    aux = class_loss(real, y_real, p)
    if p.d_aux_on_fake:
        aux = aux + class_loss(fake, y_fake, p)
    adversarial = d_adversarial(real.adv.float(), fake.adv.float(), p.loss, p.label_smoothing)
    return adversarial + p.aux_weight * aux


def g_loss(fake: DOutput, y_fake: torch.Tensor, p: TrainParams) -> torch.Tensor:
    """G's loss: fool D and be classified as the class it was asked for.

    With ``d_head: ssl`` this is the cross-entropy over D's K+1 classes with the requested
    class as target: -log p(y | G(z, y)). With ``reacgan``, the D2D-CE of the fakes.
    """
    return g_adversarial(fake.adv.float(), p.loss) + p.aux_weight * class_loss(fake, y_fake, p)
