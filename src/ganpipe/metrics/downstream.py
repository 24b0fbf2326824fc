"""Do the generated images help a classifier? Real, real + synthetic and synthetic-only training.

What users of a conditional GAN want to know (the skin-lesion seed trained its GAN to enlarge a
small dataset). The domain classifier's network is trained three times with the same number of
steps and the same seed: on the real training split, on it plus the synthetic images, and on the
synthetic images alone (CAS, Ravuri & Vinyals 2019); each is tested on the held-out real split.
That is repeated for several seeds. Seed s starts every training set from the same weights and
batch stream, so the gain is the mean of paired per-seed differences, and its spread says
whether it is more than noise.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from tqdm import tqdm

from ganpipe.data import ImageSet, concat
from ganpipe.errors import UserError
from ganpipe.metrics.classifier import accuracy, train_classifier
from ganpipe.params import ClassifierParams

# training set -> its keys in metrics/evaluate.json ("cas" is the synthetic-only arm)
ARMS = {
    "real": "downstream/real_accuracy",
    "real+synthetic": "downstream/real_plus_synthetic_accuracy",
    "synthetic": "cas",
}


def synthetic_subset(fake: ImageSet, per_class: int) -> ImageSet:
    """The first ``per_class`` samples of each class (0: all); fails if a class has fewer."""
    short = {c: n for c, n in fake.counts().items() if n < per_class}
    if short:
        name, have = next(iter(short.items()))
        raise UserError(
            f"evaluate.downstream_per_class is {per_class}, but the samples hold {have} images "
            f"of class {name!r}: lower it (0 = all samples) or raise sample.per_class"
        )
    return fake.first_per_class(per_class)


def scaled_steps(n_real: int, batch_size: int, steps: int, passes: int) -> int:
    """``steps`` batches, but no more than ``passes`` passes over the real training images: on
    a small set more steps only refit the same images, and cost evaluate time."""
    return max(1, min(steps, math.ceil(passes * n_real / batch_size)))


def arm_accuracies(
    train_sets: dict[str, ImageSet],
    test: ImageSet,
    cp: ClassifierParams,
    steps: int,
    seeds: int,
) -> dict[str, np.ndarray]:
    """Held-out accuracy of one classifier per (training set, seed): ``steps`` batches each."""
    runs = [(name, s) for s in range(seeds) for name in train_sets]
    out: dict[str, list[float]] = {name: [] for name in train_sets}
    for name, s in tqdm(runs, desc="downstream", unit="classifier"):
        model = train_classifier(train_sets[name], dataclasses.replace(cp, seed=cp.seed + s), steps)
        out[name].append(accuracy(model, test))
    return {name: np.array(values) for name, values in out.items()}


def downstream_scores(
    real: ImageSet,
    synthetic: ImageSet,
    test: ImageSet,
    cp: ClassifierParams,
    steps: int,
    seeds: int,
) -> dict[str, float]:
    """Mean and std over seeds of each training set's held-out accuracy, and
    ``augmentation_gain``: real + synthetic minus real, paired by seed."""
    sets = {"real": real, "real+synthetic": concat(real, synthetic), "synthetic": synthetic}
    acc = arm_accuracies(sets, test, cp, steps, seeds)
    out: dict[str, float] = {}
    for name, key in ARMS.items():
        out[key], out[f"{key}_std"] = float(acc[name].mean()), float(acc[name].std(ddof=1))
    gain = acc["real+synthetic"] - acc["real"]
    out["augmentation_gain"], out["augmentation_gain_std"] = gain.mean(), gain.std(ddof=1)
    out.update(
        {
            "downstream/n_real": len(real.labels),
            "downstream/n_synthetic": len(synthetic.labels),
            "downstream/steps": steps,
            "downstream/seeds": seeds,
        }
    )
    return {k: float(v) for k, v in out.items()}
