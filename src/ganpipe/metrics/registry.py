"""The metric registry (after StyleGAN2-ADA's metric_main): one function per metric.

Each metric takes an :class:`EvalContext` (generated and real images, the domain classifier and
the features it computes once) and returns flat, stable keys for ``metrics/evaluate.json``. A
metric that caps its images takes the same number from every class
(:func:`sampling.balanced_index`) and says what it scored (``protocol/<metric>/...``,
:func:`sampling.seen`); for the others the runner records every fake and every held-out real
(:func:`every_image`). The table of metrics, which images each applies to and whether it rests
on the domain classifier's judgement, is ``ganpipe/registries/metrics.py``; :data:`IMAGES` says
what its ``images`` values mean.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from ganpipe.data import ImageSet
from ganpipe.metrics.classifier import (
    DomainClassifier,
    accuracy,
    embed,
    train_classifier,
)
from ganpipe.metrics.colour import class_colour_spreads
from ganpipe.metrics.diversity import mean_pairwise_similarity, nearest_real_ssim
from ganpipe.metrics.downstream import downstream_scores, scaled_steps, synthetic_subset
from ganpipe.metrics.frechet import feature_statistics, frechet_distance
from ganpipe.metrics.inception import inception_metrics
from ganpipe.metrics.kid import kernel_inception_distance
from ganpipe.metrics.prdc import prdc
from ganpipe.metrics.sampling import balanced_index, seen
from ganpipe.metrics.stripes import stripe_statistic
from ganpipe.params import ClassifierParams, EvaluateParams
from ganpipe.registries.metrics import Images

DIVERSITY_PAIRS = 500  # random pairs per class and side
MEMORISATION_FAKES = 500  # fakes, over every class, checked against G's training images
PRDC_MAX = 5000  # images per side for precision/recall: its k-NN balls cost n^2
HELD_OUT, TRAIN = "held-out", "train"  # the real splits a metric may score against
STATS_CACHE = Path.home() / ".cache" / "ganpipe" / "inception-stats"  # keyed by content hash


@dataclass
class EvalContext:
    """Everything a metric may need; features are computed once, on first use."""

    fake: ImageSet
    real: ImageSet  # held-out real split
    classifier: DomainClassifier
    classifier_sha256: str
    p: EvaluateParams
    cp: ClassifierParams
    real_train: ImageSet | None = None  # the real training split: G's images, the downstream's

    def with_fake(self, fake: ImageSet) -> EvalContext:
        """The same reals and classifier against other fakes, the real features computed once."""
        other = replace(self, fake=fake)
        other.__dict__["real_embedding"] = self.real_embedding  # cached_property's slot
        return other

    @cached_property
    def fake_embedding(self) -> tuple[np.ndarray, np.ndarray]:
        feats, logits = embed(self.classifier, self.fake.images)
        return feats.numpy(), logits.numpy()

    @cached_property
    def real_embedding(self) -> tuple[np.ndarray, np.ndarray]:
        feats, logits = embed(self.classifier, self.real.images)
        return feats.numpy(), logits.numpy()

    @cached_property
    def judge_accuracy(self) -> float:
        """The domain classifier's accuracy on the held-out reals: how far its verdicts go."""
        return float((self.real_embedding[1].argmax(1) == self.real.labels.numpy()).mean())

    def training_split(self, metric: str) -> ImageSet:
        """The real images G trained on; a metric that needs them fails without."""
        if self.real_train is None:
            raise ValueError(f"{metric} needs the real training split (EvalContext.real_train)")
        return self.real_train


def every_image(ctx: EvalContext, metric: str) -> dict[str, Any]:
    """The protocol of a metric over every fake and every held-out real: what the runner
    records for a metric that returns no ``protocol/<metric>/...`` of its own."""
    return seen(metric, ctx.fake.labels, ctx.real.labels, HELD_OUT)


def conditional_accuracy(ctx: EvalContext) -> dict[str, float]:
    """Share of generated images the domain classifier assigns to the class they were asked for.

    Also per class, and the classifier's accuracy on held-out real images as the ceiling.
    """
    predicted = ctx.fake_embedding[1].argmax(1)
    labels = ctx.fake.labels.numpy()
    out = {
        "conditional_accuracy": float((predicted == labels).mean()),
        "classifier_real_accuracy": ctx.judge_accuracy,
    }
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
            out[f"intra_fd/{name}"] = frechet_distance(
                *feature_statistics(fake), *feature_statistics(real)
            )
    if out:
        out["intra_fd_mean"] = float(np.mean(list(out.values())))
    return out


