"""Images from a generator, and the grid they are shown in.

Training (snapshot grids and scores), sampling and evaluation (the snapshot curve) all generate
images the same way; this module sits below all three so none of them imports another
(docs/ARCHITECTURE.md, "Layers").
"""

from __future__ import annotations

import numpy as np
import torch
from PIL import Image

from ganpipe.data import to_uint8


def truncate(z: torch.Tensor, threshold: float, generator: torch.Generator) -> torch.Tensor:
    """BigGAN's truncation trick: every component of z ~ N(0, I) with |z_i| > ``threshold`` is
    drawn again from ``generator`` until none is left (0: z as it is, no draw taken).

    The result follows N(0, I) truncated to [-threshold, threshold] per component, so G only
    sees latents it was trained on (scaling z by psi would put it near the origin, where a
    100-d Gaussian has almost no mass). Components already inside are kept: image i of a
    truncated grid is image i of the untruncated one with its extreme components redrawn.
    """
    if threshold <= 0:
        return z
    z = z.clone()
    outside = z.abs() > threshold
    while outside.any():
        z[outside] = torch.randn(int(outside.sum()), generator=generator, dtype=z.dtype)
        outside = z.abs() > threshold
    return z


@torch.no_grad()
def generate_images(
    G: torch.nn.Module, z: torch.Tensor, y: torch.Tensor | None, batch_size: int = 500
) -> torch.Tensor:
    """uint8 images from a generator in eval mode (BatchNorm uses running statistics)."""
    G.eval()
    device = next(G.parameters()).device
    out = [
        to_uint8(
            G(
                z[i : i + batch_size].to(device),
                None if y is None else y[i : i + batch_size].to(device),
            )
            .float()
            .cpu()
        )
        for i in range(0, len(z), batch_size)
    ]
    return torch.cat(out)


def grid_image(images: torch.Tensor, rows: int) -> Image.Image:
    """uint8 (N, C, H, W) laid out in ``rows`` rows with a 2-pixel gutter."""
    n, c, h, w = images.shape
    cols = -(-n // rows)
    canvas = np.full((rows * (h + 2) + 2, cols * (w + 2) + 2, c), 255, dtype=np.uint8)
    for i, image in enumerate(images.permute(0, 2, 3, 1).numpy()):
        r, k = divmod(i, cols)
        canvas[2 + r * (h + 2) : 2 + r * (h + 2) + h, 2 + k * (w + 2) : 2 + k * (w + 2) + w] = image
    return Image.fromarray(canvas[:, :, 0] if c == 1 else canvas)
