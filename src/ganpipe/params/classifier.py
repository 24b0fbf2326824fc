"""``classifier``: the domain classifier that gives offline features and conditional accuracy."""

from __future__ import annotations

from pydantic import Field
from pydantic.dataclasses import dataclass

from ganpipe.params.base import CONFIG, Bool, Float, Int, Section, seed_field


@dataclass(frozen=True, config=CONFIG)
class ClassifierParams(Section):
    """The domain classifier that gives offline features and conditional accuracy."""

    epochs: Int = Field(
        3, ge=1, le=1000, description="most passes; the one best on validation is kept"
    )
    min_steps: Int = Field(
        1000, ge=0, le=10**7, description="at least this many batches: more passes on small sets"
    )
    patience: Int = Field(
        10, ge=1, le=1000, description="stop after this many passes without a better one"
    )
    validation: Float = Field(
        0.1, ge=0.01, le=0.5, description="share of the training split that chooses the pass"
    )
    width: Int = Field(16, ge=4, le=512, description="channels of the judge's first block")
    augment: Bool = Field(
        True, description="random shifts; brightness and contrast on colour images"
    )
    flip: Bool = Field(False, description="mirror images too: for classes a mirror does not change")
    batch_size: Int = Field(128, ge=1, le=65536, description="images per training step")
    lr: Float = Field(1e-3, gt=0, le=1, description="learning rate")
    holdout: Float = Field(
        0.1, ge=0.01, le=0.5, description="share of real images held out for evaluation"
    )
    seed: Int = seed_field()
