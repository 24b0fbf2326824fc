"""Training throughput in fp32 and bf16 at 28 px grey and 64 px RGB, against matmul peaks.

Prints images/s of full training steps (the loop's own D and G steps, ganpipe.train.step) for
the default model (params.yaml, 28 px grey) and the small-colour default (presets/isic.yaml,
64 px RGB), in fp32 and, where the CPU has native bf16 (ganpipe.train.precision), under bf16
autocast as the loop runs it there. The FLOPs one real image costs come from torch's
FlopCounterMode over one step; the peak of each precision is the best matmul GFLOP/s over
several large sizes. Steps and matmuls are timed in interleaved rounds, best of each: noise on
a shared machine only ever slows a round down. Utilisation (achieved FLOP/s over the peak of
the precision used) above 1 means the peak was measured wrong, and stops the benchmark.
Last line: JSON with ``images_per_s`` (28 px, the precision training uses here), and per
model and precision ``img_s``, ``utilisation`` and ``bf16_speedup``.

``--device cuda`` measures the same steps on a GPU the way the loop runs them there: data on the
device, channels_last, bf16 autocast (and fp32, to compare), optionally ``--compile``, and
a larger ``--batch`` (a GPU needs thousands of images per step to fill), at 28, 64 and 128 px.
``--loop`` also times the real training loop (``ganpipe.train.training_loop``: sampling, EMA,
logging, snapshots) on a synthetic 10-class stage, as ``loop_images_per_s``.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import dataclasses
import json
import platform
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.profiler import record_function
from torch.utils.flop_counter import FlopCounterMode

from ganpipe.manifest import encode_png, write_image, write_manifest
from ganpipe.models import build_models
from ganpipe.params import TrainParams, load_section
from ganpipe.train.device import apply_speedups, speedups
from ganpipe.train.ema import update_ema
from ganpipe.train.loop import training_loop
from ganpipe.train.precision import cpu_has_native_bf16
from ganpipe.train.run import TrainPaths
from ganpipe.train.step import Nets, discriminator_step, generator_step

STEPS = {28: 20, 64: 4, 128: 2}  # timed steps per CPU round, by image size (~2-5 s each)
PEAK_SIZES = (1024, 2048, 3072, 4096)
PRECISIONS = {"fp32": torch.float32, "bf16": torch.bfloat16}
Model = tuple[TrainParams, tuple[int, int]]  # train params, (image size, channels)


def matmul_gflops(n: int, dtype: torch.dtype, repeats: int = 3) -> float:
    """GFLOP/s of an n x n matmul in ``dtype`` (oneDNN's bf16 kernels where the CPU has them)."""
    a, b = torch.randn(n, n, dtype=dtype), torch.randn(n, n, dtype=dtype)
    a @ b
    start = time.perf_counter()
    for _ in range(repeats):
        a @ b
    return 2 * n**3 * repeats / (time.perf_counter() - start) / 1e9


def matmul_peak(dtype: torch.dtype) -> float:
    """The best matmul rate over several large sizes: no single size is best on every CPU
    (one size measured alone once put the peak below what training reached)."""
    return max(matmul_gflops(n, dtype) for n in PEAK_SIZES)


def make_step(
    p: TrainParams,
    device: torch.device,
    amp: bool = False,
    compile_models: bool = False,
    image: tuple[int, int] = (28, 1),
    classes: int = 10,
    baseline: bool = False,
    augment: Callable[[torch.Tensor], torch.Tensor] | None = None,
) -> Callable[[], None]:
    """One training step as the loop runs it (ganpipe.train.step: D then G) on a fixed real
    batch of ``image`` = (size, channels), with the EMA update and ``augment`` (none by default)
    as labelled profiler regions: timing only, no data I/O. ``baseline`` is the step as bbdb077
    ran it: a second G forward for G's step, D's weight gradients computed there."""
    size, channels = image
    G, D = build_models(p, size, channels, classes)
    G, D = G.to(device), D.to(device)
    layout = apply_speedups(speedups(p, device), G, D)  # as the loop does; AMP as asked
    opt_g = torch.optim.Adam(G.parameters(), lr=p.lr_g, betas=tuple(p.betas_g))
    opt_d = torch.optim.Adam(D.parameters(), lr=p.lr_d, betas=tuple(p.betas_d))
    G_step, D_step = (torch.compile(G), torch.compile(D)) if compile_models else (G, D)
    # G's step freezes Nets.D_ddp; a module without weights in its place freezes nothing
    nets = Nets(G_step, D_step, torch.nn.Identity() if baseline else D, opt_g, opt_d)
    p = dataclasses.replace(p, reuse_fakes=p.reuse_fakes and not baseline)
    real = (torch.rand(p.batch_size, channels, size, size, device=device) * 2 - 1).contiguous(
        memory_format=layout
    )
    y = torch.randint(classes, (p.batch_size,), device=device)
    autocast = torch.autocast(device.type, dtype=torch.bfloat16, enabled=amp)
    G_ema = copy.deepcopy(G).requires_grad_(False)
    augment = augment or (lambda x: x)

    def labelled_augment(x: torch.Tensor) -> torch.Tensor:
        with record_function("augment"):
            return augment(x)

    def step() -> None:
        z = torch.randn(p.batch_size, p.z_dim, device=device)
        d = discriminator_step(nets, real, y, z, y, p, labelled_augment, autocast, p.reuse_fakes)
        if not p.reuse_fakes:
            z = torch.randn(p.batch_size, p.z_dim, device=device)
        same = contextlib.nullcontext()
        generator_step(nets, z, y, real, p, labelled_augment, autocast, same, d.fake)
        with record_function("ema"):
            update_ema(G_ema, G, 0.99)

    return step


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


def gpu(models: dict[str, Model], args: argparse.Namespace) -> dict[str, float]:
    """Images/s on CUDA at ``args.batch``, with and without AMP, at 28, 64 and 128 px."""
    device = torch.device("cuda")
    torch.backends.cudnn.benchmark = True
    out: dict[str, float] = {"gpu_batch": args.batch}
    for name, (p, image) in models.items():
        p = dataclasses.replace(p, batch_size=args.batch)
        for amp in (False, True):
            step = make_step(p, device, amp=amp, compile_models=args.compile, image=image)
            rate = images_per_s(step, p.batch_size, args.steps, torch.cuda.synchronize)
            out[f"gpu_img_s/{name}/{'amp' if amp else 'fp32'}"] = round(rate, 1)
            print(
                f"{torch.cuda.get_device_name()}: {name}, batch {args.batch}, "
                f"{'bf16 AMP' if amp else 'fp32'}: {rate:.0f} img/s"
            )
    out["gpu_images_per_s"] = out["gpu_img_s/28px/amp"]
    return out


def synthetic_stage(
    root: Path, classes: int = 10, per_class: int = 1000, size: int = 28, channels: int = 1
) -> Path:
    """A stage directory of noise images, grey 28x28 by default (speed ignores content)."""
    rng = np.random.default_rng(0)
    shape = (size, size) if channels == 1 else (size, size, channels)
    rows = [
        write_image(
            root,
            f"class{k}",
            encode_png(rng.integers(0, 256, shape, dtype=np.uint8)),
            "png",
            "synthetic",
            (size, size),
            "L" if channels == 1 else "RGB",
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
        paths = TrainPaths.in_folder(synthetic_stage(root / "stage"), root)
        result = training_loop(paths, p, holdout=0.0)
    return statistics.median(row["images_per_s"] for row in result["history"][1:])


def benchmark_models(gpu_run: bool) -> dict[str, Model]:
    """The default (28 px grey) and small-colour (64 px RGB) models; 128 px RGB on a GPU."""
    root = Path(__file__).resolve().parents[1]
    colour = load_section("train", root / "presets" / "isic.yaml")
    models = {
        "28px": (load_section("train", root / "params.yaml"), (28, 1)),
        "64px-rgb": (colour, (64, 3)),
    }
    if gpu_run:
        models["128px-rgb"] = (colour, (128, 3))
    return models


def cpu(models: dict[str, Model], rounds: int) -> dict[str, Any]:
    """Images/s per model, path (today's and bbdb077's) and precision, and utilisation
    against the same precision's peak."""
    precisions = ["fp32", "bf16"] if cpu_has_native_bf16() else ["fp32"]
    cpu_device = torch.device("cpu")
    steps, flops = {}, {}
    for name, (p, image) in models.items():
        for path, precision in [("now", pr) for pr in precisions] + [("bbdb077", "fp32")]:
            steps[name, path, precision] = make_step(
                p, cpu_device, precision == "bf16", image=image, baseline=path == "bbdb077"
            )
            if precision == "fp32":
                with FlopCounterMode(display=False) as counter:
                    steps[name, path, precision]()
                flops[name, path] = counter.get_total_flops() / p.batch_size
    rates: dict[tuple[str, str, str], list[float]] = {key: [] for key in steps}
    peaks: dict[str, list[float]] = {precision: [] for precision in precisions}
    for _ in range(rounds):  # interleaved, so a slow spell of a shared machine hits all
        for (name, path, precision), step in steps.items():
            p, (size, _) = models[name]
            rates[name, path, precision].append(
                images_per_s(step, p.batch_size, STEPS[size], lambda: None)
            )
        for precision in precisions:
            peaks[precision].append(matmul_peak(PRECISIONS[precision]))
    peak = {precision: max(values) for precision, values in peaks.items()}
    out: dict[str, Any] = {"matmul_peak_gflops": {k: round(v, 1) for k, v in peak.items()}}
    for (name, path, precision), values in rates.items():
        out.update(_report(name, path, precision, values, flops[name, path], peak[precision]))
    for name in models:
        speedup = out[f"img_s/{name}/fp32"] / out[f"img_s/{name}/fp32/bbdb077"]
        out[f"speedup_over_bbdb077/{name}"] = round(speedup, 2)
        print(f"{name}: today's fp32 step trains {speedup:.2f}x as many img/s as bbdb077's")
        if "bf16" in precisions:
            speedup = out[f"img_s/{name}/bf16"] / out[f"img_s/{name}/fp32"]
            out[f"bf16_speedup/{name}"] = round(speedup, 2)
            print(f"{name}: bf16 autocast trains {speedup:.2f}x as many img/s as fp32")
    used = precisions[-1]  # what train.amp picks on this CPU
    out["images_per_s"] = out[f"img_s/28px/{used}"]
    out["utilisation"] = out[f"utilisation/28px/{used}"]
    return out


def _report(
    name: str, path: str, precision: str, rates: list[float], flops: float, peak: float
) -> dict[str, float]:
    """One step's line and figures; stops if utilisation exceeds 1 (a peak measured wrong)."""
    rate = max(rates)  # best of each: noise only ever slows a round down
    utilisation = rate * flops / (peak * 1e9)
    print(
        f"{name} {path} {precision}: {rate:.0f} img/s (rounds {[round(r) for r in rates]}), "
        f"{flops / 1e6:.0f} MFLOP/img, {rate * flops / 1e9:.0f} GFLOP/s = "
        f"{utilisation:.0%} of the {precision} matmul peak {peak:.0f} GFLOP/s"
    )
    if utilisation > 1:
        raise SystemExit(
            f"utilisation {utilisation:.2f} > 1 for {name} {precision}: the matmul peak "
            f"({peak:.0f} GFLOP/s) was measured below what training reaches, "
            "so it is wrong (a noisy machine?); run again on a quieter one"
        )
    suffix = "" if path == "now" else f"/{path}"
    return {
        f"img_s/{name}/{precision}{suffix}": round(rate, 1),
        f"utilisation/{name}/{precision}{suffix}": round(utilisation, 3),
        f"mflop_per_image/{name}{suffix}": round(flops / 1e6, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    parser.add_argument("--batch", type=int, default=4096, help="batch size on CUDA")
    parser.add_argument("--steps", type=int, default=50, help="timed steps on CUDA")
    parser.add_argument("--compile", action="store_true", help="torch.compile G and D (CUDA)")
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
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
    models = benchmark_models(args.device == "cuda")
    p = models["28px"][0]
    if args.device == "cuda":
        out = gpu(models, args)
        if args.loop:
            gpu_p = dataclasses.replace(p, batch_size=args.batch, compile=args.compile)
            out["loop_images_per_s"] = round(loop_images_per_s(gpu_p, "cuda", args.loop), 1)
        print(json.dumps(out))
        return
    out = {"cpu": cpu_name(), "native_bf16": cpu_has_native_bf16(), **cpu(models, args.rounds)}
    if args.loop:
        out["loop_images_per_s"] = round(loop_images_per_s(p, "cpu", args.loop), 1)
    print(json.dumps(out))


def cpu_name() -> str:
    """``lscpu``'s model name (benchmarks name the CPU their figures come from)."""
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return platform.processor() or "unknown"
    names = [ln.split(":", 1)[1].strip() for ln in lscpu.splitlines() if "Model name" in ln]
    return names[0] if names else "unknown"


if __name__ == "__main__":
    main()
