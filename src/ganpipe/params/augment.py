"""``augment``: offline augmentation chains, checked here so a typo stops before any work."""

from __future__ import annotations

from pydantic import Field, model_validator
from pydantic.dataclasses import dataclass

from ganpipe.chains import ChainError, parse_chain
from ganpipe.params.base import CONFIG, Int, Invalid, Section, Str, seed_field, workers_field


@dataclass(frozen=True, config=CONFIG)
class AugmentParams(Section):
    """Offline augmentation chains written in the car-logo seed's codes (ganpipe.chains)."""

    chains: list[Str] = Field(
        default_factory=list,
        description='each a space-separated chain of codes, e.g. "fliph", "rot_-45 noise_0.01"',
    )
    copies: Int = Field(1, ge=1, le=100, description="copies per chain per image")
    seed: Int = seed_field()
    workers: Int = workers_field()

    @model_validator(mode="after")
    def _chains_parse(self) -> AugmentParams:
        for i, chain in enumerate(self.chains):
            try:
                parse_chain(chain)
            except ChainError as err:
                raise Invalid(f"chains[{i}]", str(err)) from err
        return self
