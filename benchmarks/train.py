"""Training throughput of the default 28x28 model against this machine's measured fp32 peak.

Prints images/s of full training steps (D step + G step, as in the loop), the FLOPs one real
image costs (torch's FlopCounterMode over one step, divided by the batch), and the fp32 matmul
GFLOP/s measured in the same run. Last line: JSON with `images_per_s` and `utilisation`
(achieved FLOP/s over the matmul peak).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import torch
from torch.utils.flop_counter import FlopCounterMode

from ganpipe.models import build_models
from ganpipe.params import TrainParams, load_section
from ganpipe.train.losses import auxiliary, d_adversarial, g_adversarial

STEPS = 30


def matmul_gflops(n: int = 2048, repeats: int = 10) -> float:
    a, b = torch.randn(n, n), torch.randn(n, n)
    a @ b
    start = time.perf_counter()
    for _ in range(repeats):
        a @ b
    return 2 * n**3 * repeats / (time.perf_counter() - start) / 1e9


def make_step(p: TrainParams) -> Callable[[], None]:
    """One training step of the loop (D then G) on a fixed batch: timing only, no data I/O."""
    G, D = build_models(p, 28, 1, 10)
    opt_g = torch.optim.Adam(G.parameters(), lr=p.lr_g, betas=tuple(p.betas_g))
    opt_d = torch.optim.Adam(D.parameters(), lr=p.lr_d, betas=tuple(p.betas_d))
    real = torch.rand(p.batch_size, 1, 28, 28) * 2 - 1
    y = torch.randint(10, (p.batch_size,))

    def step() -> None:
        z = torch.randn(p.batch_size, p.z_dim)
        with torch.no_grad():
            fake = G(z, y)
        adv_r, cls_r, _ = D(real)
        adv_f, _, _ = D(fake)
        loss_d = d_adversarial(adv_r, adv_f, p.loss) + auxiliary(cls_r, y)
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()
        adv_f, cls_f, _ = D(G(z, y))
        loss_g = g_adversarial(adv_f, p.loss) + auxiliary(cls_f, y)
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()

    return step


def main() -> None:
    p = load_section("train", Path(__file__).resolve().parents[1] / "params.yaml")
    step = make_step(p)
    with FlopCounterMode(display=False) as counter:
        step()
    flops_per_image = counter.get_total_flops() / p.batch_size
    for _ in range(3):
        step()
    start = time.perf_counter()
    for _ in range(STEPS):
        step()
    images_per_s = STEPS * p.batch_size / (time.perf_counter() - start)
    peak = matmul_gflops()
    utilisation = images_per_s * flops_per_image / (peak * 1e9)
    print(f"default model: {images_per_s:.0f} img/s, {flops_per_image / 1e6:.1f} MFLOP per image")
    print(f"fp32 matmul peak measured here: {peak:.1f} GFLOP/s; utilisation {utilisation:.1%}")
    print(json.dumps({"images_per_s": round(images_per_s, 1),
                      "mflop_per_image": round(flops_per_image / 1e6, 2),
                      "matmul_gflops": round(peak, 1), "utilisation": round(utilisation, 3)}))


if __name__ == "__main__":
    main()
