"""The generator's EMA: its decay with ramp-up, and standing BatchNorm statistics."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from ganpipe.models import build_models
from ganpipe.params import TrainParams
from ganpipe.train.ema import (
    SETTLE_BATCH,
    SETTLE_IMAGES,
    ema_beta,
    update_ema,
    with_standing_statistics,
)


def test_beta_halves_the_old_weights_after_one_half_life() -> None:
    beta = ema_beta(batch_size=64, half_life_kimg=10)
    assert beta ** (10_000 / 64) == pytest.approx(0.5, rel=1e-9)
    assert ema_beta(64, 0) == 0.0  # EMA off: the average is G itself


def test_rampup_caps_the_half_life_at_a_share_of_the_images_seen() -> None:
    # 20 kimg seen, ramp-up 0.05: a half-life of 1,000 images, not 10,000
    beta = ema_beta(64, 10, cur_nimg=20_000, rampup=0.05)
    assert beta ** (1_000 / 64) == pytest.approx(0.5, rel=1e-9)
    # once rampup x images seen passes the half-life, the half-life is the configured one
    assert ema_beta(64, 10, cur_nimg=1_000_000, rampup=0.05) == ema_beta(64, 10)
    assert ema_beta(64, 10, cur_nimg=0, rampup=0.05) == 0.0  # the first step copies G


def test_update_ema_moves_parameters_by_one_minus_beta_and_copies_buffers() -> None:
    ema, model = nn.BatchNorm1d(2), nn.BatchNorm1d(2)
    with torch.no_grad():
        ema.weight.fill_(1.0)
        model.weight.fill_(3.0)
        model.running_mean.fill_(7.0)
    update_ema(ema, model, beta=0.75)
    torch.testing.assert_close(ema.weight, torch.full((2,), 1.5))
    torch.testing.assert_close(ema.running_mean, torch.full((2,), 7.0))


def tiny_generator() -> nn.Module:
    G = build_models(TrainParams(g_channels=32, d_channels=16), 28, 1, 3)[0]
    for norm in G.modules():  # statistics that belong to some other network
        if isinstance(norm, nn.modules.batchnorm._BatchNorm):
            norm.running_mean.fill_(5.0)
            norm.running_var.fill_(9.0)
    return G.eval()


def test_standing_statistics_are_the_mean_of_g_s_own_activations() -> None:
    G = tiny_generator()
    before = {k: v.clone() for k, v in G.state_dict().items()}
    settled = with_standing_statistics(G, n_classes=3, seed=7)
    # The same latents, in the same order, as the function draws them
    rng = torch.Generator().manual_seed(7)
    batches = [
        (
            torch.randn(SETTLE_BATCH, G.z_dim, generator=rng),
            torch.randint(3, (SETTLE_BATCH,), generator=rng),
        )
        for _ in range(SETTLE_IMAGES // SETTLE_BATCH)
    ]
    fc_out = torch.cat([G.fc(G.condition(z, y)) for z, y in batches]).detach()
    # G's first norm sees the linear layer's output: its mean is known without any norm
    torch.testing.assert_close(settled.fc_norm.running_mean, fc_out.mean(0), atol=1e-5, rtol=0)
    assert not settled.training
    assert settled.fc_norm.momentum == G.fc_norm.momentum
    for key, value in G.state_dict().items():  # the checkpointed average is untouched
        assert torch.equal(value, before[key]), key


def test_standing_statistics_are_reproducible_and_change_the_images() -> None:
    G = tiny_generator()
    a, b = (with_standing_statistics(G, 3, seed=1) for _ in range(2))
    z, y = torch.randn(8, G.z_dim), torch.arange(8) % 3
    with torch.no_grad():
        assert torch.equal(a(z, y), b(z, y))
        assert not torch.allclose(a(z, y), G(z, y))


def test_a_generator_without_batchnorm_or_with_syncbatchnorm_is_returned_as_is() -> None:
    plain = build_models(TrainParams(g_batchnorm=False), 28, 1, 3)[0]
    assert with_standing_statistics(plain, 3, seed=0) is plain
    synced = nn.SyncBatchNorm.convert_sync_batchnorm(tiny_generator())
    assert with_standing_statistics(synced, 3, seed=0) is synced
