"""Why colour samples look one-tone and textured: the suspects of issue 25, each with a number.

Reads generators kept by ``benchmarks/quality.py --keep DIR`` (one ``SUITE-CONTENDER.pt`` each)
and the suite's held-out real images, and prints for every generator:

- **BatchNorm coupling.** The exported G samples in eval mode with standing statistics: the
  same z alone and inside a batch of 64 must give the same image (``eval_batch1_vs_64``, max
  absolute difference in [-1, 1] units). In training, G's BatchNorm uses batch statistics: the
  same z inside a one-class batch against a mixed batch (``train_one_class_vs_mixed``), and
  the domain FD and colour spread of images generated with batch statistics, against standing
  statistics (``fd_batch_stats`` vs ``fd``): how far the EMA G with recomputed statistics is
  from what D saw.
- **Checkerboard.** The share of each image's spectral power (DC left out) at the pixel pitch
  (a horizontal or vertical frequency of 1/2 cycle per pixel), fakes over real
  (``pitch_power_ratio``): nearest upsampling + a 3x3 convolution in G, and a D that aliases
  what it downsamples, leave a pattern of period 2 that real photos do not have.
- **Colour and the class term** come from the quality runs themselves (colour spread and
  within-class MS-SSIM of contenders that differ in one setting): see the issue note.

Usage: ``python benchmarks/colour_diagnosis.py --suite sign DIR/sign-*.pt``. The last line is
JSON.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch
from quality import PER_CLASS, load_suite
from train import cpu_name

from ganpipe.data import ImageSet, to_uint8
from ganpipe.generate import generate_images
from ganpipe.metrics.colour import colour_spread as set_colour_spread
from ganpipe.metrics.registry import EvalContext, colour_spread, domain_fd
from ganpipe.params import ClassifierParams, EvaluateParams
from ganpipe.sample import load_generator

BATCH = 64


def pitch_power_share(images: torch.Tensor) -> float:
    """Mean share of spectral power (per channel, DC out) at 1/2 cycle per pixel on either
    axis: the period-2 pattern of a checkerboard."""
    x = images.double() / 127.5 - 1 if images.dtype == torch.uint8 else images.double()
    power = torch.fft.fft2(x - x.mean((2, 3), keepdim=True)).abs() ** 2
    h, w = x.shape[-2:]
    pitch = power[..., h // 2, :].sum(-1) + power[..., :, w // 2].sum(-1)
    return float((pitch / power.sum((-2, -1)).clamp(min=1e-12)).mean())


def coupling(G: torch.nn.Module, n_classes: int) -> dict[str, float]:
    """Eval mode: batch 1 vs 64; train mode (batch statistics): one-class vs mixed batch."""
    g = torch.Generator().manual_seed(1)
    z = torch.randn(BATCH, G.z_dim, generator=g)
    mixed = torch.arange(BATCH) % n_classes
    with torch.no_grad():
        G.eval()
        alone = G(z[:1], mixed[:1])
        batch = G(z, mixed)[:1]
        G.train()
        in_mixed = G(z, mixed)[:1]
        one_class = torch.full((BATCH,), int(mixed[0]))
        in_one = G(z, one_class)[:1]
        G.eval()
    return {
        "eval_batch1_vs_64": float((alone - batch).abs().max()),
        "train_one_class_vs_mixed": float((in_mixed - in_one).abs().mean()),
    }


def batch_stat_images(G: torch.nn.Module, z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Images as G makes them in training: BatchNorm on mixed batches of 64, no running
    statistics used (or changed: the momentum is 0)."""
    norms = [m for m in G.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    saved = [m.momentum for m in norms]
    for m in norms:
        m.momentum = 0.0
    order = torch.randperm(len(y), generator=torch.Generator().manual_seed(2))
    out = torch.empty(len(y), G.channels, G.size, G.size, dtype=torch.uint8)
    G.train()
    with torch.no_grad():
        for i in range(0, len(y), BATCH):
            idx = order[i : i + BATCH]
            out[idx] = to_uint8(G(z[idx], y[idx]).float())
    G.eval()
    for m, momentum in zip(norms, saved, strict=True):
        m.momentum = momentum
    return out


def diagnose(path: Path, suite_name: str) -> dict[str, float]:
    """Every figure above for one kept generator."""
    suite = load_suite(suite_name)
    G = load_generator(path).model
    classes = suite.real.classes
    y = torch.arange(len(classes)).repeat_interleave(PER_CLASS)
    z = torch.randn(len(y), G.z_dim, generator=torch.Generator().manual_seed(0))
    standing = generate_images(G, z, y)
    batch = batch_stat_images(G, z, y)
    names = [str(i) for i in range(len(y))]
    out: dict[str, float] = coupling(G, len(classes))
    for tag, images in (("", standing), ("_batch_stats", batch)):
        fake = ImageSet(images, y, classes, names)
        ctx = EvalContext(
            fake, suite.real, suite.classifier, suite.sha, EvaluateParams(), ClassifierParams()
        )
        out[f"fd{tag}"] = round(domain_fd(ctx)["domain_fd"], 3)
        out[f"colour_spread_ratio{tag}"] = round(
            colour_spread(ctx)["colour_spread_ratio_to_real"], 4
        )
    out["pitch_power_ratio"] = round(
        pitch_power_share(standing) / pitch_power_share(suite.real.images), 3
    )
    out["whole_set_colour_spread_ratio"] = round(
        set_colour_spread(standing) / set_colour_spread(suite.real.images), 4
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", choices=["sign", "emoji"], default="sign")
    parser.add_argument("generators", nargs="+", type=Path)
    args = parser.parse_args()
    result: dict[str, object] = {"cpu": cpu_name(), "suite": args.suite}
    for path in args.generators:
        result[path.stem] = diagnose(path, args.suite)
        print(f"{path.stem}: {result[path.stem]}", flush=True)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
