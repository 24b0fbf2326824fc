"""``sample``: what the sample stage writes from the trained generator."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator
from pydantic.dataclasses import dataclass

from ganpipe.params.base import CONFIG, Float, Int, Section, require, seed_field
from ganpipe.params.truncation import MAX_TRUNCATION, TRUNCATION_NOTE, truncation_problem


@dataclass(frozen=True, config=CONFIG)
class SampleParams(Section):
    """What the sample stage writes from the trained generator."""

    per_class: Int = Field(100, ge=1, le=10**6, description="images generated per class")
    seed: Int = seed_field()
    grid_columns: Int = Field(10, ge=1, le=64, description="images per row of the grids")
    interpolation_steps: Int = Field(8, ge=2, le=256, description="images from z_a to z_b")
    checkpoint: Literal["ema", "best"] = Field(
        "ema", description="the EMA generator, or the one best by domain FD"
    )
    truncation: Float = Field(0.0, ge=0, le=MAX_TRUNCATION, description=TRUNCATION_NOTE)

    @model_validator(mode="after")
    def _truncation_allowed(self) -> SampleParams:
        problem = truncation_problem(self.truncation)
        require(problem is None, "truncation", str(problem))
        return self
