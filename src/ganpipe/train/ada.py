"""ADA, adaptive discriminator augmentation (Karras et al. 2020, "Training GANs with limited
data"): augment every image D sees, real and fake alike, each op applied per image with a
probability ``p`` that follows how much D overfits.

The overfitting heuristic is r_t = E[sign(D(real))]: near 0 while D cannot tell the training
images from new ones, near 1 once it has learned them by heart. Every ``ada_interval`` D steps,
p moves up when r_t is above ``ada_target`` and down when below, by as much as lets it cross
0 -> 1 in ``ada_kimg`` thousand real images.

The ops are differentiable (G learns through them) and, at p < ~0.8, do not leak into G's
images: D sees each image un-augmented often enough that G gains nothing by producing them.
Geometric ops compose into one affine map per image (one resampling, as StyleGAN2-ADA does,
without its anti-aliasing filters); colour ops into one 4x4 colour matrix per image.
"""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.distributed as dist
from torch.nn import functional as F

from ganpipe.params import ADA_OPS
from ganpipe.train.diffaugment import Draw, cutout

TRANSLATE = 0.125  # integer translation: up to 1/8 of the image, as StyleGAN2-ADA
LOG2_STD = {"scale": 0.2, "aniso": 0.2, "contrast": 0.5, "saturation": 1.0}
BRIGHTNESS_STD = 0.2
LUMA = torch.tensor([1.0, 1.0, 1.0, 0.0]) / math.sqrt(3)  # the grey axis in homogeneous RGB


class Ada:
    """The augmentation probability ``p`` and the r_t sums since its last adjustment.

    Part of the training state (:class:`ganpipe.train.state.TrainState`): a resumed run goes
    on with exactly this p and these sums. ``target == 0`` leaves p at 0 (ADA off).
    """

    def __init__(self, target: float = 0.0, kimg: float = 500.0, interval: int = 4) -> None:
        self.target, self.kimg, self.interval = target, kimg, interval
        self.p = 0.0
        self.signs: torch.Tensor | float = 0.0  # sum of sign(D(real)), on D's device
        self.count = 0  # real images behind ``signs``
        self.steps = 0  # D steps behind ``signs``

    def observe(self, real_logits: torch.Tensor) -> None:
        """Add one D step's real logits; adjust p every ``interval`` steps. The sum stays on
        the device, so only an adjustment reads it back (one sync per interval)."""
        if not self.target:
            return
        self.signs = self.signs + torch.sign(real_logits.detach().float()).sum()
        self.count += len(real_logits)
        self.steps += 1
        if self.steps % self.interval == 0:
            self.adjust()

    def adjust(self) -> None:
        """p += sign(r_t - target) x images seen / (ada_kimg x 1000), within [0, 1]. Under
        torchrun the sums are over every process, so every process gets the same p."""
        device = self.signs.device if isinstance(self.signs, torch.Tensor) else None
        sums = torch.stack(
            [
                torch.as_tensor(self.signs, device=device).float(),
                torch.tensor(self.count, device=device).float(),
            ]
        )
        if dist.is_available() and dist.is_initialized():
            dist.all_reduce(sums)
        signs, count = sums.tolist()
        r_t = signs / max(count, 1.0)
        step = math.copysign(count / (self.kimg * 1000), r_t - self.target)
        self.p = min(max(self.p + (step if r_t != self.target else 0.0), 0.0), 1.0)
        self.signs, self.count = 0.0, 0

    def state_dict(self) -> dict[str, Any]:
        signs = float(self.signs) if isinstance(self.signs, torch.Tensor) else self.signs
        return {"p": self.p, "signs": signs, "count": self.count, "steps": self.steps}

    def load_state_dict(self, saved: dict[str, Any]) -> None:
        self.p, self.signs = float(saved["p"]), float(saved["signs"])
        self.count, self.steps = int(saved["count"]), int(saved["steps"])


def ada_augment(
    x: torch.Tensor, p: float, ops: str, g: torch.Generator, rank: int = 0, world: int = 1
) -> torch.Tensor:
    """Augment a batch with each of the comma-separated ``ops`` (params.ADA_OPS) applied to
    each image with probability ``p``; ``x`` is slice ``rank`` of a global batch over ``world``
    processes, drawn from ``g`` as DiffAugment draws (:class:`~ganpipe.train.diffaugment.Draw`).
    """
    names = {o.strip() for o in ops.split(",") if o.strip()}
    if p <= 0 or not names:
        return x
    draw = Draw(g, x.shape[0], torch.device("cpu"), rank, world)  # parameters drawn on the CPU
    layout = (
        torch.channels_last
        if x.is_contiguous(memory_format=torch.channels_last) and x.shape[1] > 1
        else torch.contiguous_format
    )
    theta, blit = _geometry(draw, p, names, x.shape[-1])
    if theta is not None:  # in fp32: bf16 coordinates would be off by pixels at 128 px
        grid = F.affine_grid(theta.to(x.device), list(x.shape), align_corners=False)
        mode = "nearest" if blit else "bilinear"  # whole-pixel moves copy pixels exactly
        moved = F.grid_sample(x.float(), grid, mode, "reflection", align_corners=False)
        x = moved.to(x.dtype).contiguous(memory_format=layout)
    if "color" in names:
        x = _apply_colour(x, _colour(draw, p, x.shape[1]).to(x.device, x.dtype))
    if "cutout" in names:
        x = cutout(x, draw, chosen=_chosen(draw, p).to(x.device))
    return x


def _chosen(draw: Draw, p: float) -> torch.Tensor:
    """Which images an op applies to: each with probability p."""
    return draw.rand() < p


