"""Relevance: does each image show its class's search query, or something off-topic? By open_clip.

The ``auto | required | off`` contract of the Inception metrics (ganpipe.metrics.inception):
``off`` records "skipped"; ``auto`` uses the weights (``curate.relevance_weights``: a file, or
an open_clip tag fetched once into the Hugging Face cache by ganpipe.curate.hub) and records
"unavailable" with the reason when they cannot be had (offline, a corrupt download, a file that
does not load); ``required`` raises instead. No number is made up without the real weights.

Every image is compared with every class's query and with generic off-topic prompts
(``curate.relevance_off_topic``: a photo of a car, a product photo, a shop front, text). The score
is the softmax over all those prompts of CLIP's scaled cosine similarity, read at the image's own
query; the words name the prompt CLIP preferred when it was not the image's own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image
from tqdm import tqdm

from ganpipe.curate.hub import CONFIG, WeightsUnavailableError, fetch, hub_model
from ganpipe.curate.signals import Signal, robust_z, surprisal
from ganpipe.data import ImageSet
from ganpipe.errors import UserError
from ganpipe.params import CurateParams

PARAM = "curate.relevance_weights"
BATCH = 64


class RelevanceUnavailableError(UserError):
    """``curate.relevance: required`` but the pretrained weights cannot be had."""


@dataclass(frozen=True)
class Relevance:
    """``status`` ok / unavailable / skipped; the scores and their signal only when ok."""

    status: str
    reason: str = ""
    weights: str = ""  # the file used
    scores: np.ndarray | None = None  # per image, CLIP's probability of its own query
    signal: Signal | None = None

    def record(self) -> dict[str, Any]:
        return {"status": self.status, "reason": self.reason, "weights": self.weights}


@dataclass(frozen=True)
class Clip:
    """A loaded open_clip model, its preprocessing and tokenizer, and the weights file."""

    model: Any
    preprocess: Any
    tokenizer: Any
    weights: Path


def is_file_setting(weights: str) -> bool:
    """``curate.relevance_weights`` names a file (not an open_clip tag such as ``openai``)."""
    return bool(Path(weights).suffix) or "/" in weights


def load_clip(p: CurateParams) -> Clip:
    """The model from the named file, or from the hub's cache (downloaded first if need be)."""
    import open_clip

    if is_file_setting(p.relevance_weights) and not p.relevance_model.startswith("hf-hub:"):
        path = Path(p.relevance_weights).expanduser()
        if not path.is_file():
            raise WeightsUnavailableError(f"{PARAM} is set to {path}, which does not exist")
        name, pretrained, quick_gelu = p.relevance_model, str(path), False
    else:
        source = hub_model(p.relevance_model, p.relevance_weights)
        path = fetch(source.repo, source.weights)
        name, pretrained, quick_gelu = source.name, str(path), source.quick_gelu
        if source.config:
            config = fetch(source.repo, (CONFIG,))
            name, pretrained = f"local-dir:{config.parent}", None
    try:
        model, _, preprocess = open_clip.create_model_and_transforms(
            name, pretrained=pretrained, force_quick_gelu=quick_gelu
        )
        tokenizer = open_clip.get_tokenizer(name)
    except Exception as err:  # torch, safetensors and open_clip each raise their own kinds
        raise WeightsUnavailableError(f"cannot load {path} as open_clip {name}: {err}") from err
    return Clip(model.eval(), preprocess, tokenizer, path)


def relevance(data: ImageSet, queries: Mapping[str, str], p: CurateParams) -> Relevance:
    """Score ``data`` against its classes' queries, or say why not (see the module docstring)."""
    if p.relevance == "off":
        return Relevance("skipped", "curate.relevance is off")
    try:
        clip = load_clip(p)
    except WeightsUnavailableError as err:
        message = f"relevance unavailable for open_clip {p.relevance_model}: {err}"
        if p.relevance == "required":
            raise RelevanceUnavailableError(message) from err
        return Relevance("unavailable", message)
    queried = [queries.get(c, c) for c in data.classes]
    prompts = [*queried, *p.relevance_off_topic]
    probs = clip_probabilities(data, prompts, clip)
    labels = data.labels.numpy()
    own = probs[np.arange(len(labels)), labels]
    reasons = [
        _words(int(best), int(label), data.classes, queried, prompts)
        for best, label in zip(probs.argmax(axis=1), labels, strict=True)
    ]
    signal = Signal("relevance", robust_z(surprisal(own), 0.1), reasons)
    return Relevance("ok", "", str(clip.weights), own, signal)


def _words(
    best: int, own: int, classes: Sequence[str], queried: Sequence[str], prompts: Sequence[str]
) -> str:
    """What CLIP's first choice says about an image of class ``own``."""
    if best >= len(classes):
        return f"off-topic prompt: {prompts[best]}"
    if best != own:
        return f"closer to class {classes[best]} ('{queried[best]}')"
    return f"CLIP doubts '{queried[own]}'"


@torch.no_grad()
def clip_probabilities(data: ImageSet, prompts: Sequence[str], clip: Clip) -> np.ndarray:
    """(N, len(prompts)): per image, CLIP's softmax over the prompts."""
    text = clip.model.encode_text(clip.tokenizer(list(prompts)))
    text = text / text.norm(dim=-1, keepdim=True)
    out = []
    for start in tqdm(range(0, len(data.labels), BATCH), desc="relevance", unit="batch"):
        batch = data.images[start : start + BATCH]
        pixels = torch.stack([clip.preprocess(_to_pil(image)) for image in batch])
        image = clip.model.encode_image(pixels)
        image = image / image.norm(dim=-1, keepdim=True)
        out.append((clip.model.logit_scale.exp() * image @ text.T).softmax(dim=-1))
    return torch.cat(out).double().numpy()


def _to_pil(image: torch.Tensor) -> Image.Image:
    array = image.permute(1, 2, 0).numpy()
    return Image.fromarray(array[:, :, 0] if array.shape[2] == 1 else array).convert("RGB")
