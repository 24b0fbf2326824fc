"""The evaluate stage: every registered metric on the samples, and a curve over snapshots."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch

from ganpipe.data import load_image_set, split_holdout
from ganpipe.files import write_json
from ganpipe.generate import generate_images
from ganpipe.metrics.classifier import embed, load_classifier
from ganpipe.metrics.frechet import feature_statistics, frechet_distance
from ganpipe.metrics.registry import METRICS, EvalContext
from ganpipe.modelfile import load_weights, read_model_file
from ganpipe.params import ClassifierParams, EvaluateParams
from ganpipe.sample import load_generator


def snapshot_curve(
    ctx: EvalContext, generator_path: Path, snapshots: list[Path], n: int = 2000
) -> list[dict[str, float]]:
    """Domain FD and conditional accuracy of every snapshot kept during training.

    The cat seed's "FID every 10 epochs", offline: plotted by `dvc plots` against kimg.
    """
    gen = load_generator(generator_path)
    real_stats = feature_statistics(ctx.real_embedding[0])
    n_classes = len(gen.classes) if gen.conditional else 0
    g = torch.Generator().manual_seed(2024)
    z = torch.randn(n, gen.model.z_dim, generator=g)
    y = torch.arange(n) % n_classes if n_classes else None
    curve = []
    for path in snapshots:
        weights = read_model_file(path, "a generator snapshot the train stage wrote")[0]
        load_weights(gen.model, weights, path, f"a snapshot of {generator_path}'s generator")
        feats, logits = embed(ctx.classifier, generate_images(gen.model, z, y))
        point = {
            "kimg": float(path.stem.removeprefix("kimg")),
            "domain_fd": frechet_distance(*feature_statistics(feats.numpy()), *real_stats),
        }
        if y is not None:
            point["conditional_accuracy"] = float((logits.argmax(1) == y).double().mean())
        curve.append(_rounded(point))
    return curve


def _rounded(values: dict[str, Any]) -> dict[str, Any]:
    """Floats to 6 decimals (stable diffs); strings and None (unavailable) as they are."""
    return {k: round(float(v), 6) if isinstance(v, int | float) else v for k, v in values.items()}


def run_evaluate(
    samples_dir: Path,
    real_dir: Path,
    classifier_path: Path,
    metrics_path: Path,
    p: EvaluateParams,
    cp: ClassifierParams,
    models_dir: Path | None = None,
    curve_path: Path | None = None,
) -> dict[str, Any]:
    """Score the generated samples against the held-out real split with every metric."""
    torch.manual_seed(0)
    classifier, classes, sha = load_classifier(classifier_path)
    fake = load_image_set(samples_dir, classes)
    real = split_holdout(load_image_set(real_dir, classes), cp.holdout)[1]
    real = real.subset(np.arange(len(real.labels)) < p.n_real)
    ctx = EvalContext(fake, real, classifier, sha, p, cp)
    results: dict[str, Any] = {}
    for name, metric in METRICS.items():
        results.update(_rounded(metric(ctx)))
        print(f"[evaluate] {name}: done")
    results.update(
        {
            "protocol/n_real": len(real.labels),
            "protocol/n_fake": len(fake.labels),
            "protocol/reference": f"{real_dir} held-out {cp.holdout}",
            "protocol/extractor": "domain-classifier",
            "protocol/weights_sha256": sha[:16],
        }
    )
    write_json(metrics_path, results)
    if models_dir is not None and curve_path is not None:
        snapshots = sorted((models_dir / "train" / "snapshots").glob("kimg*.pt"))
        curve = snapshot_curve(ctx, models_dir / "generator.pt", snapshots)
        write_json(curve_path, curve)
    return results
