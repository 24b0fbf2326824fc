"""The domain classifier as a judge: trained to the accuracy its data allows.

Conditional accuracy, domain FD, KID and precision/recall are only as good as the classifier
behind them. The classifier stage therefore trains it harder than the small classifiers inside
curate and evaluate: a depth fit for the image size (:func:`judge_widths`), augmentation (random
translation, for colour images brightness and contrast, optional horizontal flips), and the
number of passes chosen by accuracy on a validation slice of the training split (the best pass
is kept; training stops after ``classifier.patience`` passes without a better one). The held-out
split stays untouched for the accuracy that evaluate reports.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Any

import torch
from torch.nn import functional as F

from ganpipe.data import ImageSet, split_holdout, to_float
from ganpipe.metrics.classifier import DomainClassifier, accuracy
from ganpipe.params import ClassifierParams

VALIDATION_SALT = "validation:"  # a split of its own, independent of the held-out one


def judge_widths(size: int, width: int = 16) -> tuple[int, ...]:
    """Channels per conv block: one block per halving down to 4-7 px (3 to 5 blocks), each
    twice as wide as the one before from ``width``. 28-32 px gets the small net; 64 px a fourth
    block of 8 x ``width``, which costs about as much again per batch as the three before it."""
    blocks = max(3, min(5, int(math.log2(size)) - 2))
    return tuple(width * 2**i for i in range(blocks))


def augment(x: torch.Tensor, p: ClassifierParams, g: torch.Generator) -> torch.Tensor:
    """A batch of float images, each shifted by up to 1/8 of its side (zero fill), brightness
    and contrast jittered by up to 10% when in colour, mirrored half the time with ``flip``."""
    n, c, size = x.shape[0], x.shape[1], x.shape[-1]
    shift = (torch.rand(n, 2, generator=g) * 2 - 1) * (2 * max(2, size // 8) / size)
    theta = torch.zeros(n, 2, 3)
    theta[:, 0, 0] = theta[:, 1, 1] = 1.0
    if p.flip:
        theta[:, 0, 0] = torch.where(torch.rand(n, generator=g) < 0.5, -1.0, 1.0)
    theta[:, :, 2] = shift
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    x = F.grid_sample(x + 1, grid, mode="nearest", align_corners=False) - 1  # fill: black (-1)
    if c == 3:
        gain = 1 + (torch.rand(n, 1, 1, 1, generator=g) * 2 - 1) * 0.1
        offset = (torch.rand(n, 1, 1, 1, generator=g) * 2 - 1) * 0.2
        mean = x.mean(dim=(1, 2, 3), keepdim=True)
        x = ((x - mean) * gain + mean + offset).clamp(-1, 1)
    return x.contiguous(memory_format=torch.channels_last)


@dataclass
class Fit:
    """A trained judge and how it was chosen."""

    model: DomainClassifier
    best_epoch: int
    epochs_run: int
    validation_accuracy: float

    def record(self) -> dict[str, Any]:
        return {
            "best_epoch": self.best_epoch,
            "epochs_run": self.epochs_run,
            "validation_accuracy": round(self.validation_accuracy, 6),
            "widths": list(self.model.widths),
        }


def _epoch(
    model: DomainClassifier,
    data: ImageSet,
    p: ClassifierParams,
    opt: torch.optim.Optimizer,
    sched: torch.optim.lr_scheduler.LRScheduler,
    g: torch.Generator,
) -> None:
    """One pass over ``data`` in random batches, augmented when ``p.augment``."""
    model.train()
    order = torch.randperm(len(data.labels), generator=g)
    for step in range(max(1, len(order) // p.batch_size)):
        index = order[step * p.batch_size : (step + 1) * p.batch_size]
        x = to_float(data.images[index])
        x = augment(x, p, g) if p.augment else x.contiguous(memory_format=torch.channels_last)
        loss = F.cross_entropy(model(x)[1], data.labels[index])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()


def fit_judge(train: ImageSet, p: ClassifierParams) -> Fit:
    """Up to ``p.epochs`` passes (more on a small set: ``p.min_steps`` batches in all) over the
    training split less its validation slice, one one-cycle schedule over them all, keeping the
    weights of the pass with the best validation accuracy."""
    fit, validation = split_holdout(train, p.validation, salt=VALIDATION_SALT)
    if len(validation.labels) == 0 or len(fit.labels) == 0:
        fit, validation = train, train  # too few images to spare any: choose on the fit itself
    torch.manual_seed(p.seed)
    g = torch.Generator().manual_seed(p.seed)
    model = DomainClassifier(
        train.channels, len(train.classes), train.size, judge_widths(train.size, p.width)
    )
    opt = torch.optim.Adam(model.parameters(), lr=p.lr)
    steps = max(1, len(fit.labels) // p.batch_size)
    passes = max(p.epochs, math.ceil(p.min_steps / steps))
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=p.lr, total_steps=passes * steps)
    best, best_state, best_epoch, epoch = -1.0, model.state_dict(), 0, 0
    for epoch in range(1, passes + 1):
        _epoch(model, fit, p, opt, sched, g)
        score = accuracy(model, validation)
        print(f"[classifier] pass {epoch}: validation accuracy {score:.4f}", flush=True)
        if score > best:
            best, best_state, best_epoch = score, copy.deepcopy(model.state_dict()), epoch
        elif epoch - best_epoch >= p.patience:
            break
    model.load_state_dict(best_state)
    return Fit(model.eval(), best_epoch, epoch, best)
