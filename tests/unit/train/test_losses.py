"""The SSL-GAN loss (Salimans et al. 2016) against a hand computation over K+1 classes, the
class loss with unlabelled reals, ReACGAN's data-to-data cross-entropy and the projection D's
losses against hand computations."""

from __future__ import annotations

import dataclasses
import math

import pytest
import torch

from ganpipe.models.heads import DOutput, ssl_split
from ganpipe.params import TrainParams
from ganpipe.train.losses import UNLABELLED, auxiliary, d_loss, data_to_data_ce, g_loss

SSL = TrainParams(d_head="ssl")  # bce, no label smoothing, aux_weight 1


def neg_log_softmax(logits: list[float], k: int) -> float:
    """-log softmax(logits)[k], written out."""
    return -(logits[k] - math.log(sum(math.exp(v) for v in logits)))


def _ssl(logits: list[list[float]]) -> DOutput:
    """D's output for these K+1 logits (features unused)."""
    return DOutput(*ssl_split(torch.tensor(logits)), torch.zeros(len(logits), 1))


def test_ssl_d_loss_is_k_plus_1_cross_entropy_on_reals_plus_fake_class_on_fakes() -> None:
    real = [[1.0, 2.0, 0.5], [0.0, -1.0, 1.5]]  # K = 2 classes, last column "fake"
    fake = [[0.3, -0.2, 2.0], [1.2, 0.1, -0.4]]
    labels = [1, 0]
    expected = (
        sum(neg_log_softmax(r, y) for r, y in zip(real, labels, strict=True)) / 2
        + sum(neg_log_softmax(f, 2) for f in fake) / 2
    )
    out_r, out_f = _ssl(real), _ssl(fake)
    loss = d_loss(out_r, torch.tensor(labels), out_f, torch.tensor([0, 1]), SSL)
    assert loss.item() == pytest.approx(expected, rel=1e-6)


def test_ssl_g_loss_is_k_plus_1_cross_entropy_with_the_requested_class() -> None:
    fake = [[0.3, -0.2, 2.0], [1.2, 0.1, -0.4]]
    wanted = [0, 1]
    expected = sum(neg_log_softmax(f, y) for f, y in zip(fake, wanted, strict=True)) / 2
    assert g_loss(_ssl(fake), torch.tensor(wanted), SSL).item() == pytest.approx(expected, rel=1e-6)


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
    loss = d_loss(_ssl(real), torch.tensor([UNLABELLED]), _ssl(fake), torch.tensor([0]), SSL)
    assert loss.item() == pytest.approx(expected, rel=1e-6)


def _cos(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    return dot / math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))


def _unit(rows: list[list[float]]) -> torch.Tensor:
    return torch.nn.functional.normalize(torch.tensor(rows), dim=1)


EMBED = [[1.0, 0.2, -0.3], [0.4, 1.0, 0.1], [0.9, -0.1, 0.2], [-0.5, 0.3, 1.0]]
PROXY = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
Y = [0, 1, 0, 2]  # images 0 and 2 share a class: neither is the other's negative


def d2d_by_hand(temperature: float, margin: float) -> float:
    """Kang et al. 2021, eq. 8, one image at a time."""
    total = 0.0
    for i, e in enumerate(EMBED):
        pos = math.exp(min(_cos(e, PROXY[i]) - margin, 0.0) / temperature)
        neg = sum(
            math.exp(max(_cos(e, f) - (1 - margin), 0.0) / temperature)
            for j, f in enumerate(EMBED)
            if Y[j] != Y[i]
        )
        total += -math.log(pos / (pos + neg))
    return total / len(EMBED)


@pytest.mark.parametrize(("temperature", "margin"), [(0.5, 0.98), (0.1, 0.5), (1.0, 0.0)])
def test_data_to_data_ce_matches_the_paper_by_hand(temperature: float, margin: float) -> None:
    loss = data_to_data_ce(_unit(EMBED), _unit(PROXY), torch.tensor(Y), temperature, margin)
    assert loss.item() == pytest.approx(d2d_by_hand(temperature, margin), rel=1e-5)


def test_data_to_data_ce_is_fp32_and_finite_for_bf16_inputs() -> None:
    embed, proxy = _unit(EMBED).bfloat16(), _unit(PROXY).bfloat16()
    loss = data_to_data_ce(embed, proxy, torch.tensor(Y), 0.05, 0.98)
    assert loss.dtype == torch.float32 and math.isfinite(loss.item())