def domain_kid(ctx: EvalContext) -> dict[str, float]:
    """Kernel distance in domain features: unbiased, so meaningful with few samples."""
    mean, std = kernel_inception_distance(
        ctx.real_embedding[0], ctx.fake_embedding[0], ctx.p.kid_subsets, ctx.p.kid_subset_size
    )
    return {"domain_kid_mean": mean, "domain_kid_std": std}


def domain_prdc(ctx: EvalContext) -> dict[str, Any]:
    """Precision/recall (fidelity vs coverage of the real distribution), density, coverage,
    on as many images per side, every class alike."""
    n = min(len(ctx.real.labels), len(ctx.fake.labels), PRDC_MAX)
    real, fake = balanced_index(ctx.real.labels, n), balanced_index(ctx.fake.labels, n)
    scores = prdc(ctx.real_embedding[0][real], ctx.fake_embedding[0][fake], k=ctx.p.pr_k)
    return {
        **{f"domain_{k}": v for k, v in scores.items()},
        **seen("domain_prdc", ctx.fake.labels[fake], ctx.real.labels[real], HELD_OUT),
    }


def fidelity_diversity(ctx: EvalContext) -> dict[str, float]:
    """One point of the truncation curve: domain precision, recall, FD, conditional accuracy."""
    point = {
        "conditional_accuracy": conditional_accuracy(ctx)["conditional_accuracy"],
        **domain_fd(ctx),
        **domain_prdc(ctx),
    }
    return {k: v for k, v in point.items() if not k.startswith("protocol/")}


def downstream(ctx: EvalContext) -> dict[str, float]:
    """Does training on synthetic images help? (downstream.py). CAS (Ravuri & Vinyals 2019) is
    the synthetic-only classifier's accuracy on real images: high when the samples carry each
    class's real features; collapsed or off-class samples give a classifier that fails on real
    data. With ``evaluate.downstream`` off, CAS alone, as one classifier trained for
    ``classifier.epochs`` over the samples."""
    split = f"fit on {TRAIN} (real arms), tested on {HELD_OUT}"
    if not ctx.p.downstream:
        cas = accuracy(train_classifier(ctx.fake, ctx.cp), ctx.real)
        return {"cas": cas, **seen("downstream", ctx.fake.labels, ctx.real.labels, HELD_OUT)}
    real = ctx.training_split("evaluate.downstream").first_per_class(
        ctx.p.downstream_real_per_class
    )
    synthetic = synthetic_subset(ctx.fake, ctx.p.downstream_per_class)
    steps = scaled_steps(
        len(real.labels), ctx.cp.batch_size, ctx.p.downstream_steps, ctx.p.downstream_passes
    )
    scores = downstream_scores(real, synthetic, ctx.real, ctx.cp, steps, ctx.p.downstream_seeds)
    return {**scores, **seen("downstream", synthetic.labels, real.labels, split)}


def intra_class_diversity(ctx: EvalContext) -> dict[str, float]:
    """Mean pairwise (MS-)SSIM within each class, generated vs real (the AC-GAN paper's measure).

    A class is flagged as collapsed when the fakes' diversity (1 - similarity) is below
    ``collapse_ratio`` times the real images' diversity.
    """
    out: dict[str, float] = {}
    flagged = 0
    for index, name in enumerate(ctx.fake.classes):
        fake = ctx.fake.images[ctx.fake.labels == index]
        real = ctx.real.images[ctx.real.labels == index]
        if len(fake) < 2 or len(real) < 2:
            continue
        fake_sim = mean_pairwise_similarity(fake, DIVERSITY_PAIRS, seed=index)
        real_sim = mean_pairwise_similarity(real, DIVERSITY_PAIRS, seed=index)
        collapsed = (1 - fake_sim) < ctx.p.collapse_ratio * (1 - real_sim)
        flagged += collapsed
        out.update(
            {
                f"similarity/{name}/fake": fake_sim,
                f"similarity/{name}/real": real_sim,
                f"mode_collapse/{name}": float(collapsed),
            }
        )
    out["mode_collapse_classes"] = float(flagged)
    return out


