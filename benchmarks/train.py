"""Training throughput of the default 28x28 model against this machine's measured fp32 peak.

Prints images/s of full training steps (D step + G step, as in the loop), the FLOPs one real
image costs (torch's FlopCounterMode over one step, divided by the batch), and the fp32 matmul
GFLOP/s measured in the same run. Last line: JSON with `images_per_s` and `utilisation`
(achieved FLOP/s over the matmul peak).

``--device cuda`` measures the same steps on a GPU the way the loop runs them there: data on the
device, channels_last, bf16 autocast (and fp32, to compare), optionally ``--compile``, and
a larger ``--batch`` (a GPU needs thousands of images per step to fill). Its JSON line adds
``gpu_images_per_s``; utilisation stays a CPU figure. ``--loop`` also times the real training
loop (``ganpipe.train.training_loop``: sampling, EMA, logging, snapshots) on a synthetic
10-class stage, as ``loop_images_per_s``: the steps above are its cost model.
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
from ganpipe.train import training_loop
from ganpipe.train.losses import d_loss, g_loss

STEPS = 30


def matmul_gflops(n: int = 2048, repeats: int = 10) -> float:
    a, b = torch.randn(n, n), torch.randn(n, n)
    a @ b
    start = time.perf_counter()
    for _ in range(repeats):
        a @ b
    return 2 * n**3 * repeats / (time.perf_counter() - start) / 1e9


def make_step(p: TrainParams, device: torch.device, amp: bool = False,
              compile_models: bool = False) -> Callable[[], None]:
    """One training step of the loop (D then G) on a fixed batch: timing only, no data I/O."""
    G, D = build_models(p, 28, 1, 10)
    layout = torch.channels_last  # as the loop does on CUDA and the CPU (loop.speedups)
    G, D = G.to(device, memory_format=layout), D.to(device, memory_format=layout)
    opt_g = torch.optim.Adam(G.parameters(), lr=p.lr_g, betas=tuple(p.betas_g))
    opt_d = torch.optim.Adam(D.parameters(), lr=p.lr_d, betas=tuple(p.betas_d))
    G_step, D_step = (torch.compile(G), torch.compile(D)) if compile_models else (G, D)
    real = (torch.rand(p.batch_size, 1, 28, 28, device=device) * 2 - 1).contiguous(
        memory_format=layout)
    y = torch.randint(10, (p.batch_size,), device=device)
    autocast = (torch.autocast(device.type, dtype=torch.bfloat16) if amp
                else contextlib.nullcontext())

    def step() -> None:
        z = torch.randn(p.batch_size, p.z_dim, device=device)
        with autocast:
            with torch.no_grad():
                fake = G_step(z, y)
            adv_r, cls_r, _ = D_step(real)
            adv_f, cls_f, _ = D_step(fake)
            loss_d = d_loss(adv_r, cls_r, y, adv_f, cls_f, y, p)
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()
        with autocast:
            adv_f, cls_f, _ = D_step(G_step(z, y))
            loss_g = g_loss(adv_f, cls_f, y, p)
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()

    return step


def images_per_s(step: Callable[[], None], batch: int, steps: int, sync: Callable[[], None]
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
        print(f"{torch.cuda.get_device_name()}: batch {args.batch}, "
              f"{'bf16 AMP' if amp else 'fp32'}: {rate:.0f} img/s")
    return out


def synthetic_stage(root: Path, classes: int = 10, per_class: int = 1000) -> Path:
    """A 28x28 grey stage directory of noise images (the loop's speed ignores content)."""
    rng = np.random.default_rng(0)
    rows = [write_image(root, f"class{k}", encode_png(rng.integers(0, 256, (28, 28),
                                                                    dtype=np.uint8)),
                        "png", "synthetic", (28, 28), "L")
            for k in range(classes) for _ in range(per_class)]
    write_manifest(root, rows)
    return root


def loop_images_per_s(p: TrainParams, device: str, kimg: float) -> float:
    """Median images/s over the training loop's ticks after the first (warm-up) one."""
    p = dataclasses.replace(p, device=device, total_kimg=kimg, tick_kimg=kimg / 6,
                            snapshot_kimg=kimg)
    with tempfile.TemporaryDirectory(prefix="ganpipe-bench-loop-") as tmp:
        root = Path(tmp)
        result = training_loop(synthetic_stage(root / "stage"), root / "models", p,
                               root / "live", root / "train.json", None, holdout=0.0)
    return statistics.median(row["images_per_s"] for row in result["history"][1:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    parser.add_argument("--batch", type=int, default=4096, help="batch size on CUDA")
    parser.add_argument("--steps", type=int, default=50, help="timed steps on CUDA")
    parser.add_argument("--compile", action="store_true", help="torch.compile G and D (CUDA)")
    parser.add_argument("--loop", type=float, default=0.0, metavar="KIMG",
                        help="also time the real training loop for KIMG thousand images")
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
    rate = images_per_s(step, p.batch_size, STEPS, lambda: None)
    peak = matmul_gflops()
    utilisation = rate * flops_per_image / (peak * 1e9)
    print(f"default model: {rate:.0f} img/s, {flops_per_image / 1e6:.1f} MFLOP per image")
    print(f"fp32 matmul peak measured here: {peak:.1f} GFLOP/s; utilisation {utilisation:.1%}")
    out = {"images_per_s": round(rate, 1), "mflop_per_image": round(flops_per_image / 1e6, 2),
           "matmul_gflops": round(peak, 1), "utilisation": round(utilisation, 3)}
    if args.loop:
        out["loop_images_per_s"] = round(loop_images_per_s(p, "cpu", args.loop), 1)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
