"""The evaluate stage: the chosen metrics (``evaluate.metrics``) on the samples, and curves over
training snapshots and over truncation thresholds; the time of each, in
``metrics/evaluate.json``."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tqdm import tqdm

from ganpipe.data import ImageSet, load_image_set, split_holdout
from ganpipe.files import write_json
from ganpipe.generate import generate_images
from ganpipe.metrics.classifier import embed, load_classifier
from ganpipe.metrics.downstream import synthetic_subset
from ganpipe.metrics.frechet import feature_statistics, frechet_distance
from ganpipe.metrics.registry import HELD_OUT, EvalContext, fidelity_diversity
from ganpipe.metrics.runner import run_metrics, timed
from ganpipe.metrics.sampling import balanced_index
from ganpipe.modelfile import load_weights, read_model_file
from ganpipe.params import ClassifierParams, EvaluateParams
from ganpipe.sample import GENERATORS, generate, load_generator

TRUNCATION_SEED = 0  # the curve's latents: sample.seed's default, so its 0 point is the samples'


def curve_per_class(ctx: EvalContext) -> int:
    """Fakes per class for each point of either curve: ``evaluate.truncation_per_class``, but no
    more than the held-out reals of the largest class (a point's precision and recall use as
    many of each side, so more fakes would only cost time), and more than ``pr_k``."""
    most_real = int(ctx.real.labels.bincount().max())
    return max(min(ctx.p.truncation_per_class, most_real), ctx.p.pr_k + 1)


def snapshot_curve(
    ctx: EvalContext, generator_path: Path, snapshots: list[Path]
) -> list[dict[str, float]]:
    """Domain FD and conditional accuracy of every snapshot kept during training.

    The cat seed's "FID every 10 epochs", offline: plotted by `dvc plots` against kimg.
    """
    gen = load_generator(generator_path)
    real_stats = feature_statistics(ctx.real_embedding[0])
    n_classes = len(gen.classes) if gen.conditional else 0
    n = curve_per_class(ctx) * max(n_classes, 1)
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


def truncation_curve(ctx: EvalContext, generator_path: Path) -> list[dict[str, float]]:
    """The fidelity-diversity curve: at each ``evaluate.truncation_curve`` threshold,
    :func:`curve_per_class` fresh fakes per class scored against the same held-out reals."""
    gen = load_generator(generator_path)
    names = gen.classes if gen.conditional else gen.classes[:1]
    n = curve_per_class(ctx)
    y = torch.tensor([ctx.real.classes.index(name) for name in names]).repeat_interleave(n)
    curve = []
    for threshold in tqdm(ctx.p.truncation_curve, desc="truncation curve", unit="threshold"):
        images = torch.cat(
            [
                generate(gen, name if gen.conditional else None, n, TRUNCATION_SEED, threshold)
                for name in names
            ]
        )
        fake = ImageSet(images, y, ctx.real.classes, [str(i) for i in range(len(y))])
        point = {"truncation": threshold, **fidelity_diversity(ctx.with_fake(fake))}
        curve.append(_rounded(point))
    return curve


def _rounded(values: dict[str, Any]) -> dict[str, Any]:
    """Floats to 6 decimals (stable diffs); counts, strings and None (unavailable) as they are."""
    return {k: round(v, 6) if isinstance(v, float) else v for k, v in values.items()}


def evaluation_context(
    samples_dir: Path,
    real_dir: Path,
    classifier_path: Path,
    p: EvaluateParams,
    cp: ClassifierParams,
) -> EvalContext:
    """The samples, the real training and held-out splits, and the domain classifier."""
    classifier, classes, sha = load_classifier(classifier_path)
    fake = load_image_set(samples_dir, classes)
    if p.downstream:
        synthetic_subset(fake, p.downstream_per_class)  # too few samples: say so before any work
    real_train, real = split_holdout(load_image_set(real_dir, classes), cp.holdout)
    keep = np.zeros(len(real.labels), dtype=bool)
    keep[balanced_index(real.labels, p.n_real)] = True  # the cap takes every class alike
    real = real.subset(keep)
    return EvalContext(fake, real, classifier, sha, p, cp, real_train=real_train)


@dataclass(frozen=True)
class EvaluatePaths:
    """What evaluate reads and writes; without ``models`` (the train stage's folder) no curve is
    drawn, and each curve is written only where its path is given."""

    samples: Path
    real: Path
    classifier: Path
    metrics: Path
    models: Path | None = None
    curve: Path | None = None  # the snapshot curve
    truncation_curve: Path | None = None


def run_evaluate(
    paths: EvaluatePaths,
    *,
    params: EvaluateParams,
    classifier_params: ClassifierParams,
    checkpoint: str = "ema",
) -> dict[str, Any]:
    """Score the generated samples against the held-out real split with ``evaluate.metrics``.

    The truncation curve is drawn from the generator ``checkpoint`` names (``sample.checkpoint``:
    the one the samples came from); the snapshot curve from the exported EMA generator.
    """
    start = time.perf_counter()
    torch.manual_seed(0)
    p, cp, real_dir = params, classifier_params, paths.real
    times: dict[str, Any] = {}
    ctx = timed(
        times, "load", lambda: evaluation_context(paths.samples, real_dir, paths.classifier, p, cp)
    )
    results = {**times, **run_metrics(ctx)}
    results.update(
        {
            "protocol/n_real": len(ctx.real.labels),
            "protocol/n_fake": len(ctx.fake.labels),
            "protocol/reference": f"{real_dir} {HELD_OUT} {cp.holdout}",
            "protocol/extractor": "domain-classifier",
            "protocol/weights_sha256": ctx.classifier_sha256[:16],
        }
    )
    models_dir = paths.models
    if models_dir is not None and paths.curve is not None:
        snapshots = sorted((models_dir / "train" / "snapshots").glob("kimg*.pt"))
        curve = timed(
            results,
            "snapshot_curve",
            lambda: snapshot_curve(ctx, models_dir / "generator.pt", snapshots),
        )
        write_json(paths.curve, curve)
    if models_dir is not None and paths.truncation_curve is not None:
        generator = models_dir / GENERATORS[checkpoint]
        curve = timed(results, "truncation_curve", lambda: truncation_curve(ctx, generator))
        write_json(paths.truncation_curve, curve)
    results["time/total_s"] = round(time.perf_counter() - start, 3)
    print(f"[evaluate] total {results['time/total_s']:.0f} s")
    results = _rounded(results)
    write_json(paths.metrics, results)
    return results
