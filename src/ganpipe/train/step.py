"""One discriminator update and one generator update: the training loop's inner steps.

Kept apart from the loop so that ``benchmarks/train.py`` times exactly what training runs.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterator
from typing import NamedTuple

import torch

from ganpipe.models.heads import DOutput
from ganpipe.params import TrainParams
from ganpipe.registries.heads import D_HEADS
from ganpipe.train.lecam import anchors, lecam_penalty
from ganpipe.train.losses import UNLABELLED, d_loss, feature_matching, g_loss

Augment = Callable[[torch.Tensor], torch.Tensor]
STAT_NAMES = ("loss_d", "loss_g", "d_real_acc", "d_fake_acc", "class_acc_real")


class Nets(NamedTuple):
    """What a step updates. ``G``/``D`` are the callables the step runs (DDP-wrapped and
    compiled where the loop does so); ``D_ddp`` is D's DDP wrapper, whose gradient averaging
    the generator step skips."""

    G: Callable[..., torch.Tensor]
    D: Callable[..., DOutput]
    D_ddp: torch.nn.Module
    opt_g: torch.optim.Optimizer
    opt_d: torch.optim.Optimizer


class DStep(NamedTuple):
    loss: torch.Tensor
    adv_real: torch.Tensor
    cls_real: torch.Tensor | None
    fake: torch.Tensor | None = None  # G's batch with its graph, for G's step (``keep_fake``)


def discriminator_step(
    nets: Nets,
    real: torch.Tensor,
    y_real: torch.Tensor,
    z: torch.Tensor,
    y_fake: torch.Tensor,
    p: TrainParams,
    augment: Augment,
    autocast: contextlib.AbstractContextManager[None],
    keep_fake: bool = False,
) -> DStep:
    """Update D on real images against detached fakes.

    Real and fake go through D as one batch: D has no batch statistics, so its outputs are those
    of two calls, at half the calls (larger convolutions, which is what the CPU runs faster).
    The ReACGAN loss compares images within the real batch only, as it would in two calls.
    With ``keep_fake`` G's forward keeps its graph and the fakes are returned for G's step
    (``train.reuse_fakes``: one G forward per step instead of two).
    """
    with autocast:
        with torch.set_grad_enabled(keep_fake):
            fake = nets.G(z, y_fake)
        out = nets.D(
            torch.cat([augment(real), augment(fake.detach())]), torch.cat([y_real, y_fake])
        )
        out_r, out_f = out.split(len(real))
        loss = d_loss(out_r, y_real, out_f, y_fake, p)
        if p.lecam:
            loss = loss + p.lecam * lecam_penalty(out_r.adv, out_f.adv, anchors(nets.D_ddp))
    nets.opt_d.zero_grad(set_to_none=True)
    loss.backward()
    nets.opt_d.step()
    # Class scores no loss trains (a projection D's) classify nothing: no accuracy to report
    cls_r = out_r.cls if D_HEADS[p.d_head].classifies else None
    return DStep(
        loss.detach(),
        out_r.adv.detach(),
        None if cls_r is None else cls_r.detach(),
        fake if keep_fake else None,
    )


@contextlib.contextmanager
def frozen(module: torch.nn.Module) -> Iterator[None]:
    """``module``'s weights need no gradients inside: autograd then skips computing them. G's
    step freezes D this way (as StyleGAN2-ADA does), saving D's weight gradients, which the
    next D step would throw away; the gradients reaching G are the same."""
    trained = [w for w in module.parameters() if w.requires_grad]
    for w in trained:
        w.requires_grad_(False)
    try:
        yield
    finally:
        for w in trained:
            w.requires_grad_(True)


def generator_step(
    nets: Nets,
    z: torch.Tensor,
    y_fake: torch.Tensor,
    real: torch.Tensor,
    p: TrainParams,
    augment: Augment,
    autocast: contextlib.AbstractContextManager[None],
    no_sync: contextlib.AbstractContextManager[None],
    fake: torch.Tensor | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Update G to fool D and be classified as the class it was asked for; returns G's loss and
    D's real/fake logits on the fakes. ``fake`` is G(z, y_fake) as the D step kept it (with its
    graph), else G runs here. D is frozen and DDP's ``no_sync`` (for D) spares averaging
    gradients D does not compute."""
    with no_sync, frozen(nets.D_ddp):
        with autocast:
            if fake is None:
                fake = nets.G(z, y_fake)
            out_f = nets.D(augment(fake), y_fake)
            loss = g_loss(out_f, y_fake, p)
            if p.feature_matching:
                with torch.no_grad():  # D's features do not read the labels (its heads do)
                    feat_r = nets.D(augment(real), y_fake[: len(real)]).features
                loss = loss + p.feature_matching * feature_matching(feat_r, out_f.features)
        nets.opt_g.zero_grad(set_to_none=True)
        loss.backward()
    nets.opt_g.step()
    return loss.detach(), out_f.adv.detach()


def step_stats(
    d: DStep, loss_g: torch.Tensor, adv_fake: torch.Tensor, y_real: torch.Tensor
) -> dict[str, float]:
    """The status line's numbers for one step, read back in one transfer (one GPU sync). The
    class accuracy is over the labelled reals; NaN where D has no classifier."""
    labelled = y_real != UNLABELLED
    class_acc = (
        ((d.cls_real.argmax(1) == y_real) & labelled).sum() / labelled.sum().clamp(min=1)
        if d.cls_real is not None
        else adv_fake.new_full((), math.nan, dtype=torch.float32)
    )
    values = torch.stack(
        [
            d.loss.float(),
            loss_g.float(),
            (d.adv_real > 0).float().mean(),
            (adv_fake < 0).float().mean(),
            class_acc,
        ]
    ).tolist()
    return dict(zip(STAT_NAMES, values, strict=True))