def memorisation(ctx: EvalContext) -> dict[str, Any]:
    """Nearest-real-neighbour SSIM of each fake (the ISIC seed's SSIM, made meaningful).

    Against the real images G trained on (the training split): a copy can only be of an image
    G saw. Near 1 means a generated image is a copy of one; the mean and the share above 0.95
    say whether the generator memorises. ``MEMORISATION_FAKES`` fakes, every class alike.
    """
    train = ctx.training_split("memorisation")
    fakes = balanced_index(ctx.fake.labels, MEMORISATION_FAKES)
    best, _ = nearest_real_ssim(ctx.fake.images[fakes], train.images)
    return {
        "nearest_real_ssim_mean": float(best.mean()),
        "nearest_real_ssim_share_above_0.95": float((best > 0.95).double().mean()),
        **seen("memorisation", ctx.fake.labels[fakes], train.labels, TRAIN),
    }


def stripes(ctx: EvalContext) -> dict[str, float]:
    """Horizontal-stripe artefacts: vertical over horizontal high-frequency power (stripes.py),
    fake and real; ``stripe_ratio_to_real`` near 1 means the fakes have the real images' mix
    of fine detail, above 1 that rows alternate where real images are smooth."""
    fake, real = stripe_statistic(ctx.fake.images), stripe_statistic(ctx.real.images)
    return {
        "stripes/fake": fake,
        "stripes/real": real,
        "stripe_ratio_to_real": fake / real,
    }


def colour_spread(ctx: EvalContext) -> dict[str, float]:
    """Spread of per-image mean colour within each class (colour.py), fake and real, averaged
    over the classes both sides have; RGB only (a grey set has no colour to drop). A ratio to
    real well below 1 means colour modes dropped: every image of a class in one tone."""
    if not _colour(ctx):
        return {}
    k = len(ctx.fake.classes)
    fake = class_colour_spreads(ctx.fake.images, ctx.fake.labels, k)
    real = class_colour_spreads(ctx.real.images, ctx.real.labels, k)
    pairs = {
        name: (f, r)
        for name, f, r in zip(ctx.fake.classes, fake, real, strict=True)
        if f is not None and r
    }
    if not pairs:
        return {}
    mean_fake = sum(f for f, _ in pairs.values()) / len(pairs)
    mean_real = sum(r for _, r in pairs.values()) / len(pairs)
    out = {f"colour_spread_ratio/{name}": f / r for name, (f, r) in pairs.items()}
    return {
        "colour_spread/fake": mean_fake,
        "colour_spread/real": mean_real,
        "colour_spread_ratio_to_real": mean_fake / mean_real,
        **out,
    }


def inception(ctx: EvalContext) -> dict[str, Any]:
    """Standard FID / KID / IS with InceptionV3 (torch-fidelity), or why they are unavailable.

    Values are None unless ``inception_status`` is "ok": never a made-up number.
    """
    fake = balanced_index(ctx.fake.labels, ctx.p.inception_n)
    real = balanced_index(ctx.real.labels, ctx.p.inception_n)
    scores = inception_metrics(
        ctx.fake.images[fake],
        ctx.real.images[real],
        ctx.p.inception,
        ctx.p.inception_weights or None,
        cache_dir=STATS_CACHE,
        kid_subsets=ctx.p.kid_subsets,
        kid_subset_size=ctx.p.kid_subset_size,
    )
    return {**scores, **seen("inception", ctx.fake.labels[fake], ctx.real.labels[real], HELD_OUT)}


def _colour(ctx: EvalContext) -> bool:
    return ctx.fake.channels == 3 and ctx.real.channels == 3


def _grey(ctx: EvalContext) -> bool:
    return ctx.fake.channels == 1 and ctx.real.channels == 1


# a metric's ``images`` -> (those images in words, the test of them)
IMAGES: dict[Images, tuple[str, Callable[[EvalContext], bool]]] = {
    "any": ("any images", lambda ctx: True),
    "colour": ("RGB images", _colour),
    "grey": ("grey images", _grey),
}
