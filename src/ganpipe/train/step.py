"""One discriminator update and one generator update: the training loop's inner steps.

Kept apart from the loop so that ``benchmarks/train.py`` times exactly what training runs.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable
from typing import NamedTuple

import torch

from ganpipe.models.heads import NO_CLASS_TERM, DOutput
from ganpipe.params import TrainParams
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


def discriminator_step(
    nets: Nets,
    real: torch.Tensor,
    y_real: torch.Tensor,
    z: torch.Tensor,
    y_fake: torch.Tensor,
    p: TrainParams,
    augment: Augment,
    autocast: contextlib.AbstractContextManager[None],
) -> DStep:
    """Update D on real images against detached fakes.

    Real and fake go through D as one batch: D has no batch statistics, so its outputs are those
    of two calls, at half the calls (larger convolutions, which is what the CPU runs faster).
    The ReACGAN loss compares images within the real batch only, as it would in two calls.
    """
    with autocast:
        with torch.no_grad():
            fake = nets.G(z, y_fake)
        out = nets.D(torch.cat([augment(real), augment(fake)]), torch.cat([y_real, y_fake]))
        out_r, out_f = out.split(len(real))
        loss = d_loss(out_r, y_real, out_f, y_fake, p)
    nets.opt_d.zero_grad(set_to_none=True)
    loss.backward()
    nets.opt_d.step()
    # Class scores no loss trains (a projection D's) classify nothing: no accuracy to report
    cls_r = None if p.d_head in NO_CLASS_TERM else out_r.cls
    return DStep(loss.detach(), out_r.adv.detach(), None if cls_r is None else cls_r.detach())


def generator_step(
    nets: Nets,
    z: torch.Tensor,
    y_fake: torch.Tensor,
    real: torch.Tensor,
    p: TrainParams,
    augment: Augment,
    autocast: contextlib.AbstractContextManager[None],
    no_sync: contextlib.AbstractContextManager[None],
) -> tuple[torch.Tensor, torch.Tensor]:
    """Update G to fool D and be classified as the class it was asked for; returns G's loss and
    D's real/fake logits on the fakes. D's gradients from this pass are dropped, so ``no_sync``
    (DDP's, for D) spares averaging them."""
    with no_sync:
        with autocast:
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
