"""Running the registry: times, what applies to which images, the judge and the headline."""

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
import torch

from ganpipe.data import ImageSet, load_image_set
from ganpipe.metrics.classifier import DomainClassifier, train_classifier
from ganpipe.metrics.registry import EvalContext
from ganpipe.metrics.runner import headline, run_metrics
from ganpipe.params import ClassifierParams, EvaluateParams
from ganpipe.registries.metrics import JUDGED, METRICS

CP = ClassifierParams(epochs=3, batch_size=16, lr=3e-3)
P = EvaluateParams(inception="off", downstream_steps=2, downstream_seeds=2, kid_subset_size=8)


def stage(factory: Callable[..., Path], root: Path, channels: int) -> ImageSet:
    return load_image_set(factory(root, {"a": 30, "b": 30}, size=28, channels=channels))


def run(real: ImageSet, judge: DomainClassifier, p: EvaluateParams = P) -> tuple[dict, list]:
    lines: list[str] = []
    ctx = EvalContext(real, real, judge, "0" * 64, p, CP, real_train=real)
    return run_metrics(ctx, lines.append), lines


@pytest.fixture(scope="module")
def grey(tmp_path_factory: pytest.TempPathFactory, stage_factory: Callable[..., Path]) -> ImageSet:
    return stage(stage_factory, tmp_path_factory.mktemp("grey"), 1)


def test_each_metric_is_timed_and_a_good_judge_marks_nothing(grey: ImageSet) -> None:
    results, lines = run(grey, train_classifier(grey, CP))
    for name in (*METRICS.keys() - {"colour_spread"}, "features"):
        assert results[f"time/{name}_s"] >= 0, name
    assert results["judge/too_weak"] == 0.0 and results["judge/heldout_accuracy"] > 0.9
    assert not any("WARNING" in line or "too weak" in line for line in lines)
    assert results["headline/metric"] == "domain_fd"
    assert "colour_spread: not reported" in "\n".join(lines)


def test_a_weak_judge_marks_every_score_that_rests_on_it(grey: ImageSet) -> None:
    torch.manual_seed(0)
    untrained = DomainClassifier(1, 2, 28).eval()  # about chance on two classes
    results, lines = run(grey, untrained)
    assert results["judge/too_weak"] == 1.0 and results["judge/heldout_accuracy"] < 0.8
    for name in JUDGED:
        assert results[f"protocol/{name}/judge_too_weak"] == 1.0
    warning = next(line for line in lines if "WARNING" in line)
    assert "too weak to judge" in warning and "domain_fd" in warning and "80%" in warning
    assert any(
        line.startswith("[evaluate] domain_fd:") and "judge too weak" in line for line in lines
    )


def test_stripes_are_not_reported_for_colour_images(
    tmp_path: Path, stage_factory: Callable[..., Path]
) -> None:
    rgb = stage(stage_factory, tmp_path / "rgb", 3)
    results, lines = run(rgb, train_classifier(rgb, CP))
    assert not [k for k in results if "stripe" in k]
    assert "colour_spread_ratio_to_real" in results
    assert any("stripes: not reported, it applies to grey images" in line for line in lines)


def test_fid_is_the_colour_headline_only_when_inception_ran(grey: ImageSet) -> None:
    ctx = EvalContext(grey, grey, None, "", P, CP)  # type: ignore[arg-type]
    ok = {"inception_status": "ok", "fid_inception": 12.5, "domain_fd": 3.0}
    assert headline(ctx, ok) == {"headline/metric": "domain_fd", "headline/value": 3.0}
    rgb = ImageSet(grey.images.expand(-1, 3, -1, -1), grey.labels, grey.classes, grey.ids)
    colour = EvalContext(rgb, rgb, None, "", P, CP)  # type: ignore[arg-type]
    assert headline(colour, ok)["headline/metric"] == "fid_inception"
    off = {**ok, "inception_status": "unavailable"}
    assert headline(colour, off) == {"headline/metric": "domain_fd", "headline/value": 3.0}


def test_only_the_chosen_metrics_run_and_are_timed(grey: ImageSet) -> None:
    torch.manual_seed(0)
    judge = DomainClassifier(1, 2, 28).eval()
    results, lines = run(grey, judge, replace(P, metrics=["stripes", "domain_fd"]))
    assert "domain_fd" in results and "stripe_ratio_to_real" in results
    assert {k for k in results if k.startswith("time/")} == {
        "time/features_s",
        "time/domain_fd_s",
        "time/stripes_s",
    }
    ran = {k.split("/")[1] for k in results if k.startswith("protocol/")}
    assert ran == {"domain_fd", "stripes"}  # the judge marks only the judged metric run
    for absent in ("conditional_accuracy", "domain_kid_mean", "cas", "colour_spread/fake"):
        assert absent not in results
    assert results["headline/metric"] == "domain_fd"
    assert [line.split(":")[0] for line in lines if not line.startswith("[evaluate] WARN")] == [
        "[evaluate] domain_fd",
        "[evaluate] stripes",
        "[evaluate] headline",
    ]


def test_no_headline_when_neither_of_its_metrics_ran(grey: ImageSet) -> None:
    torch.manual_seed(0)
    results, _ = run(grey, DomainClassifier(1, 2, 28).eval(), replace(P, metrics=["stripes"]))
    assert "stripes/fake" in results and not [k for k in results if k.startswith("headline/")]
