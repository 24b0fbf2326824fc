"""Training throughput of the default 28x28 model against this machine's measured fp32 peak.

Prints images/s of full training steps (the loop's own D and G steps, ganpipe.train.step), the
FLOPs one real image costs (torch's FlopCounterMode over one step, divided by the batch), and the
fp32 matmul GFLOP/s measured in the same run, in interleaved rounds (best of each). Last line:
JSON with `images_per_s` and `utilisation` (achieved FLOP/s over the matmul peak).

``--device cuda`` measures the same steps on a GPU the way the loop runs them there: data on the
device, channels_last, bf16 autocast (and fp32, to compare), optionally ``--compile``, and
a larger ``--batch`` (a GPU needs thousands of images per step to fill). Its JSON line adds
``gpu_images_per_s``; utilisation stays a CPU figure. ``--loop`` also times the real training
loop (``ganpipe.train.training_loop``: sampling, EMA, logging, snapshots) on a synthetic
10-class stage, as ``loop_images_per_s``: what sampling, EMA and logging add to the steps.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from torch.utils.flop_counter import FlopCounterMode

from ganpipe.manifest import encode_png, write_image, write_manifest
from ganpipe.models import build_models
from ganpipe.params import TrainParams, load_section
from ganpipe.train.loop import apply_speedups, speedups, training_loop
from ganpipe.train.step import Nets, discriminator_step, generator_step

STEPS = 30


def matmul_gflops(n: int = 2048, repeats: int = 10) -> float:
    a, b = torch.randn(n, n), torch.randn(n, n)
    a @ b
    start = time.perf_counter()
    for _ in range(repeats):
        a @ b
    return 2 * n**3 * repeats / (time.perf_counter() - start) / 1e9


def make_step(
    p: TrainParams,
    device: torch.device,
    amp: bool = False,
    compile_models: bool = False,
    image: tuple[int, int] = (28, 1),
    classes: int = 10,
) -> Callable[[], None]:
    """One training step as the loop runs it (ganpipe.train.step: D then G) on a fixed real
    batch of ``image`` = (size, channels): timing only, no data I/O."""
    size, channels = image
    G, D = build_models(p, size, channels, classes)
    G, D = G.to(device), D.to(device)
    layout = apply_speedups(speedups(p, device), G, D)  # as the loop does; AMP as asked
    opt_g = torch.optim.Adam(G.parameters(), lr=p.lr_g, betas=tuple(p.betas_g))
    opt_d = torch.optim.Adam(D.parameters(), lr=p.lr_d, betas=tuple(p.betas_d))
    G_step, D_step = (torch.compile(G), torch.compile(D)) if compile_models else (G, D)
    nets = Nets(G_step, D_step, D, opt_g, opt_d)
    real = (torch.rand(p.batch_size, channels, size, size, device=device) * 2 - 1).contiguous(
        memory_format=layout
    )
    y = torch.randint(classes, (p.batch_size,), device=device)
    autocast = torch.autocast(device.type, dtype=torch.bfloat16, enabled=amp)

    def step() -> None:
        z = torch.randn(p.batch_size, p.z_dim, device=device)
        discriminator_step(nets, real, y, z, y, p, _no_augment, autocast)
        generator_step(nets, z, y, real, p, _no_augment, autocast, contextlib.nullcontext())

    return step


def _no_augment(x: torch.Tensor) -> torch.Tensor:
    return x


def images_per_s(
    step: Callable[[], None], batch: int, steps: int, sync: Callable[[], None]
) -> float:
    for _ in range(5):
        step()
    sync()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    sync()
    return steps * batch / (time.perf_counter() - start)


def gpu(p: TrainParams, args: argparse.Namespace) -> dict[str, float]:
    """Images/s on CUDA at ``args.batch``, with and without AMP."""
    p = dataclasses.replace(p, batch_size=args.batch)
    device = torch.device("cuda")
    torch.backends.cudnn.benchmark = True
    out = {"gpu_batch": args.batch}
    for amp in (False, True):
        step = make_step(p, device, amp=amp, compile_models=args.compile)
        rate = images_per_s(step, p.batch_size, args.steps, torch.cuda.synchronize)
        key = "gpu_images_per_s" if amp else "gpu_images_per_s_fp32"
        out[key] = round(rate, 1)
        print(
            f"{torch.cuda.get_device_name()}: batch {args.batch}, "
            f"{'bf16 AMP' if amp else 'fp32'}: {rate:.0f} img/s"
        )
    return out


def synthetic_stage(root: Path, classes: int = 10, per_class: int = 1000) -> Path:
    """A 28x28 grey stage directory of noise images (the loop's speed ignores content)."""
    rng = np.random.default_rng(0)
    rows = [
        write_image(
            root,
            f"class{k}",
            encode_png(rng.integers(0, 256, (28, 28), dtype=np.uint8)),
            "png",
            "synthetic",
            (28, 28),
            "L",
        )
        for k in range(classes)
        for _ in range(per_class)
    ]
    write_manifest(root, rows)
    return root


def loop_images_per_s(p: TrainParams, device: str, kimg: float) -> float:
    """Median images/s over the training loop's ticks after the first (warm-up) one."""
    p = dataclasses.replace(
        p, device=device, total_kimg=kimg, tick_kimg=kimg / 6, snapshot_kimg=kimg
    )
    with tempfile.TemporaryDirectory(prefix="ganpipe-bench-loop-") as tmp:
        root = Path(tmp)
        result = training_loop(
            synthetic_stage(root / "stage"),
            root / "models",
            p,
            root / "live",
            root / "train.json",
            None,
            holdout=0.0,
        )
    return statistics.median(row["images_per_s"] for row in result["history"][1:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    parser.add_argument("--batch", type=int, default=4096, help="batch size on CUDA")
    parser.add_argument("--steps", type=int, default=50, help="timed steps on CUDA")
    parser.add_argument("--compile", action="store_true", help="torch.compile G and D (CUDA)")
    parser.add_argument(
        "--rounds",
        type=int,
        default=5,
        help="CPU: timed rounds of steps and of matmuls; the best of each counts",
    )
    parser.add_argument(
        "--loop",
        type=float,
        default=0.0,
        metavar="KIMG",
        help="also time the real training loop for KIMG thousand images",
    )
    args = parser.parse_args()
    p = load_section("train", Path(__file__).resolve().parents[1] / "params.yaml")
    if args.device == "cuda":
        out = gpu(p, args)
        if args.loop:
            gpu_p = dataclasses.replace(p, batch_size=args.batch, compile=args.compile)
            out["loop_images_per_s"] = round(loop_images_per_s(gpu_p, "cuda", args.loop), 1)
        print(json.dumps(out))
        return
    step = make_step(p, torch.device("cpu"))
    with FlopCounterMode(display=False) as counter:
        step()
    flops_per_image = counter.get_total_flops() / p.batch_size
    rates, peaks = [], []
    for _ in range(args.rounds):  # interleaved, so a slow spell of a shared machine hits both
        rates.append(images_per_s(step, p.batch_size, STEPS, lambda: None))
        peaks.append(matmul_gflops())
    print(
        "rounds, img/s:",
        [round(r) for r in rates],
        " matmul GFLOP/s:",
        [round(g, 1) for g in peaks],
    )
    rate, peak = max(rates), max(peaks)  # best of each: noise only ever slows a run down
    utilisation = rate * flops_per_image / (peak * 1e9)
    print(f"default model: {rate:.0f} img/s, {flops_per_image / 1e6:.1f} MFLOP per image")
    print(f"fp32 matmul peak measured here: {peak:.1f} GFLOP/s; utilisation {utilisation:.1%}")
    out = {
        "images_per_s": round(rate, 1),
        "mflop_per_image": round(flops_per_image / 1e6, 2),
        "matmul_gflops": round(peak, 1),
        "utilisation": round(utilisation, 3),
    }
    if args.loop:
        out["loop_images_per_s"] = round(loop_images_per_s(p, "cpu", args.loop), 1)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
