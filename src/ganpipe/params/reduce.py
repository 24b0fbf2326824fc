"""``reduce``: colour handling. ``background`` is read by filter, resize and augment too."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic.dataclasses import dataclass

from ganpipe.params.base import CONFIG, Int, Section, Str, workers_field


@dataclass(frozen=True, config=CONFIG)
class ReduceParams(Section):
    """Colour handling: every image leaves as RGB or single-channel PNG."""

    mode: Literal["RGB", "L"] = Field("RGB", description="RGB colour or L (greyscale)")
    background: Str = Field(
        "#ffffff",
        pattern=r"^#[0-9a-fA-F]{6}$",
        description="a colour written as '#rrggbb'; alpha is composited over it",
    )
    workers: Int = workers_field()
