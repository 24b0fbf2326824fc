"""The classifier stage: the domain classifier evaluate scores with, fit on real training images."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ganpipe.data import load_image_set, split_holdout
from ganpipe.errors import UserError
from ganpipe.files import write_json
from ganpipe.metrics.classifier import accuracy, save_classifier
from ganpipe.metrics.judge import fit_judge
from ganpipe.params import ClassifierParams


@dataclass(frozen=True)
class ClassifierPaths:
    """The real stage it fits on, the weights it writes, its metrics."""

    inp: Path
    model: Path
    metrics: Path


def run_classifier(paths: ClassifierPaths, *, params: ClassifierParams) -> dict[str, Any]:
    """Fit on the training split (the pass chosen on a validation slice of it), report
    held-out accuracy, save weights + class list."""
    data_dir, model_path, metrics_path, p = paths.inp, paths.model, paths.metrics, params
    train, heldout = split_holdout(load_image_set(data_dir), p.holdout)
    if len(heldout.labels) == 0:
        raise UserError(f"classifier.holdout={p.holdout} left no held-out images in {data_dir}")
    fit = fit_judge(train, p)
    model = fit.model
    result = {
        "heldout_accuracy": round(accuracy(model, heldout), 6),
        "train_accuracy": round(accuracy(model, train), 6),
        "n_train": len(train.labels),
        "n_heldout": len(heldout.labels),
        "classes": len(train.classes),
        **fit.record(),
    }
    result["weights_sha256"] = save_classifier(model, train.classes, model_path, result)
    write_json(metrics_path, result)
    print(
        f"[classifier] held-out accuracy {result['heldout_accuracy']:.4f} "
        f"on {result['n_heldout']} images"
    )
    return result
