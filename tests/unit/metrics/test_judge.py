"""The domain classifier as a judge: width by image size, augmentation, passes chosen on
validation accuracy, and its weights file."""

import math
from collections.abc import Callable
from pathlib import Path

import pytest
import torch

from ganpipe.data import load_image_set, split_holdout, to_float
from ganpipe.metrics.classifier import WIDTHS, load_classifier, save_classifier
from ganpipe.metrics.judge import VALIDATION_SALT, augment, fit_judge, judge_widths
from ganpipe.params import ClassifierParams, ParamsError, build


def test_depth_grows_with_the_image_size() -> None:
    assert judge_widths(28) == judge_widths(32) == WIDTHS  # the default's net is the small one
    assert judge_widths(64) == (16, 32, 64, 128)  # down to 4x4 before the feature layer
    assert judge_widths(128) == judge_widths(256) == (16, 32, 64, 128, 256)
    assert judge_widths(64, width=32) == (32, 64, 128, 256)  # classifier.width


def test_augment_shifts_jitters_and_mirrors_within_bounds() -> None:
    x = torch.full((64, 3, 32, 32), -1.0)
    x[:, :, 12:20, 12:20] = 0.5
    g = torch.Generator().manual_seed(0)
    out = augment(x.clone(), ClassifierParams(), g)
    assert out.shape == x.shape and out.min() >= -1 and out.max() <= 1
    moved = (out[:, 0] > -0.5).float().flatten(1).argmax(1) != (x[:, 0] > -0.5).float().flatten(
        1
    ).argmax(1)
    assert moved.float().mean() > 0.5  # most images shifted
    again = augment(x.clone(), ClassifierParams(), torch.Generator().manual_seed(0))
    assert torch.equal(out, again)  # seeded
    grey = torch.full((8, 1, 32, 32), -1.0)
    grey[:, :, :, :4] = 1.0  # a bright left edge
    mirrored = augment(grey, ClassifierParams(flip=True), torch.Generator().manual_seed(1))
    assert (mirrored[:, 0, :, -6:].mean(dim=(1, 2)) > 0).any()  # some now bright on the right


def test_fit_keeps_the_best_pass_and_stops_when_validation_stalls(
    tmp_path: Path, stage_factory: Callable[..., Path]
) -> None:
    data = load_image_set(stage_factory(tmp_path / "s", {"a": 60, "b": 60, "c": 60}))
    p = ClassifierParams(epochs=30, min_steps=0, patience=2, batch_size=16, lr=3e-3, validation=0.2)
    fit = fit_judge(data, p)
    assert fit.validation_accuracy == 1.0  # the blobs' classes are easy
    assert fit.epochs_run == fit.best_epoch + 2 < 30  # stopped two passes after the best
    logits = fit.model(to_float(data.images[:30]))[1]
    assert (logits.argmax(1) == data.labels[:30]).float().mean() > 0.9
    assert fit.record()["widths"] == list(WIDTHS)


def test_the_weights_file_keeps_the_width(
    tmp_path: Path, stage_factory: Callable[..., Path]
) -> None:
    data = load_image_set(stage_factory(tmp_path / "s", {"a": 20, "b": 20}, size=64, channels=3))
    fit = fit_judge(data, ClassifierParams(epochs=1, min_steps=0, batch_size=16))
    save_classifier(fit.model, data.classes, tmp_path / "c.pt", fit.record())
    model, classes, _ = load_classifier(tmp_path / "c.pt")
    assert model.widths == (16, 32, 64, 128) and classes == ["a", "b"]
    x = to_float(data.images[:4])
    assert torch.allclose(model(x)[1], fit.model(x)[1])


def test_bounds_name_the_key() -> None:
    with pytest.raises(ParamsError, match="patience"):
        build(ClassifierParams, {"patience": 0}, "classifier")


def test_a_small_set_gets_more_passes(tmp_path: Path, stage_factory: Callable[..., Path]) -> None:
    data = load_image_set(stage_factory(tmp_path / "s", {"a": 20, "b": 20}))
    p = ClassifierParams(epochs=1, min_steps=6, patience=100, batch_size=8, validation=0.2)
    per_pass = len(split_holdout(data, 0.2, salt=VALIDATION_SALT)[0].labels) // 8
    assert per_pass >= 2
    assert fit_judge(data, p).epochs_run == math.ceil(6 / per_pass)