def _affine(a: torch.Tensor, b: torch.Tensor, c: torch.Tensor, d: torch.Tensor) -> torch.Tensor:
    """(N, 3, 3) matrices [[a, b, 0], [c, d, 0], [0, 0, 1]]."""
    zero, one = torch.zeros_like(a), torch.ones_like(a)
    rows = [a, b, zero, c, d, zero, zero, zero, one]
    return torch.stack(rows, dim=1).view(-1, 3, 3)


def _geometry(draw: Draw, p: float, names: set[str], size: int) -> tuple[torch.Tensor | None, bool]:
    """Per image, the (N, 2, 3) map from output to input coordinates (normalised, centred),
    or None when it is the identity for every image; and whether every map only moves whole
    pixels (x-flip, quarter turns, integer translation). Each op's parameters are symmetric
    about the identity, so a map and its inverse are equally likely and the order of drawing is
    the only thing that matters (xflip, rotate90, translation, scale, rotate, aniso)."""
    n = draw.n
    m = torch.eye(3).expand(n, 3, 3)
    zero, one = torch.zeros(n), torch.ones(n)
    if "xflip" in names:
        flip = _chosen(draw, p) & (draw.rand() < 0.5)
        m = m @ _affine(1 - 2 * flip.float(), zero, zero, one)
    if "rotate90" in names:
        k = torch.where(_chosen(draw, p), draw.randint(0, 4), 0)
        cos, sin = torch.tensor([1.0, 0.0, -1.0, 0.0])[k], torch.tensor([0.0, 1.0, 0.0, -1.0])[k]
        m = m @ _affine(cos, -sin, sin, cos)  # exact: pixel centres land on pixel centres
    if "translation" in names:  # whole pixels: a translation by index, no blur
        pixels = torch.round((draw.rand(2) * 2 - 1) * TRANSLATE * size)
        shift = torch.where(_chosen(draw, p)[:, None], pixels, 0.0) * 2 / size
        translate = torch.eye(3).repeat(n, 1, 1)
        translate[:, :2, 2] = shift
        m = m @ translate
    blit = m.clone()
    if "scale" in names:
        s = _log_normal(draw, p, "scale")
        m = m @ _affine(s, zero, zero, s)
    if "rotate" in names:
        angle = torch.where(_chosen(draw, p), (draw.rand() * 2 - 1) * math.pi, 0.0)
        m = m @ _affine(angle.cos(), -angle.sin(), angle.sin(), angle.cos())
    if "aniso" in names:
        s = _log_normal(draw, p, "aniso")
        m = m @ _affine(s, zero, zero, 1 / s)
    if torch.equal(m, torch.eye(3).expand(n, 3, 3)):
        return None, True
    return m[:, :2, :], torch.equal(m, blit)


def _log_normal(draw: Draw, p: float, name: str) -> torch.Tensor:
    """2^N(0, std) for the chosen images, 1 for the others."""
    return torch.where(_chosen(draw, p), torch.exp2(draw.randn() * LOG2_STD[name]), 1.0)


def _colour(draw: Draw, p: float, channels: int) -> torch.Tensor:
    """Per image, a (N, 4, 4) colour matrix on homogeneous RGB: brightness, contrast, luma
    flip, and for colour images hue rotation and saturation, each with probability p."""
    n, eye = draw.n, torch.eye(4)
    vv = LUMA[:, None] * LUMA[None, :]
    brightness = torch.where(_chosen(draw, p), draw.randn() * BRIGHTNESS_STD, 0.0)
    c = eye.repeat(n, 1, 1)
    c[:, :3, 3] = brightness[:, None]
    contrast = _log_normal(draw, p, "contrast")
    c = torch.diag_embed(torch.stack([contrast] * 3 + [torch.ones(n)], 1)) @ c
    flip = (_chosen(draw, p) & (draw.rand() < 0.5)).float()
    c = (eye - 2 * vv * flip[:, None, None]) @ c  # Householder reflection of the grey axis
    if channels > 1:
        hue = torch.where(_chosen(draw, p), (draw.rand() * 2 - 1) * math.pi, 0.0)
        c = _rotation_about_luma(hue) @ c
        saturation = _log_normal(draw, p, "saturation")
        c = (vv + (eye - vv) * saturation[:, None, None]) @ c
    return c


def _rotation_about_luma(angle: torch.Tensor) -> torch.Tensor:
    """(N, 4, 4) rotations by ``angle`` about the grey axis (Rodrigues' formula)."""
    v = LUMA[:3]
    cross = torch.tensor([[0.0, -v[2], v[1]], [v[2], 0.0, -v[0]], [-v[1], v[0], 0.0]])
    outer = v[:, None] * v[None, :]
    cos, sin = angle.cos()[:, None, None], angle.sin()[:, None, None]
    rot = cos * torch.eye(3) + sin * cross + (1 - cos) * outer
    out = torch.eye(4).repeat(len(angle), 1, 1)
    out[:, :3, :3] = rot
    return out


def _apply_colour(x: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
    """x' = C x on each pixel; a grey image takes the mean of C's rows (its one channel is R,
    G and B at once). einsum, then back to x's layout, takes 4 ms for 128 RGB images of 64 px
    on one CPU core, against 15 ms for a batched matmul on the NHWC view."""
    if x.shape[1] == 1:
        rows = c[:, :3, :].mean(dim=1)  # (N, 4)
        return x * rows[:, :3].sum(1)[:, None, None, None] + rows[:, 3][:, None, None, None]
    layout = (
        torch.channels_last
        if x.is_contiguous(memory_format=torch.channels_last)
        else torch.contiguous_format
    )
    out = torch.einsum("nij,njhw->nihw", c[:, :3, :3], x) + c[:, :3, 3, None, None]
    return out.contiguous(memory_format=layout)


__all__ = ["ADA_OPS", "Ada", "ada_augment"]
