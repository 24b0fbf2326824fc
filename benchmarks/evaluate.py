"""Time every offline metric for 10,000 generated vs 10,000 real 28x28 images.

Real images are Fashion-MNIST where ganpipe finds it (else random blobs), and serve as the
training split memorisation searches too; "generated" ones are the same images with noise, so
every metric has real work to do. The
domain classifier is trained briefly first (not timed). Last line: JSON with `all_metrics_s`
(target <= 60) and `frechet_2048_s` (target <= 2).
"""

from __future__ import annotations

import json
import time

import numpy as np
import torch

from ganpipe.data import ImageSet
from ganpipe.metrics.classifier import train_classifier
from ganpipe.metrics.frechet import feature_statistics, frechet_distance
from ganpipe.metrics.registry import EvalContext
from ganpipe.params import ClassifierParams, EvaluateParams
from ganpipe.registries.metrics import METRICS

N = 10_000


def real_images() -> tuple[torch.Tensor, torch.Tensor]:
    """Fashion-MNIST where ganpipe finds it (the Debian package's folder, its download cache,
    or a download), else random images."""
    from ganpipe.scrape.datasets import DatasetUnavailable, load_arrays

    try:
        images, labels = load_arrays("fashion-mnist", "train")
    except DatasetUnavailable:
        g = torch.Generator().manual_seed(0)
        return (
            torch.randint(0, 256, (N, 1, 28, 28), generator=g, dtype=torch.uint8),
            torch.randint(0, 10, (N,), generator=g),
        )
    return torch.from_numpy(images[:N, None].copy()), torch.from_numpy(labels[:N])


def main() -> None:
    torch.manual_seed(0)
    images, labels = real_images()
    classes = [str(c) for c in range(10)]
    real = ImageSet(images, labels, classes, [str(i) for i in range(N)])
    noisy = (images.float() + 25 * torch.randn(images.shape)).clamp(0, 255).to(torch.uint8)
    fake = ImageSet(noisy, labels, classes, real.ids)
    cp = ClassifierParams(epochs=1)
    classifier = train_classifier(real, cp)
    # CAS alone, as the stage computed it before the downstream classifiers, which
    # benchmarks/downstream.py times on a real run
    p = EvaluateParams(inception="off", downstream=False)
    ctx = EvalContext(fake, real, classifier, "0" * 64, p, cp, real_train=real)

    timings = {}
    start = time.perf_counter()
    for name, metric in METRICS.items():
        if name == "inception":
            continue
        t = time.perf_counter()
        metric.function(ctx)
        timings[name] = round(time.perf_counter() - t, 2)
        print(f"{name:32s} {timings[name]:7.2f} s")
    all_s = time.perf_counter() - start

    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((N, 2048)), rng.standard_normal((N, 2048)) + 0.1
    stats_a, stats_b = feature_statistics(a), feature_statistics(b)
    t = time.perf_counter()
    frechet_distance(*stats_a, *stats_b)
    fd_s = time.perf_counter() - t
    print(f"all offline metrics, {N} vs {N} at 28x28: {all_s:.1f} s (target <= 60)")
    print(f"Frechet distance from 2048-d statistics: {fd_s:.2f} s (target <= 2)")
    print(
        json.dumps(
            {
                "all_metrics_s": round(all_s, 2),
                "frechet_2048_s": round(fd_s, 3),
                "per_metric_s": timings,
            }
        )
    )


if __name__ == "__main__":
    main()
