"""open_clip weights from the Hugging Face hub: from its cache when there, else downloaded once.

Through huggingface_hub, so ``HF_HOME`` (the cache), ``HF_ENDPOINT`` (a mirror) and
``HF_HUB_OFFLINE=1`` work as everywhere else. The cache is looked at first without any request,
so a model fetched once is used offline from then on. A download is announced with its size, and
checked: the hub names a large (LFS) file by its SHA-256, and a file that does not match is
deleted again, so a broken transfer is never used and the next run fetches it anew.

Models are named as open_clip names them: a built-in model with a pretrained tag (``ViT-B-32``,
``openai``), whose hub repository open_clip's registry gives, or ``hf-hub:org/repo``, a repository
holding ``open_clip_config.json`` beside the weights.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from huggingface_hub import (
    constants,
    get_hf_file_metadata,
    hf_hub_download,
    hf_hub_url,
    try_to_load_from_cache,
)
from huggingface_hub.errors import EntryNotFoundError

from ganpipe.errors import UserError

HUB_PREFIX = "hf-hub:"
CONFIG = "open_clip_config.json"
WEIGHTS = ("open_clip_model.safetensors", "open_clip_pytorch_model.bin")  # open_clip's order
SHA256 = re.compile(r"[0-9a-f]{64}")


class WeightsUnavailableError(UserError):
    """The weights are not in the cache and cannot be downloaded (the reason says why)."""


@dataclass(frozen=True)
class HubModel:
    """Where an open_clip model's files live on the hub, and how to build it from them."""

    repo: str
    weights: tuple[str, ...]  # candidate file names, the first one found is used
    config: bool  # an hf-hub: repository: open_clip_config.json describes the model
    name: str  # the built-in open_clip name ("" for an hf-hub: repository)
    quick_gelu: bool = False  # OpenAI's checkpoints were trained with QuickGELU


def hub_model(model: str, tag: str) -> HubModel:
    """The repository and files of ``model`` (an open_clip name) with pretrained ``tag``."""
    if model.startswith(HUB_PREFIX):
        return HubModel(model.removeprefix(HUB_PREFIX), WEIGHTS, True, "")
    import open_clip

    cfg = open_clip.get_pretrained_cfg(model, tag)
    if not cfg.get("hf_hub"):
        known = ", ".join(open_clip.list_pretrained_tags_by_model(model)) or "none"
        raise UserError(  # a typo in params.yaml, not a missing download: fails under auto too
            f"curate.relevance_weights: open_clip has no Hugging Face weights for {model} / "
            f"{tag!r}; known tags: {known}"
        )
    repo, filename = os.path.split(cfg["hf_hub"])  # "org/repo/" names the default file
    return HubModel(
        repo, candidates(filename or WEIGHTS[1]), False, model, bool(cfg.get("quick_gelu"))
    )


def candidates(filename: str) -> tuple[str, ...]:
    """open_clip's order: a .safetensors twin of a pickle file first, then the file itself."""
    if filename == WEIGHTS[1]:
        return WEIGHTS
    stem, ext = os.path.splitext(filename)
    return (stem + ".safetensors", filename) if ext in (".bin", ".pth", ".pt") else (filename,)


def cache_dir() -> Path:
    """huggingface_hub's cache (``HF_HOME``/hub unless ``HF_HUB_CACHE`` says otherwise)."""
    return Path(constants.HF_HUB_CACHE)


def repo_folder(repo: str) -> Path:
    return cache_dir() / ("models--" + repo.replace("/", "--"))


def cached(repo: str, names: tuple[str, ...]) -> Path | None:
    """The first of ``names`` already in the cache; no request is made."""
    for name in names:
        found = try_to_load_from_cache(repo, name, cache_dir=cache_dir())
        if isinstance(found, str):
            return Path(found)
    return None


def fetch(repo: str, names: tuple[str, ...]) -> Path:
    """The first of ``names`` the repository has: from the cache, else downloaded and checked."""
    found = cached(repo, names)
    if found:
        return found
    if constants.HF_HUB_OFFLINE:
        raise WeightsUnavailableError(
            f"{repo}: none of {', '.join(names)} in the cache at {repo_folder(repo)}, and "
            "HF_HUB_OFFLINE is set, so nothing is downloaded"
        )
    for name in names:
        try:
            meta = get_hf_file_metadata(hf_hub_url(repo, name))
        except EntryNotFoundError:
            continue  # the repository has the other format
        except Exception as err:  # offline, DNS, proxy, 401/403/5xx: huggingface_hub's and httpx's
            raise WeightsUnavailableError(
                f"cannot reach {constants.ENDPOINT} for {repo}/{name}: {err}"
            ) from err
        size = f"{meta.size / 1e6:.1f} MB" if meta.size is not None else "size unknown"
        print(f"[curate] downloading {repo}/{name} ({size}) into {cache_dir()}", flush=True)
        try:
            path = Path(hf_hub_download(repo, name, cache_dir=cache_dir()))
        except Exception as err:  # the transfer broke off: nothing is left under the name
            raise WeightsUnavailableError(f"download of {repo}/{name} failed: {err}") from err
        verify(path, meta.etag or "")
        return path
    raise WeightsUnavailableError(f"{repo} on {constants.ENDPOINT} has none of {', '.join(names)}")


def verify(path: Path, etag: str) -> None:
    """A large file's etag is its SHA-256: a download that differs is deleted and refused."""
    if not SHA256.fullmatch(etag):
        return  # a small (git) file: its etag is a git hash, nothing to compare
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    if digest.hexdigest() != etag:
        blob = path.resolve()
        path.unlink()
        blob.unlink(missing_ok=True)
        raise WeightsUnavailableError(
            f"corrupt download: {path.name} has SHA-256 {digest.hexdigest()[:16]}..., the hub "
            f"says {etag[:16]}...; deleted it, the next run downloads it again"
        )
