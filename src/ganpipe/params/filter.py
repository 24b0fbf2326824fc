"""``filter``: what counts as a usable image, and the contact sheets that show what was kept."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic.dataclasses import dataclass

from ganpipe.params.base import CONFIG, Bool, Float, Int, Section, workers_field


@dataclass(frozen=True, config=CONFIG)
class FilterParams(Section):
    """What counts as a usable image."""

    min_side: Int = Field(8, ge=1, le=100_000, description="pixels")
    aspect_min: Float = Field(0.25, gt=0, le=1, description="width / height")
    aspect_max: Float = Field(4.0, ge=1, le=1000, description="width / height")
    max_pixels: Int = Field(50_000_000, gt=0, le=2**40, description="decompression-bomb cap")
    blank_std: Float = Field(
        2.0, ge=0, le=255, description="pixel std (0-255) at or below which an image is blank"
    )
    near_duplicate_distance: Float = Field(
        0.12,
        ge=-1,
        le=10,
        description="standardised-thumbnail distance (ganpipe.clean.dedupe); -1 disables",
    )
    animated: Literal["first-frame", "reject"] = Field(
        "first-frame", description="an animated image: keep its first frame, or reject it"
    )
    contact_sheets: Bool = Field(True, description="write contact sheets for review")
    review_per_class: Int = Field(
        1000, ge=0, le=10**7, description="images per class on the contact sheets; 0 = all"
    )
    workers: Int = workers_field()
