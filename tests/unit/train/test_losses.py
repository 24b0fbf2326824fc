"""The SSL-GAN loss (Salimans et al. 2016) against a hand computation over K+1 classes, and the
class loss with unlabelled reals."""

from __future__ import annotations

import math

import pytest
import torch

from ganpipe.models.discriminator import ssl_split
from ganpipe.params import TrainParams
from ganpipe.train.losses import UNLABELLED, auxiliary, d_loss, g_loss

SSL = TrainParams(d_head="ssl")  # bce, no label smoothing, aux_weight 1


def neg_log_softmax(logits: list[float], k: int) -> float:
    """-log softmax(logits)[k], written out."""
    return -(logits[k] - math.log(sum(math.exp(v) for v in logits)))


def test_ssl_d_loss_is_k_plus_1_cross_entropy_on_reals_plus_fake_class_on_fakes() -> None:
    real = [[1.0, 2.0, 0.5], [0.0, -1.0, 1.5]]  # K = 2 classes, last column "fake"
    fake = [[0.3, -0.2, 2.0], [1.2, 0.1, -0.4]]
    labels = [1, 0]
    expected = (
        sum(neg_log_softmax(r, y) for r, y in zip(real, labels, strict=True)) / 2
        + sum(neg_log_softmax(f, 2) for f in fake) / 2
    )
    adv_r, cls_r = ssl_split(torch.tensor(real))
    adv_f, cls_f = ssl_split(torch.tensor(fake))
    y = torch.tensor(labels)
    loss = d_loss(adv_r, cls_r, y, adv_f, cls_f, torch.tensor([0, 1]), SSL)
    assert loss.item() == pytest.approx(expected, rel=1e-6)


def test_ssl_g_loss_is_k_plus_1_cross_entropy_with_the_requested_class() -> None:
    fake = [[0.3, -0.2, 2.0], [1.2, 0.1, -0.4]]
    wanted = [0, 1]
    expected = sum(neg_log_softmax(f, y) for f, y in zip(fake, wanted, strict=True)) / 2
    adv_f, cls_f = ssl_split(torch.tensor(fake))
    assert g_loss(adv_f, cls_f, torch.tensor(wanted), SSL).item() == pytest.approx(
        expected, rel=1e-6
    )


def test_class_loss_averages_over_labelled_reals_only() -> None:
    logits = torch.tensor([[2.0, 0.0], [0.0, 1.0], [5.0, -5.0]])
    labelled = torch.tensor([0, UNLABELLED, 1])
    expected = (neg_log_softmax([2.0, 0.0], 0) + neg_log_softmax([5.0, -5.0], 1)) / 2
    assert auxiliary(logits, labelled).item() == pytest.approx(expected, rel=1e-6)
    assert auxiliary(logits, torch.tensor([0, 1, 1])).item() == pytest.approx(
        torch.nn.functional.cross_entropy(logits, torch.tensor([0, 1, 1])).item(), rel=1e-6
    )
    none = auxiliary(logits, torch.full((3,), UNLABELLED))
    assert none.item() == 0.0  # a batch without labels adds no class loss (not NaN)


def test_ssl_d_loss_on_an_unlabelled_real_is_its_real_vs_fake_term() -> None:
    real = [[1.0, 2.0, 0.5]]
    fake = [[0.3, -0.2, 2.0]]
    # -log(1 - p(fake | x)) for the unlabelled real, -log p(fake | G(z)) for the fake
    p_fake_real = math.exp(-neg_log_softmax(real[0], 2))
    expected = -math.log(1 - p_fake_real) + neg_log_softmax(fake[0], 2)
    adv_r, cls_r = ssl_split(torch.tensor(real))
    adv_f, cls_f = ssl_split(torch.tensor(fake))
    loss = d_loss(adv_r, cls_r, torch.tensor([UNLABELLED]), adv_f, cls_f, torch.tensor([0]), SSL)
    assert loss.item() == pytest.approx(expected, rel=1e-6)
