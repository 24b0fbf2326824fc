"""D(x) -> (real/fake logit, class logits, features): one shared trunk, one or two heads."""

from __future__ import annotations

from itertools import pairwise

import torch
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

from ganpipe.models.layers import halvings, init_weights
from ganpipe.params import TrainParams


def ssl_split(logits: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Split K+1 logits (the last one "fake") into a real/fake logit and the K class logits.

    Salimans et al. 2016: p(real | x) = 1 - softmax(logits)[K], whose logit is
    ``logsumexp(logits[:K]) - logits[K]``; p(y | x, real) = softmax(logits[:K]). With these
    the usual BCE and class cross-entropy add up to the paper's loss (see tests/unit/train).
    """
    logits = logits.float()  # logsumexp in bf16 under autocast would lose the fake margin
    return torch.logsumexp(logits[:, :-1], dim=1) - logits[:, -1], logits[:, :-1]


class Discriminator(nn.Module):
    """Strided convolutions halve the image down to its base square; linear heads on top.

    With ``n_classes == 0`` there is no class head (unconditional DCGAN). With
    ``d_head: ssl`` one K+1-way head gives both outputs (:func:`ssl_split`) and there is no
    separate real/fake head.
    """

    def __init__(self, p: TrainParams, size: int, channels: int, n_classes: int) -> None:
        super().__init__()
        self.n_classes = n_classes
        base, n_down = halvings(size)
        widths = [channels] + [min(p.d_channels * 2**i, 512) for i in range(n_down)]
        sn = spectral_norm if p.d_spectral_norm else (lambda m: m)
        layers: list[nn.Module] = []
        for c_in, c_out in pairwise(widths):
            layers += [sn(nn.Conv2d(c_in, c_out, 4, 2, 1)), nn.LeakyReLU(p.leaky_slope)]
            if p.d_dropout:
                layers.append(nn.Dropout(p.d_dropout))
        self.trunk = nn.Sequential(*layers, nn.Flatten())
        features = widths[-1] * base * base
        self.ssl = p.d_head == "ssl"
        if self.ssl:  # params.py guarantees classes (mode acgan)
            self.class_head = sn(nn.Linear(features, n_classes + 1))
        else:
            self.adv_head = sn(nn.Linear(features, 1))
            self.class_head = sn(nn.Linear(features, n_classes)) if n_classes else None
        self.apply(init_weights)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor]:
        h = self.trunk(x)
        if self.ssl:
            return (*ssl_split(self.class_head(h)), h)
        logits = self.class_head(h) if self.class_head is not None else None
        return self.adv_head(h).squeeze(1), logits, h