def test_data_to_data_ce_stays_fp32_under_bf16_autocast() -> None:
    # near-parallel embeddings: their cosines sit just past the negative margin 0.02
    base = torch.randn(1, 64, generator=torch.Generator().manual_seed(0))
    noise = torch.randn(8, 64, generator=torch.Generator().manual_seed(1))
    embed = torch.nn.functional.normalize(base + 0.01 * noise, dim=1)
    labels, proxy = torch.arange(8), torch.nn.functional.normalize(noise, dim=1)
    expected = data_to_data_ce(embed, proxy, labels, 0.05, 0.98)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        under_autocast = data_to_data_ce(embed, proxy, labels, 0.05, 0.98)
    assert under_autocast.item() == pytest.approx(expected.item(), rel=1e-6)


REACGAN = TrainParams(d_head="reacgan", aux_weight=0.5, loss="hinge")


def _reacgan(adv: list[float]) -> DOutput:
    return DOutput(torch.tensor(adv), None, torch.zeros(4, 1), _unit(EMBED), _unit(PROXY))


def test_reacgan_losses_add_half_the_d2d_ce_to_the_hinge_loss() -> None:
    d2d = d2d_by_hand(REACGAN.d2d_temperature, REACGAN.d2d_margin)
    real, fake = [0.5, 2.0, -0.2, 1.0], [-1.5, 0.3, 0.0, -0.5]
    hinge_d = sum(max(0, 1 - r) for r in real) / 4 + sum(max(0, 1 + f) for f in fake) / 4
    loss = d_loss(_reacgan(real), torch.tensor(Y), _reacgan(fake), torch.tensor(Y), REACGAN)
    assert loss.item() == pytest.approx(hinge_d + 0.5 * d2d, rel=1e-5)
    on_fake = dataclasses.replace(REACGAN, d_aux_on_fake=True)
    loss = d_loss(_reacgan(real), torch.tensor(Y), _reacgan(fake), torch.tensor(Y), on_fake)
    assert loss.item() == pytest.approx(hinge_d + d2d, rel=1e-5)
    g = g_loss(_reacgan(fake), torch.tensor(Y), REACGAN)
    assert g.item() == pytest.approx(-sum(fake) / 4 + 0.5 * d2d, rel=1e-5)


def _softplus(v: float) -> float:
    """-log sigmoid(-v): BCE of logit v against target 0."""
    return math.log1p(math.exp(v))


def _projected(adv: list[float]) -> DOutput:
    """A projection D's output: its class scores only feed the accuracy, never the loss."""
    return DOutput(torch.tensor(adv), torch.ones(len(adv), 3), torch.zeros(len(adv), 1))


def test_projection_losses_are_the_adversarial_ones_on_the_projected_logit() -> None:
    p = TrainParams(d_head="projection")
    real, fake, y = [0.5, 2.0], [-1.5, 0.3], torch.tensor([0, 2])
    expected = sum(_softplus(-r) for r in real) / 2 + sum(_softplus(f) for f in fake) / 2
    loss = d_loss(_projected(real), y, _projected(fake), y, p)
    assert loss.item() == pytest.approx(expected, rel=1e-6)
    g_expected = sum(_softplus(-f) for f in fake) / 2
    assert g_loss(_projected(fake), y, p).item() == pytest.approx(g_expected, rel=1e-6)


def test_projection_ac_adds_the_cross_entropy_of_its_class_scores() -> None:
    p = TrainParams(d_head="projection-ac", loss="hinge", aux_weight=0.5)
    scores = torch.tensor([[2.0, 0.0, -1.0], [0.5, 0.5, 3.0]])
    y = torch.tensor([0, 2])
    ce = (
        sum(
            -math.log(math.exp(row[k]) / sum(math.exp(v) for v in row))
            for row, k in zip(scores.tolist(), y.tolist(), strict=True)
        )
        / 2
    )
    real = DOutput(torch.tensor([0.5, 2.0]), scores, torch.zeros(2, 1))
    fake = real._replace(adv=torch.tensor([-1.5, 0.3]))
    hinge_d = (0.5 + 0.0) / 2 + (0.0 + 1.3) / 2
    assert d_loss(real, y, fake, y, p).item() == pytest.approx(hinge_d + 0.5 * ce)
    assert g_loss(fake, y, p).item() == pytest.approx((1.5 - 0.3) / 2 + 0.5 * ce)
