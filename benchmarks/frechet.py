"""Time the eigenvalue Fréchet distance against the scipy.linalg.sqrtm formula (pytorch-fid/TTUR).

Run: python benchmarks/frechet.py [--repeats N]. The last stdout line is one JSON object
({"eigen_s", "sqrtm_s", "speedup_vs_sqrtm"} at d=2048, plus CPU seconds, the d=256 figures and
the absolute difference between the two methods) so CI or a notebook can parse it.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable

import numpy as np
import scipy.linalg

from ganpipe.metrics.frechet import feature_statistics, frechet_distance


def sqrtm_frechet(mu1: np.ndarray, s1: np.ndarray, mu2: np.ndarray, s2: np.ndarray) -> float:
    """The reference formula: trace of scipy.linalg.sqrtm(Σ₁Σ₂), real part."""
    covmean = scipy.linalg.sqrtm(s1 @ s2).real
    diff = mu1 - mu2
    return float(diff @ diff + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))


def _statistics(d: int, n: int, seed: int) -> tuple[np.ndarray, ...]:
    """Two (mu, sigma) pairs from correlated, shifted gaussian features, like real extractors."""
    rng = np.random.default_rng(seed)
    mix = rng.standard_normal((d, d)) / np.sqrt(d)
    a = rng.standard_normal((n, d)) @ mix
    b = rng.standard_normal((n, d)) @ (mix + 0.1 * rng.standard_normal((d, d)) / np.sqrt(d)) + 0.1
    return (*feature_statistics(a), *feature_statistics(b))


def _best_time(fn: Callable[[], float], repeats: int) -> tuple[float, float, float]:
    """(fastest wall time, its CPU time over all threads, value) over ``repeats`` runs.

    CPU time shows the work done independently of other load on a shared machine.
    """
    best, value = (float("inf"), 0.0), 0.0
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        value = fn()
        best = min(best, (time.perf_counter() - t0, time.process_time() - c0))
    return best[0], best[1], value


def bench(d: int, repeats: int) -> dict[str, float]:
    """Eigen vs sqrtm timings and values at dimension ``d`` (n = 2d + 1000 samples)."""
    stats = _statistics(d, 2 * d + 1000, seed=d)
    eigen_s, eigen_cpu, eigen_v = _best_time(lambda: frechet_distance(*stats), repeats)
    sqrtm_s, sqrtm_cpu, sqrtm_v = _best_time(lambda: sqrtm_frechet(*stats), 1)
    print(
        f"d={d:5d}  eigen {eigen_s:8.3f} s (cpu {eigen_cpu:7.3f})  "
        f"sqrtm {sqrtm_s:8.3f} s (cpu {sqrtm_cpu:7.3f})  "
        f"speedup {sqrtm_s / eigen_s:6.1f}x  FD {eigen_v:.6f} vs {sqrtm_v:.6f}"
    )
    return {
        "eigen_s": eigen_s,
        "sqrtm_s": sqrtm_s,
        "eigen_cpu_s": eigen_cpu,
        "sqrtm_cpu_s": sqrtm_cpu,
        "abs_diff": abs(eigen_v - sqrtm_v),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="eigen timings (best of N)")
    args = parser.parse_args()
    small, large = bench(256, args.repeats), bench(2048, args.repeats)
    result = {
        "eigen_s": round(large["eigen_s"], 4),
        "sqrtm_s": round(large["sqrtm_s"], 4),
        "speedup_vs_sqrtm": round(large["sqrtm_s"] / large["eigen_s"], 2),
        "eigen_cpu_s": round(large["eigen_cpu_s"], 4),
        "sqrtm_cpu_s": round(large["sqrtm_cpu_s"], 4),
        "abs_diff_2048": large["abs_diff"],
        "eigen_256_s": round(small["eigen_s"], 5),
        "sqrtm_256_s": round(small["sqrtm_s"], 5),
        "speedup_vs_sqrtm_256": round(small["sqrtm_s"] / small["eigen_s"], 2),
        "abs_diff_256": small["abs_diff"],
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
