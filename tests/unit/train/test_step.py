"""The loop's inner steps: D's joint real+fake batch equals two calls; stats in one read."""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import math

import pytest
import torch

from ganpipe.models import build_models
from ganpipe.params import TrainParams
from ganpipe.train.losses import d_loss
from ganpipe.train.step import DStep, Nets, discriminator_step, generator_step, step_stats

P = TrainParams(g_channels=16, d_channels=8, z_dim=8, batch_size=6)


def _nets(p: TrainParams) -> Nets:
    torch.manual_seed(0)
    G, D = build_models(p, 28, 1, 3)
    return Nets(
        G, D, D, torch.optim.SGD(G.parameters(), lr=0.1), torch.optim.SGD(D.parameters(), lr=0.1)
    )


def _identity(x: torch.Tensor) -> torch.Tensor:
    return x


@pytest.mark.parametrize(
    "extra",
    [
        {},
        {"d_head": "ssl"},
        {"class_conditional": False},
        {"loss": "hinge"},
        {"d_head": "projection"},
        {"d_head": "projection-ac", "d_aux_on_fake": True},
        {"d_head": "reacgan", "d_aux_on_fake": True},
        {"arch": "resnet", "d_head": "reacgan"},
    ],
)
def test_discriminator_step_matches_separate_real_and_fake_calls(extra: dict) -> None:
    p = dataclasses.replace(P, **extra)
    nets = _nets(p)
    reference = copy.deepcopy(nets.D)
    real, y = torch.rand(6, 1, 28, 28) * 2 - 1, torch.tensor([0, 1, 2, 0, 1, 2])
    z = torch.randn(6, p.z_dim)
    with torch.no_grad():
        fake = nets.G(z, y)
    out_r, out_f = reference(real, y), reference(fake, y)
    expected = d_loss(out_r, y, out_f, y, p)
    expected.backward()

    d = discriminator_step(nets, real, y, z, y, p, _identity, contextlib.nullcontext())

    torch.testing.assert_close(d.loss, expected.detach(), rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(d.adv_real, out_r.adv.detach(), rtol=1e-5, atol=1e-6)
    with torch.no_grad():  # SGD with lr 0.1 applied the same gradients
        for after, before in zip(nets.D.parameters(), reference.parameters(), strict=True):
            torch.testing.assert_close(after, before - 0.1 * before.grad, rtol=1e-4, atol=1e-6)


def test_generator_step_updates_g_only() -> None:
    nets = _nets(P)
    d_before = [t.clone() for t in nets.D.parameters()]
    g_before = [t.clone() for t in nets.G.parameters()]
    y = torch.tensor([0, 1, 2, 0, 1, 2])
    loss, adv_f = generator_step(
        nets,
        torch.randn(6, P.z_dim),
        y,
        torch.zeros(6, 1, 28, 28),
        P,
        _identity,
        contextlib.nullcontext(),
        contextlib.nullcontext(),
    )
    assert loss.requires_grad is False and adv_f.shape == (6,)
    assert all(torch.equal(a, b) for a, b in zip(nets.D.parameters(), d_before, strict=True))
    assert any(not torch.equal(a, b) for a, b in zip(nets.G.parameters(), g_before, strict=True))


@pytest.mark.parametrize("arch", ["dcgan", "resnet"])
def test_reused_fakes_train_as_a_second_forward_of_the_same_latents(arch: str) -> None:
    """train.reuse_fakes: G's step on the D step's kept fakes moves G and D exactly as a fresh
    G forward of the same latents does; D is frozen in G's step and gets no gradients there."""
    p = dataclasses.replace(P, arch=arch, loss="hinge")
    real, y = torch.rand(6, 1, 28, 28) * 2 - 1, torch.tensor([0, 1, 2, 0, 1, 2])
    z, same = torch.randn(6, p.z_dim), contextlib.nullcontext()
    moved = []
    for keep in (True, False):
        nets = _nets(p)
        d = discriminator_step(nets, real, y, z, y, p, _identity, same, keep_fake=keep)
        assert (d.fake is not None) == keep
        d_grads = [w.grad.clone() for w in nets.D.parameters()]
        generator_step(nets, z, y, real, p, _identity, same, same, d.fake)
        for w, grad in zip(nets.D.parameters(), d_grads, strict=True):
            assert w.requires_grad and torch.equal(w.grad, grad)  # G's step added none
        moved.append([w.detach().clone() for w in (*nets.G.parameters(), *nets.D.parameters())])
    for kept, fresh in zip(*moved, strict=True):
        torch.testing.assert_close(kept, fresh, rtol=1e-5, atol=1e-7)


def test_step_stats_reads_accuracies_and_losses() -> None:
    d = DStep(
        torch.tensor(1.5),
        torch.tensor([1.0, -1.0, 2.0, 3.0]),
        torch.tensor([[2.0, 0.0], [0.0, 2.0], [2.0, 0.0], [2.0, 0.0]]),
    )
    stats = step_stats(
        d, torch.tensor(0.25), torch.tensor([-1.0, 1.0, -2.0, -3.0]), torch.tensor([0, 1, 1, 0])
    )
    assert stats == pytest.approx(
        {
            "loss_d": 1.5,
            "loss_g": 0.25,
            "d_real_acc": 0.75,
            "d_fake_acc": 0.75,
            "class_acc_real": 0.75,
        }
    )
    unconditional = step_stats(
        d._replace(cls_real=None), torch.tensor(0.25), torch.tensor([1.0]), torch.tensor([0])
    )
    assert math.isnan(unconditional["class_acc_real"])


@pytest.mark.parametrize("arch", ["dcgan", "resnet"])
@pytest.mark.parametrize("head", ["acgan", "ssl", "projection", "projection-ac", "reacgan"])
@pytest.mark.parametrize("size", [28, 64])
@pytest.mark.parametrize("channels", [1, 3])
def test_every_architecture_and_head_trains(arch: str, head: str, size: int, channels: int):
    """Two D and G steps with Adam, channels_last as on the CPU: finite losses, both networks
    move."""
    p = dataclasses.replace(P, arch=arch, d_head=head, loss="hinge", d_spectral_norm=True)
    torch.manual_seed(0)
    G, D = build_models(p, size, channels, 3)
    G, D = G.to(memory_format=torch.channels_last), D.to(memory_format=torch.channels_last)
    nets = Nets(G, D, D, torch.optim.Adam(G.parameters()), torch.optim.Adam(D.parameters()))
    g_before = [t.detach().clone() for t in G.parameters()]
    d_before = [t.detach().clone() for t in D.parameters()]
    real = (torch.rand(6, channels, size, size) * 2 - 1).contiguous(
        memory_format=torch.channels_last
    )
    y = torch.tensor([0, 1, 2, 0, 1, 2])
    same = contextlib.nullcontext()
    for _ in range(2):
        z = torch.randn(6, p.z_dim)
        d = discriminator_step(nets, real, y, z, y.flip(0), p, _identity, same)
        loss_g, _ = generator_step(nets, z, y, real, p, _identity, same, same)
        assert torch.isfinite(d.loss) and torch.isfinite(loss_g)
    if head == "projection":  # its class scores are not trained to classify
        assert d.cls_real is None
    else:
        assert d.cls_real is not None and d.cls_real.shape == (6, 3)
    for before, params in ((g_before, G.parameters()), (d_before, D.parameters())):
        assert any(not torch.equal(a, b) for a, b in zip(params, before, strict=True))


@pytest.mark.parametrize("head", ["acgan", "ssl", "projection", "projection-ac", "reacgan"])
def test_every_head_steps_under_cpu_bf16_autocast_with_fp32_losses(head: str) -> None:
    p = dataclasses.replace(P, arch="resnet", d_head=head, feature_matching=1.0)
    nets = _nets(p)
    y, z = torch.tensor([0, 1, 2, 0, 1, 2]), torch.randn(6, p.z_dim)
    real = torch.rand(6, 1, 28, 28) * 2 - 1
    bf16 = torch.autocast("cpu", dtype=torch.bfloat16)
    d = discriminator_step(nets, real, y, z, y, p, _identity, bf16)
    bf16 = torch.autocast("cpu", dtype=torch.bfloat16)
    same = contextlib.nullcontext()
    loss_g, _ = generator_step(nets, z, y, real, p, _identity, bf16, same)
    assert d.loss.dtype == loss_g.dtype == torch.float32
    assert torch.isfinite(d.loss) and torch.isfinite(loss_g)
    assert all(t.dtype == torch.float32 for t in nets.G.parameters())  # EMA averages fp32
