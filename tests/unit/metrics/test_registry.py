"""The evaluation registry on tiny sets where the right answer is known."""

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
import torch

from ganpipe.data import ImageSet, load_image_set
from ganpipe.metrics import registry
from ganpipe.metrics.classifier import train_classifier
from ganpipe.metrics.registry import (
    EvalContext,
    conditional_accuracy,
    domain_fd,
    domain_prdc,
    downstream,
    fidelity_diversity,
    inception,
    intra_class_diversity,
    memorisation,
    stripes,
)
from ganpipe.metrics.runner import run_metrics
from ganpipe.params import ClassifierParams, EvaluateParams
from ganpipe.registries.metrics import JUDGED, METRICS

CP = ClassifierParams(epochs=3, batch_size=16, lr=3e-3)


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory, stage_factory: Callable[..., Path]) -> ImageSet:
    return load_image_set(stage_factory(tmp_path_factory.mktemp("real"), {"a": 40, "b": 40}))


def context(real: ImageSet, fake: ImageSet, p: EvaluateParams | None = None) -> EvalContext:
    model = train_classifier(real, CP)
    return EvalContext(fake, real, model, "0" * 64, p or EvaluateParams(), CP, real_train=real)


def test_real_as_fake_scores_like_real(real: ImageSet) -> None:
    ctx = context(real, real)
    scores = conditional_accuracy(ctx)
    assert scores["conditional_accuracy"] == scores["classifier_real_accuracy"] > 0.9
    assert domain_fd(ctx)["domain_fd"] == pytest.approx(0.0, abs=1e-6)
    assert memorisation(ctx)["nearest_real_ssim_mean"] == pytest.approx(1.0)


def test_swapped_labels_fail_conditional_accuracy(real: ImageSet) -> None:
    swapped = ImageSet(real.images, 1 - real.labels, real.classes, real.ids)
    assert conditional_accuracy(context(real, swapped))["conditional_accuracy"] < 0.1


def test_one_repeated_image_per_class_is_flagged_as_collapse(real: ImageSet) -> None:
    first = [int(torch.nonzero(real.labels == c)[0]) for c in (0, 1)]
    index = torch.tensor(first).repeat_interleave(20)
    collapsed = ImageSet(real.images[index], real.labels[index], real.classes, real.ids)
    scores = intra_class_diversity(context(real, collapsed))
    assert scores["mode_collapse_classes"] == 2
    assert scores["similarity/a/fake"] == pytest.approx(1.0)
    assert intra_class_diversity(context(real, real))["mode_collapse_classes"] == 0


def test_cas_is_high_for_real_data(real: ImageSet) -> None:
    off = downstream(context(real, real, EvaluateParams(downstream=False)))
    assert off["cas"] == pytest.approx(1.0, abs=0.1) and off["protocol/downstream/classes"] == 2
    scores = downstream(context(real, real, EvaluateParams(downstream_steps=30)))
    assert scores["cas"] > 0.9 and scores["downstream/real_accuracy"] == scores["cas"]
    assert scores["downstream/seeds"] == 3 and abs(scores["augmentation_gain"]) < 0.1


def test_the_low_data_cap_and_n_per_class_reach_the_classifiers(real: ImageSet) -> None:
    p = EvaluateParams(downstream_steps=5, downstream_real_per_class=7, downstream_per_class=4)
    scores = downstream(context(real, real, p))
    assert (scores["downstream/n_real"], scores["downstream/n_synthetic"]) == (14, 8)


def test_precision_and_recall_use_every_class_when_they_subsample(real: ImageSet) -> None:
    """Images come sorted by class: 40 fakes against the first 40 of 80 reals would meet only
    class a's reals, and half the fakes would look off the real manifold."""
    fake = real.subset(torch.arange(len(real.labels)).numpy() % 2 == 0)
    assert domain_prdc(context(real, fake))["domain_precision"] > 0.9


