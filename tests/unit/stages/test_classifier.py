"""The classifier stage: the judge's weights, its held-out accuracy and how it was chosen."""

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from ganpipe.errors import UserError
from ganpipe.metrics.classifier import load_classifier
from ganpipe.params import ClassifierParams
from ganpipe.stages.classifier import ClassifierPaths, run_classifier

P = ClassifierParams(epochs=4, min_steps=0, patience=2, batch_size=16, lr=3e-3, holdout=0.3)


def test_records_held_out_accuracy_and_the_chosen_pass(tiny_stage: Path, tmp_path: Path) -> None:
    result = run_classifier(
        ClassifierPaths(tiny_stage, tmp_path / "c.pt", tmp_path / "c.json"), params=P
    )
    assert json.loads((tmp_path / "c.json").read_text()) == result
    assert result["heldout_accuracy"] > 0.9  # the blobs are easy
    assert 1 <= result["best_epoch"] <= result["epochs_run"] <= 4
    assert result["n_train"] + result["n_heldout"] == 48 and result["widths"] == [16, 32, 64]
    _, classes, sha = load_classifier(tmp_path / "c.pt")
    assert classes == ["bar", "low"] and sha == result["weights_sha256"]


def test_no_held_out_images_is_a_user_error(
    tmp_path: Path, stage_factory: Callable[..., Path]
) -> None:
    """Four images, 1% held out: none of these ids falls in the held-out share."""
    stage = stage_factory(tmp_path / "s", {"a": 2, "b": 2})
    with pytest.raises(UserError, match=r"classifier.holdout=0.01 left no held-out images"):
        run_classifier(
            ClassifierPaths(stage, tmp_path / "c.pt", tmp_path / "c.json"),
            params=ClassifierParams(holdout=0.01),
        )
