"""Stripe statistic: how much more fine detail an image has down its columns than along its rows.

Horizontal stripes (rows alternating light and dark, the artefact of a generator whose
upsampling or a too-shallow D leaves row-periodic patterns) put power at high *vertical*
frequencies and hardly any at high horizontal ones. Per image, the statistic is

    high-frequency power with |f_y| >= cutoff  /  high-frequency power with |f_x| >= cutoff

from the Hann-windowed 2-D power spectrum of the image's luminance (the window removes the
wrap-around edge an FFT would otherwise see). A set's value is the geometric mean over its
images: a ratio averages in log space, and a blank image cannot dominate it. Real images give
the reference: generated images should score within a few percent of the real ones.
"""

from __future__ import annotations

import torch

CUTOFF = 0.25  # cycles per pixel: the upper half of the band below Nyquist (0.5)
EPS = 1e-8  # relative to an image's total power: a flat image scores 1, not 0/0


def stripe_ratios(images: torch.Tensor, cutoff: float = CUTOFF) -> torch.Tensor:
    """Per image (N, C, H, W; any dtype and range), vertical over horizontal high-frequency
    power. Above 1: more fine detail down the columns (horizontal stripes); below 1: more
    along the rows (vertical stripes)."""
    if images.ndim != 4 or min(images.shape[2:]) < 4:
        raise ValueError(
            f"stripe_ratios needs images shaped (N, C, H, W) of at least 4x4; got "
            f"{tuple(images.shape)}"
        )
    h, w = images.shape[2:]
    luma = images.double().mean(1)
    luma = luma - luma.mean((1, 2), keepdim=True)
    window = torch.outer(
        torch.hann_window(h, False, dtype=torch.float64),
        torch.hann_window(w, False, dtype=torch.float64),
    )
    power = torch.fft.fft2(luma * window).abs().square()
    fy = torch.fft.fftfreq(h, dtype=torch.float64).abs()[:, None].expand(h, w)
    fx = torch.fft.fftfreq(w, dtype=torch.float64).abs()[None, :].expand(h, w)
    eps = EPS * power.sum((1, 2)) + torch.finfo(torch.float64).tiny
    vertical = (power * (fy >= cutoff)).sum((1, 2))
    horizontal = (power * (fx >= cutoff)).sum((1, 2))
    return (vertical + eps) / (horizontal + eps)


def stripe_statistic(images: torch.Tensor, batch: int = 4096) -> float:
    """Geometric mean of :func:`stripe_ratios` over a set, in batches (bounded memory)."""
    logs = torch.cat(
        [stripe_ratios(images[i : i + batch]).log() for i in range(0, len(images), batch)]
    )
    return float(logs.mean().exp())
