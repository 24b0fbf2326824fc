"""The metric registry (after StyleGAN2-ADA's metric_main): one function per metric.

Each metric takes an :class:`EvalContext` (generated and real images, the domain classifier and
the features it computes once) and returns flat, stable keys for ``metrics/evaluate.json``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ganpipe.data import ImageSet, load_image_set, split_holdout
from ganpipe.metrics.classifier import DomainClassifier, embed, load_classifier
from ganpipe.metrics.frechet import feature_statistics, frechet_distance
from ganpipe.metrics.kid import kernel_inception_distance
from ganpipe.metrics.prdc import prdc
from ganpipe.params import ClassifierParams, EvaluateParams


@dataclass
class EvalContext:
    """Everything a metric may need; features are computed once, on first use."""

    fake: ImageSet
    real: ImageSet  # held-out real split
    classifier: DomainClassifier
    classifier_sha256: str
    p: EvaluateParams
    protocol: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def fake_embedding(self) -> tuple[np.ndarray, np.ndarray]:
        feats, logits = embed(self.classifier, self.fake.images)
        return feats.numpy(), logits.numpy()

    @cached_property
    def real_embedding(self) -> tuple[np.ndarray, np.ndarray]:
        feats, logits = embed(self.classifier, self.real.images)
        return feats.numpy(), logits.numpy()


def conditional_accuracy(ctx: EvalContext) -> dict[str, float]:
    """Share of generated images the domain classifier assigns to the class they were asked for.

    Also per class, and the classifier's accuracy on held-out real images as the ceiling.
    """
    predicted = ctx.fake_embedding[1].argmax(1)
    labels = ctx.fake.labels.numpy()
    real_acc = float((ctx.real_embedding[1].argmax(1) == ctx.real.labels.numpy()).mean())
    out = {"conditional_accuracy": float((predicted == labels).mean()),
           "classifier_real_accuracy": real_acc}
    for index, name in enumerate(ctx.fake.classes):
        mine = labels == index
        if mine.any():
            out[f"conditional_accuracy/{name}"] = float((predicted[mine] == index).mean())
    return out


def domain_fd(ctx: EvalContext) -> dict[str, float]:
    """Fréchet distance in the domain classifier's feature space (offline FID analogue)."""
    fake_stats = feature_statistics(ctx.fake_embedding[0])
    real_stats = feature_statistics(ctx.real_embedding[0])
    return {"domain_fd": frechet_distance(*fake_stats, *real_stats)}


def intra_class_fd(ctx: EvalContext) -> dict[str, float]:
    """Per-class Fréchet distance (fakes of class c vs reals of class c) and their mean."""
    out: dict[str, float] = {}
    for index, name in enumerate(ctx.fake.classes):
        fake = ctx.fake_embedding[0][ctx.fake.labels.numpy() == index]
        real = ctx.real_embedding[0][ctx.real.labels.numpy() == index]
        if len(fake) >= 2 and len(real) >= 2:
            out[f"intra_fd/{name}"] = frechet_distance(*feature_statistics(fake),
                                                       *feature_statistics(real))
    if out:
        out["intra_fd_mean"] = float(np.mean(list(out.values())))
    return out


def domain_kid(ctx: EvalContext) -> dict[str, float]:
    """Kernel distance in domain features: unbiased, so meaningful with few samples."""
    mean, std = kernel_inception_distance(ctx.real_embedding[0], ctx.fake_embedding[0],
                                          ctx.p.kid_subsets, ctx.p.kid_subset_size)
    return {"domain_kid_mean": mean, "domain_kid_std": std}


def domain_prdc(ctx: EvalContext) -> dict[str, float]:
    """Precision/recall (fidelity vs coverage of the real distribution), density, coverage."""
    n = min(len(ctx.real.labels), len(ctx.fake.labels), 5000)
    scores = prdc(ctx.real_embedding[0][:n], ctx.fake_embedding[0][:n], k=ctx.p.pr_k)
    return {f"domain_{k}": v for k, v in scores.items()}


METRICS: dict[str, Callable[[EvalContext], dict[str, float]]] = {
    "conditional_accuracy": conditional_accuracy,
    "domain_fd": domain_fd,
    "intra_class_fd": intra_class_fd,
    "domain_kid": domain_kid,
    "domain_prdc": domain_prdc,
}


def _rounded(values: dict[str, float]) -> dict[str, float]:
    return {k: round(float(v), 6) for k, v in values.items()}


def run_evaluate(samples_dir: Path, real_dir: Path, classifier_path: Path, metrics_path: Path,
                 p: EvaluateParams, cp: ClassifierParams) -> dict[str, Any]:
    """Score the generated samples against the held-out real split with every metric."""
    torch.manual_seed(0)
    classifier, classes, sha = load_classifier(classifier_path)
    fake = load_image_set(samples_dir, classes)
    real = split_holdout(load_image_set(real_dir, classes), cp.holdout)[1]
    real = real.subset(np.arange(len(real.labels)) < p.n_real)
    ctx = EvalContext(fake, real, classifier, sha, p)
    results: dict[str, Any] = {}
    for name, metric in METRICS.items():
        results.update(_rounded(metric(ctx)))
        print(f"[evaluate] {name}: done")
    results.update({"protocol/n_real": len(real.labels), "protocol/n_fake": len(fake.labels),
                    "protocol/reference": f"{real_dir} held-out {cp.holdout}",
                    "protocol/extractor": "domain-classifier",
                    "protocol/weights_sha256": sha[:16]})
    metrics_path.parent.mkdir(parents=True, exist_ok=True)
    metrics_path.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    return results
