"""``resize``: bring every image to one square size."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic.dataclasses import dataclass

from ganpipe.limits import MAX_IMAGE_SIDE
from ganpipe.params.base import CONFIG, Bool, Int, Section, workers_field


@dataclass(frozen=True, config=CONFIG)
class ResizeParams(Section):
    """Bring every image to one square size.

    Named ``image_size``, not ``size``: DVC's run cache ignores params keys called ``size``
    (it strips them as file metadata), so a changed ``size`` would restore a stale output.
    """

    image_size: Int = Field(64, ge=28, le=MAX_IMAGE_SIDE, description="pixels")
    mode: Literal["letterbox", "center-crop", "stretch"] = Field(
        "letterbox", description="pad to a square, crop its centre, or stretch"
    )
    filter: Literal["area", "lanczos"] = Field("area", description="resampling filter")
    upscale: Bool = Field(False, description="allow enlarging images smaller than image_size")
    workers: Int = workers_field()
