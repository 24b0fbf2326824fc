"""D(x) -> (real/fake logit, class logits, features): one shared trunk, two heads."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

from ganpipe.models.layers import halvings, init_weights
from ganpipe.params import TrainParams


class Discriminator(nn.Module):
    """Strided convolutions halve the image down to its base square; linear heads on top.

    With ``n_classes == 0`` there is no class head (unconditional DCGAN).
    """

    def __init__(self, p: TrainParams, size: int, channels: int, n_classes: int) -> None:
        super().__init__()
        self.n_classes = n_classes
        base, n_down = halvings(size)
        widths = [channels] + [min(p.d_channels * 2**i, 512) for i in range(n_down)]
        sn = spectral_norm if p.d_spectral_norm else (lambda m: m)
        layers: list[nn.Module] = []
        for c_in, c_out in zip(widths[:-1], widths[1:], strict=True):
            layers += [sn(nn.Conv2d(c_in, c_out, 4, 2, 1)), nn.LeakyReLU(p.leaky_slope)]
            if p.d_dropout:
                layers.append(nn.Dropout(p.d_dropout))
        self.trunk = nn.Sequential(*layers, nn.Flatten())
        features = widths[-1] * base * base
        self.adv_head = sn(nn.Linear(features, 1))
        self.class_head = sn(nn.Linear(features, n_classes)) if n_classes else None
        self.apply(init_weights)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor]:
        h = self.trunk(x)
        logits = self.class_head(h) if self.class_head is not None else None
        return self.adv_head(h).squeeze(1), logits, h
