"""The evaluate stage on a tiny run: every score, the downstream classifiers, both curves."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from ganpipe.data import load_image_set, split_holdout
from ganpipe.errors import UserError
from ganpipe.metrics.classifier import save_classifier, train_classifier
from ganpipe.models import Generator
from ganpipe.params import ClassifierParams, EvaluateParams, SampleParams, TrainParams
from ganpipe.stages.evaluate import EvaluatePaths, run_evaluate
from ganpipe.stages.sample import SamplePaths, run_sample
from ganpipe.train.snapshot import export_generator

CP = ClassifierParams(epochs=2, batch_size=16, holdout=0.3)
FAST = EvaluateParams(
    inception="off",
    kid_subsets=2,
    kid_subset_size=8,
    truncation_curve=[0.0, 1.0, 0.5],
    truncation_per_class=12,
    downstream_steps=10,
    downstream_seeds=2,
    downstream_per_class=6,
)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory, stage_factory: Callable[..., Path]) -> Path:
    """A real stage, its classifier, a (random) generator and 8 samples per class."""
    root = tmp_path_factory.mktemp("run")
    real = stage_factory(root / "resized", {"bar": 30, "low": 30})
    train = split_holdout(load_image_set(real), CP.holdout)[0]
    save_classifier(train_classifier(train, CP), train.classes, root / "classifier.pt", {})
    p = TrainParams(g_channels=16, z_dim=8)
    meta = {"params": p.__dict__, "classes": ["bar", "low"], "size": 28, "channels": 1}
    export_generator(Generator(p, 28, 1, 2), {**meta, "conditional": True}, root / "generator.pt")
    run_sample(SamplePaths(root, root / "samples"), params=SampleParams(per_class=8))
    return root


def evaluate(run: Path, p: EvaluateParams) -> dict:
    paths = EvaluatePaths(
        samples=run / "samples",
        real=run / "resized",
        classifier=run / "classifier.pt",
        metrics=run / "evaluate.json",
        models=run,
        curve=run / "snapshot_curve.json",
        truncation_curve=run / "truncation_curve.json",
    )
    return run_evaluate(paths, params=p, classifier_params=CP)


def test_scores_downstream_gain_and_the_truncation_curve(run: Path) -> None:
    scores = evaluate(run, FAST)
    assert json.loads((run / "evaluate.json").read_text()) == scores
    for key in ("cas", "downstream/real_accuracy", "downstream/real_plus_synthetic_accuracy"):
        assert 0 <= scores[key] <= 1 and scores[f"{key}_std"] >= 0
    gain = scores["downstream/real_plus_synthetic_accuracy"] - scores["downstream/real_accuracy"]
    assert scores["augmentation_gain"] == pytest.approx(gain, abs=2e-6)
    assert scores["downstream/n_synthetic"] == 12 and scores["downstream/seeds"] == 2
    curve = json.loads((run / "truncation_curve.json").read_text())
    assert [point["truncation"] for point in curve] == [0.0, 1.0, 0.5]
    for point in curve:
        assert 0 <= point["domain_precision"] <= 1 and 0 <= point["domain_recall"] <= 1
        assert point["domain_fd"] >= 0 and 0 <= point["conditional_accuracy"] <= 1
    assert json.loads((run / "snapshot_curve.json").read_text()) == []  # no snapshots kept
    for name in ("memorisation", "domain_prdc", "inception", "conditional_accuracy"):
        assert scores[f"protocol/{name}/classes"] == 2, name
    assert scores["protocol/memorisation/split"] == "train"
    stage_times = ("load", "features", "downstream", "snapshot_curve", "truncation_curve")
    assert all(scores[f"time/{name}_s"] >= 0 for name in stage_times)
    assert scores["time/total_s"] >= sum(scores[f"time/{name}_s"] for name in stage_times)


def test_the_real_cap_takes_every_class(run: Path) -> None:
    scores = evaluate(run, replace(FAST, n_real=6, truncation_curve=[]))
    assert scores["protocol/n_real"] == 6
    assert scores["protocol/domain_fd/n_real"] == 6 and scores["protocol/domain_fd/classes"] == 2


def test_downstream_off_and_no_curve_give_cas_alone(run: Path) -> None:
    scores = evaluate(run, replace(FAST, downstream=False, truncation_curve=[]))
    scored = [k for k in scores if not k.startswith(("protocol/", "time/"))]
    assert "cas" in scores and not [k for k in scored if "downstream" in k or "gain" in k]
    assert json.loads((run / "truncation_curve.json").read_text()) == []


def test_more_synthetic_images_than_sampled_fail_before_scoring(run: Path) -> None:
    with pytest.raises(UserError, match=r"downstream_per_class is 9, but the samples hold 8"):
        evaluate(run, replace(FAST, downstream_per_class=9))
