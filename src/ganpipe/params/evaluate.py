"""``evaluate``: how generated images are scored (docs/ARCHITECTURE.md)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator
from pydantic.dataclasses import dataclass

from ganpipe.params.base import CONFIG, Bool, Float, Int, Section, Str, require
from ganpipe.params.truncation import Truncation, truncation_problem
from ganpipe.registries.metrics import METRIC_NAMES


@dataclass(frozen=True, config=CONFIG)
class EvaluateParams(Section):
    """How generated images are scored (docs/ARCHITECTURE.md)."""

    metrics: list[Literal[METRIC_NAMES]] = Field(  # type: ignore[valid-type]
        default_factory=lambda: list(METRIC_NAMES),
        description="the metrics to run, in the registry's order (ganpipe.registries.metrics)",
    )
    n_real: Int = Field(10000, ge=2, le=10**7, description="cap on held-out real images")
    inception: Literal["auto", "required", "off"] = Field(
        "auto",
        description="InceptionV3 scores: auto (when its weights can be had), required or off",
    )
    inception_weights: Str = Field(
        "", description="InceptionV3 weights file; empty = torch hub cache, then a download"
    )
    inception_n: Int = Field(
        5000, ge=2, le=10**7, description="cap on images per side for InceptionV3"
    )
    kid_subsets: Int = Field(10, ge=1, le=10_000, description="KID: subsets averaged")
    kid_subset_size: Int = Field(1000, ge=2, le=10**6, description="KID: images per subset")
    pr_k: Int = Field(3, ge=1, le=1000, description="neighbours for precision/recall")
    collapse_ratio: Float = Field(
        0.5, ge=0, le=1, description="flag a class when fake diversity < ratio x real"
    )
    min_judge_accuracy: Float = Field(
        0.8,
        ge=0,
        le=1,
        description="below this held-out accuracy the domain classifier is too weak to judge",
    )
    # The fidelity-diversity curve: each threshold scored on truncation_per_class fresh fakes
    # per class
    truncation_curve: list[Truncation] = Field(
        default_factory=lambda: [0.0, 0.5, 1.0, 1.5, 2.0],
        max_length=20,
        description="thresholds of the fidelity-diversity curve (0 = none); [] = no curve",
    )
    truncation_per_class: Int = Field(
        200, ge=1, le=10**5, description="generated images per class and threshold"
    )
    # Downstream use: the domain classifier's net trained on the real training split, on it
    # plus synthetic images, and on synthetic ones only, each tested on the held-out reals
    downstream: Bool = Field(
        True, description="train the downstream classifiers; false: only CAS, one over the samples"
    )
    downstream_steps: Int = Field(
        100, ge=1, le=10**6, description="training steps of each classifier (classifier.batch_size)"
    )
    downstream_passes: Int = Field(
        4,
        ge=1,
        le=10**4,
        description="at most this many passes over the real training images (fewer steps on "
        "a small set)",
    )
    downstream_seeds: Int = Field(3, ge=2, le=100, description="classifiers per training set")
    downstream_per_class: Int = Field(
        0, ge=0, le=10**6, description="synthetic images per class, from the samples; 0 = all"
    )
    downstream_real_per_class: Int = Field(
        0, ge=0, le=10**7, description="cap on real training images per class; 0 = all"
    )

    @model_validator(mode="after")
    def _curve_allowed(self) -> EvaluateParams:
        for i, value in enumerate(self.truncation_curve):
            problem = truncation_problem(value)
            require(problem is None, f"truncation_curve[{i}]", str(problem))
        require(
            not self.truncation_curve or self.truncation_per_class > self.pr_k,
            "truncation_per_class",
            f"got {self.truncation_per_class}; needs more than pr_k ({self.pr_k}) images "
            "for the k-nearest-neighbour balls of precision and recall",
        )
        return self
