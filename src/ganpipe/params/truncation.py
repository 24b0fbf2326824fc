"""The one rule for a truncation threshold, shared by ``sample.truncation``,
``evaluate.truncation_curve`` and ``ganpipe sample --truncation``."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, Strict

# The truncation trick (BigGAN): components of z ~ N(0, I) with |z_i| above the threshold are
# drawn again (ganpipe.generate.truncate). 0 is off; below MIN_TRUNCATION the redraws would
# take too long (at 0.1, 8% of draws land inside) for a difference no one can see.
MIN_TRUNCATION, MAX_TRUNCATION = 0.1, 10.0
TRUNCATION_NOTE = "BigGAN threshold: |z_i| above it are redrawn; 0 = off"
Truncation = Annotated[float, Strict(), Field(ge=0, le=MAX_TRUNCATION)]


def truncation_problem(value: float) -> str | None:
    """Why ``value`` is no truncation threshold (None when it is one): the one rule for
    ``sample.truncation``, ``evaluate.truncation_curve`` and ``ganpipe sample --truncation``."""
    if value == 0 or MIN_TRUNCATION <= value <= MAX_TRUNCATION:
        return None
    allowed = f"0 (off) or {MIN_TRUNCATION} to {MAX_TRUNCATION}"
    return f"got {value!r}; allowed: {allowed} ({TRUNCATION_NOTE})"
