"""``curate``: the suspect ranking, and the optional image-text relevance score."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic.dataclasses import dataclass

from ganpipe.params.base import CONFIG, Bool, Float, Int, Section, Str, seed_field


@dataclass(frozen=True, config=CONFIG)
class CurateParams(Section):
    """Suspect ranking: a classifier cross-validated on the data itself scores every image.

    Off for curated datasets (nothing to find, and 60,000 images cost minutes); on for scraped
    ones. The classifier sees 32 px: on 64 px hand photos (benchmarks/suspects.py) it ranked
    better than at 64 px (recall 0.951 vs 0.937) for a quarter of the CPU time. ``relevance``
    follows ``evaluate.inception``'s contract: ``auto`` uses a pretrained image-text model,
    downloading its weights once when online, and records why not otherwise; ``required``
    fails without them.
    """

    enabled: Bool = Field(True, description="rank suspects; off for curated datasets")
    folds: Int = Field(5, ge=2, le=20, description="cross-validation folds")
    epochs: Int = Field(6, ge=1, le=1000, description="passes over each fold's training images")
    batch_size: Int = Field(64, ge=2, le=65536, description="images per training step")
    lr: Float = Field(3e-3, gt=0, le=1, description="learning rate")
    image_size: Int = Field(
        32, ge=8, le=512, description="side the classifier sees (area-downscaled; pixels)"
    )
    neighbours: Int = Field(
        10, ge=1, le=1000, description="nearest neighbours of the outlier score"
    )
    suspect_fraction: Float = Field(
        0.1, ge=0, le=1, description="share of images flagged as suspects, most suspicious first"
    )
    drop: Bool = Field(
        False, description="reject images at or above drop_threshold (reason 'suspect')"
    )
    drop_threshold: Float = Field(0.9, ge=0, le=1, description="suspicion that drops an image")
    seed: Int = seed_field()
    # One thread by default: this small net gains little from more, and on a busy machine two
    # spinning threads ran 7x slower than one (benchmarks/suspects.py)
    threads: Int = Field(1, ge=0, le=256, description="torch CPU threads; 0 = all cores")
    relevance: Literal["auto", "required", "off"] = Field(
        "auto", description="image-text relevance score: as evaluate.inception's auto/required/off"
    )
    relevance_model: Str = Field(
        "ViT-B-32", description="an open_clip model name, or hf-hub:org/repo"
    )
    relevance_weights: Str = Field(
        "openai", min_length=1, description="an open_clip tag (fetched into the HF cache) or file"
    )
    relevance_off_topic: list[Str] = Field(
        default_factory=lambda: [
            "a photo of a car",
            "a product photo",
            "a photo of a shop front",
            "text",
        ],
        max_length=100,
        description="prompts an image may match better than its class's query: off-topic results",
    )
