"""The DCGAN-style D: strided convolutions down to the base square, then :mod:`heads`."""

from __future__ import annotations

from itertools import pairwise

import torch
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

from ganpipe.models.heads import DOutput, HeadedDiscriminator, Wrap
from ganpipe.models.layers import Blur, MinibatchStd, halvings, init_weights
from ganpipe.params import TrainParams


def sn_wrap(p: TrainParams) -> Wrap:
    """Spectral norm when ``train.d_spectral_norm`` asks for it, else the module as it is."""
    return spectral_norm if p.d_spectral_norm else (lambda m: m)


class Discriminator(HeadedDiscriminator):
    """Strided convolutions halve the image down to its base square; heads on the flattened map.

    With ``n_classes == 0`` there is no class head (unconditional DCGAN). ``d_blur`` low-passes
    each strided convolution's input; ``d_mbstd`` adds the minibatch standard deviation as one
    more map at the base square, before the heads.
    """

    def __init__(self, p: TrainParams, size: int, channels: int, n_classes: int) -> None:
        super().__init__()
        self.n_classes = n_classes
        base, n_down = halvings(size)
        widths = [channels] + [min(p.d_channels * 2**i, 512) for i in range(n_down)]
        sn = sn_wrap(p)
        layers: list[nn.Module] = []
        for c_in, c_out in pairwise(widths):
            if p.d_blur:
                layers.append(Blur(c_in))
            layers += [sn(nn.Conv2d(c_in, c_out, 4, 2, 1)), nn.LeakyReLU(p.leaky_slope)]
            if p.d_dropout:
                layers.append(nn.Dropout(p.d_dropout))
        if p.d_mbstd:
            layers.append(MinibatchStd())
        self.trunk = nn.Sequential(*layers, nn.Flatten())
        features = (widths[-1] + p.d_mbstd) * base * base
        self.build_heads(features, n_classes, p.d_head, sn, p.d_embed_dim)
        self.apply(init_weights)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> DOutput:
        """``y`` (class labels) is read by the projection and ReACGAN heads only."""
        return self.heads(self.trunk(x), y)
