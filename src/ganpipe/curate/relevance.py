"""Optional relevance: how well each image matches its class's text query, by open_clip.

The same ``auto | required | off`` contract as the Inception metrics (ganpipe.metrics.inception):
``off`` records "skipped"; ``auto`` uses the pretrained weights only if they are already on disk
(``curate.relevance_weights``: a file, or an open_clip tag such as ``openai`` looked up in the
Hugging Face cache) and otherwise records "unavailable" with the reason and the exact path it
needs; ``required`` raises instead. Nothing is ever downloaded here, and no number is made up.

The score is the softmax over the classes' prompts of CLIP's scaled cosine similarity, read at
the image's own class: the probability that it shows its query rather than another class's.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image
from tqdm import tqdm

from ganpipe.data import ImageSet
from ganpipe.errors import UserError
from ganpipe.params import CurateParams

PARAM = "curate.relevance_weights"
PROMPT = "a photo of {}"
HF_FILES = ("open_clip_model.safetensors", "open_clip_pytorch_model.bin")


class RelevanceUnavailableError(UserError):
    """``curate.relevance: required`` but the pretrained weights are not on this machine."""


@dataclass(frozen=True)
class Relevance:
    """``status`` ok / unavailable / skipped; ``scores`` per image only when ok."""

    status: str
    reason: str = ""
    weights: str = ""  # the file used, or the path it needs
    scores: np.ndarray | None = None

    def record(self) -> dict[str, Any]:
        return {"status": self.status, "reason": self.reason, "weights": self.weights}


@dataclass(frozen=True)
class Weights:
    """Where the weights are or would have to be, and how open_clip must build the model."""

    path: Path
    found: bool
    quick_gelu: bool = False  # OpenAI's checkpoints were trained with QuickGELU


def locate_weights(model: str, weights: str, hf_home: Path | None = None) -> Weights:
    """An explicit file, else an open_clip tag's (``openai``) file in the Hugging Face cache."""
    if Path(weights).suffix or os.sep in weights:
        return Weights(Path(weights).expanduser(), Path(weights).expanduser().is_file())
    import open_clip
    from huggingface_hub import try_to_load_from_cache

    cfg = open_clip.get_pretrained_cfg(model, weights)
    if not cfg.get("hf_hub"):
        raise RelevanceUnavailableError(
            f"{PARAM}: open_clip has no Hugging Face weights for {model} / {weights!r}; "
            f"known tags: {', '.join(open_clip.list_pretrained_tags_by_model(model)) or 'none'}"
        )
    repo, filename = os.path.split(cfg["hf_hub"])
    cache = Path(hf_home or os.environ.get("HF_HOME", Path.home() / ".cache/huggingface")) / "hub"
    for name in (*HF_FILES, filename) if filename else HF_FILES:
        found = try_to_load_from_cache(repo, name, cache_dir=cache)
        if isinstance(found, str):
            return Weights(Path(found), True, bool(cfg.get("quick_gelu")))
    folder = "models--" + repo.replace("/", "--")
    return Weights(cache / folder / "snapshots" / "<revision>" / (filename or HF_FILES[1]), False)


def relevance(
    data: ImageSet, queries: Mapping[str, str], p: CurateParams, hf_home: Path | None = None
) -> Relevance:
    """Score ``data`` against its classes' queries, or say why not (see the module docstring)."""
    if p.relevance == "off":
        return Relevance("skipped", "curate.relevance is off")
    weights = locate_weights(p.relevance_model, p.relevance_weights, hf_home)
    if not weights.found:
        message = (
            f"relevance unavailable: no weights for open_clip {p.relevance_model} at "
            f"{weights.path}. "
            f"Put them there (download them where you are online), or set {PARAM} to a file"
        )
        if p.relevance == "required":
            raise RelevanceUnavailableError(message)
        return Relevance("unavailable", message, str(weights.path))
    prompts = [PROMPT.format(queries.get(c, c)) for c in data.classes]
    scores = clip_scores(data, prompts, p.relevance_model, weights)
    return Relevance("ok", "", str(weights.path), scores)


@torch.no_grad()
def clip_scores(
    data: ImageSet, prompts: Sequence[str], model_name: str, weights: Weights
) -> np.ndarray:
    """Per image, CLIP's probability of its own class's prompt among all classes' prompts."""
    import open_clip

    model, _, preprocess = open_clip.create_model_and_transforms(
        model_name, pretrained=str(weights.path), force_quick_gelu=weights.quick_gelu
    )
    model.eval()
    text = model.encode_text(open_clip.get_tokenizer(model_name)(list(prompts)))
    text = text / text.norm(dim=-1, keepdim=True)
    out = []
    for start in tqdm(range(0, len(data.labels), 64), desc="relevance", unit="batch"):
        batch = data.images[start : start + 64]
        pixels = torch.stack([preprocess(_to_pil(image)) for image in batch])
        image = model.encode_image(pixels)
        image = image / image.norm(dim=-1, keepdim=True)
        probs = (model.logit_scale.exp() * image @ text.T).softmax(dim=-1)
        out.append(probs[torch.arange(len(batch)), data.labels[start : start + 64]])
    return torch.cat(out).double().numpy()


def _to_pil(image: torch.Tensor) -> Image.Image:
    array = image.permute(1, 2, 0).numpy()
    return Image.fromarray(array[:, :, 0] if array.shape[2] == 1 else array).convert("RGB")
