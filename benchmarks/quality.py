"""Quality per CPU-minute: the default model against the seed's (``seed-emnist``), equal budget.

Both train on the pipeline's Fashion-MNIST data (run ``dvc repro`` first: it needs
``data/augmented``, ``data/resized`` and ``models/classifier.pt``) for the same wall-clock
budget with every other ``train`` param as in params.yaml. Each EMA generator is then scored
like the evaluate stage does it: 500 images per class against the held-out real split, by the
project's own domain classifier. The last line is JSON with ``cond_acc``, ``fd``,
``fd_seed_emnist`` and ``fd_ratio`` (default / seed-emnist; the target is at most 1/3).
Usage: ``python benchmarks/quality.py [--minutes 10]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ganpipe.data import ImageSet, load_image_set, split_holdout
from ganpipe.generate import generate_images
from ganpipe.metrics.classifier import DomainClassifier, load_classifier
from ganpipe.metrics.registry import EvalContext, conditional_accuracy, domain_fd
from ganpipe.params import load_all
from ganpipe.sample import load_generator
from ganpipe.train.loop import training_loop

ROOT = Path(__file__).resolve().parents[1]
PER_CLASS = 500


def train(params: dict[str, Any], preset: str, minutes: float, work: Path) -> Path:
    """Train with params.yaml's train section (``preset`` applied) for ``minutes``."""
    p = dataclasses.replace(
        params["train"], preset=preset, total_kimg=100_000.0, max_minutes=minutes
    )
    training_loop(
        ROOT / "data/augmented",
        work / "models",
        p,
        work / "live",
        work / "train.json",
        ROOT / "models/classifier.pt",
        params["classifier"].holdout,
    )
    return work / "models" / "generator.pt"


def score(
    generator_path: Path,
    real: ImageSet,
    classifier: DomainClassifier,
    sha: str,
    params: dict[str, Any],
) -> dict[str, float]:
    """Conditional accuracy and domain Fréchet distance, as in metrics/evaluate.json."""
    classes = real.classes
    gen = load_generator(generator_path)
    g = torch.Generator().manual_seed(0)
    y = torch.arange(len(classes)).repeat_interleave(PER_CLASS)
    z = torch.randn(len(y), gen.model.z_dim, generator=g)
    fake = ImageSet(generate_images(gen.model, z, y), y, classes, [str(i) for i in range(len(y))])
    ctx = EvalContext(fake, real, classifier, sha, params["evaluate"], params["classifier"])
    return {
        "cond_acc": conditional_accuracy(ctx)["conditional_accuracy"],
        "fd": domain_fd(ctx)["domain_fd"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="training budget per model")
    args = parser.parse_args()
    params = load_all(ROOT / "params.yaml")
    classifier, classes, sha = load_classifier(ROOT / "models/classifier.pt")
    real = split_holdout(
        load_image_set(ROOT / "data/resized", classes), params["classifier"].holdout
    )[1]
    real = real.subset(np.arange(len(real.labels)) < params["evaluate"].n_real)
    results = {}
    for name, preset in (("default", ""), ("seed-emnist", "seed-emnist")):
        with tempfile.TemporaryDirectory(prefix=f"ganpipe-quality-{name}-") as tmp:
            generator = train(params, preset, args.minutes, Path(tmp))
            results[name] = score(generator, real, classifier, sha, params)
        print(
            f"{name}: {args.minutes:g} min of training -> conditional accuracy "
            f"{results[name]['cond_acc']:.3f}, domain FD {results[name]['fd']:.2f}"
        )
    ratio = results["default"]["fd"] / results["seed-emnist"]["fd"]
    print(
        json.dumps(
            {
                "minutes": args.minutes,
                "cond_acc": round(results["default"]["cond_acc"], 4),
                "fd": round(results["default"]["fd"], 3),
                "cond_acc_seed_emnist": round(results["seed-emnist"]["cond_acc"], 4),
                "fd_seed_emnist": round(results["seed-emnist"]["fd"], 3),
                "fd_ratio": round(ratio, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