def test_with_fake_keeps_the_real_features_and_scores_the_new_fakes(real: ImageSet) -> None:
    ctx = context(real, real)
    swapped = ctx.with_fake(ImageSet(real.images, 1 - real.labels, real.classes, real.ids))
    assert swapped.real_embedding is ctx.real_embedding
    point = fidelity_diversity(swapped)
    assert point["conditional_accuracy"] < 0.1 and point["domain_fd"] == pytest.approx(0, abs=1e-6)
    assert {"domain_precision", "domain_recall", "domain_density", "domain_coverage"} <= set(point)


def test_missing_images_dir_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no manifest"):
        load_image_set(tmp_path)


def test_stripes_of_real_as_fake_match_the_real_ones(real: ImageSet) -> None:
    scores = stripes(context(real, real))
    assert scores["stripes/fake"] == pytest.approx(scores["stripes/real"])
    assert scores["stripe_ratio_to_real"] == pytest.approx(1.0)


def halves(real: ImageSet) -> tuple[ImageSet, ImageSet]:
    """Two disjoint real sets with both classes: even and odd positions."""
    even = torch.arange(len(real.labels)).numpy() % 2 == 0
    return real.subset(even), real.subset(~even)


def test_memorisation_looks_for_copies_among_the_images_g_trained_on(real: ImageSet) -> None:
    train, heldout = halves(real)
    model = train_classifier(real, CP)
    ctx = EvalContext(train, heldout, model, "0" * 64, EvaluateParams(), CP, real_train=train)
    copies = memorisation(ctx)  # the fakes are G's training images: memorised
    assert copies["nearest_real_ssim_mean"] == pytest.approx(1.0)
    assert copies["nearest_real_ssim_share_above_0.95"] == 1.0
    assert copies["protocol/memorisation/split"] == "train"
    unseen = memorisation(replace(ctx, fake=heldout))  # copies of images G never saw
    assert unseen["nearest_real_ssim_mean"] < 0.9


def test_memorisation_needs_the_training_split(real: ImageSet) -> None:
    ctx = EvalContext(real, real, train_classifier(real, CP), "0" * 64, EvaluateParams(), CP)
    with pytest.raises(ValueError, match="memorisation needs the real training split"):
        memorisation(ctx)


def test_capped_metrics_take_every_class(real: ImageSet, monkeypatch: pytest.MonkeyPatch) -> None:
    """Images sorted by class: a cap of 10 of 80 taken from the front would see class a only."""
    monkeypatch.setattr(registry, "MEMORISATION_FAKES", 10)
    monkeypatch.setattr(registry, "PRDC_MAX", 10)
    ctx = context(real, real, EvaluateParams(inception="off", inception_n=10))
    for scores, name in (
        (memorisation(ctx), "memorisation"),
        (domain_prdc(ctx), "domain_prdc"),
        (inception(ctx), "inception"),
    ):
        assert scores[f"protocol/{name}/classes"] == 2, name
        assert scores[f"protocol/{name}/n_fake"] == 10, name


def test_every_metric_records_what_it_saw_under_its_own_name(real: ImageSet) -> None:
    ctx = context(real, real, EvaluateParams(inception="off", downstream_steps=2))
    results = run_metrics(ctx, lambda line: None)
    for name in METRICS.keys() - {"colour_spread"}:  # colour only: not run on grey images
        mine = {k.split("/")[2] for k in results if k.startswith(f"protocol/{name}/")}
        assert {"n_fake", "n_real", "split", "classes"} <= mine, name
        assert results[f"protocol/{name}/classes"] == 2, name
    assert results["protocol/memorisation/split"] == "train"  # its own record, kept
    assert results["protocol/domain_fd/split"] == "held-out"  # the runner's
    assert set(JUDGED) <= set(METRICS)
    assert not [k for k in conditional_accuracy(ctx) if k.startswith("protocol/")]
