"""Standard FID / KID / IS with torch-fidelity's InceptionV3 (TF-ported 2015-12-05 weights).

These numbers are only comparable with published ones when the exact network, weights and resize
are used, so the extractor, the Inception Score and KID (:mod:`kid`) come from torch-fidelity;
FID is computed from its features by :mod:`frechet`, in float64 (torch-fidelity's differs only
by its float32 means).

Weights are resolved in order: the explicit path (``evaluate.inception_weights``), the torch hub
cache (``torch.hub.get_dir()/checkpoints/<file>``, where torch-fidelity downloads them), then a
download when online. Modes: ``off`` records "skipped"; ``auto`` without weights records
"unavailable" with the file, URL, path looked at and param to set, and warns; ``required`` raises.
No number is ever produced without the real weights: metric values are ``None`` otherwise.
"""

from __future__ import annotations

import hashlib
import urllib.error
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch
from torch_fidelity.metric_isc import isc_features_to_metric
from torch_fidelity.utils import create_feature_extractor

from ganpipe.files import atomic_write
from ganpipe.metrics.frechet import content_hash, feature_statistics, frechet_distance
from ganpipe.metrics.kid import kernel_inception_distance

Mode = Literal["auto", "required", "off"]
MODES = ("auto", "required", "off")
PARAM = "evaluate.inception_weights"
EXTRACTOR = "inception-v3-compat"
# torch_fidelity.feature_extractor_inceptionv3.URL_INCEPTION_V3 (torch-fidelity 0.3/0.4); the
# file name is its basename, which is what torch.hub caches it as.
INCEPTION_URL = (
    "https://github.com/toshas/torch-fidelity/releases/download/v0.2.0/"
    "weights-inception-2015-12-05-6726825d.pth"
)
INCEPTION_FILE = INCEPTION_URL.rsplit("/", 1)[1]
FEATURE_LAYER, LOGITS_LAYER = "2048", "logits_unbiased"
METRIC_KEYS = (
    "fid_inception",
    "kid_inception_mean",
    "kid_inception_std",
    "is_inception_mean",
    "is_inception_std",
)


class InceptionUnavailableError(RuntimeError):
    """``evaluate.inception: required`` but the weights cannot be had."""


class InceptionUnavailableWarning(UserWarning):
    """``evaluate.inception: auto`` and the standard metrics are recorded as unavailable."""


@dataclass(frozen=True)
class WeightsResolution:
    """Where the weights are (``path``), or why not (``reason``), and where we looked."""

    path: Path | None
    looked_at: Path
    source: str  # "param" | "torch-cache" | "download" | ""
    reason: str = ""


def hub_cache_path(hub_dir: Path | None = None) -> Path:
    """The file torch.hub (and so torch-fidelity) would download the weights to."""
    return Path(hub_dir or torch.hub.get_dir()) / "checkpoints" / INCEPTION_FILE


def resolve_weights(
    weights_path: str | Path | None = None,
    hub_dir: Path | None = None,
    download: bool = True,
    url: str = INCEPTION_URL,
) -> WeightsResolution:
    """Explicit path, else the torch hub cache, else download to that cache when online.

    ``torch.hub.download_url_to_file`` writes a temporary file and renames it when complete, so
    a broken download leaves nothing under the cached name.

    An explicit path that does not exist is a configuration error and is *not* silently replaced
    by the cache: the record says so.
    """
    if weights_path:
        path = Path(weights_path).expanduser()
        if path.is_file():
            return WeightsResolution(path, path, "param")
        return WeightsResolution(None, path, "", f"{PARAM} is set to {path}, which does not exist")
    cached = hub_cache_path(hub_dir)
    if cached.is_file():
        return WeightsResolution(cached, cached, "torch-cache")
    if not download:
        return WeightsResolution(None, cached, "", "weights not found and download is disabled")
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        torch.hub.download_url_to_file(url, str(cached), progress=False)
    except (urllib.error.URLError, OSError) as exc:  # offline, DNS, proxy, disk
        return WeightsResolution(None, cached, "", f"weights not found and download failed: {exc}")
    return WeightsResolution(cached, cached, "download")


def sha256_file(path: Path) -> str:
    """SHA-256 of a file, streamed: the protocol's weights hash."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _record(status: str, reason: str = "", path: Path | None = None) -> dict[str, Any]:
    """The flat record with every key present; metric values stay None unless computed."""
    return {
        "inception_status": status,
        **dict.fromkeys(METRIC_KEYS),
        "inception_reason": reason,
        "inception_extractor": EXTRACTOR,
        "inception_weights_file": INCEPTION_FILE,
        "inception_weights_url": INCEPTION_URL,
        "inception_weights_path": str(path) if path else None,
        "inception_weights_sha256": None,
        "inception_param": PARAM,
        "inception_n_real": None,
        "inception_n_fake": None,
    }


def unavailable_message(resolution: WeightsResolution) -> str:
    """What is missing and exactly how to provide it."""
    return (
        f"standard Inception metrics unavailable: {resolution.reason}. Put {INCEPTION_FILE} "
        f"(from {INCEPTION_URL}) at {resolution.looked_at}, or set {PARAM} to its path."
    )


def _unavailable(mode: str, resolution: WeightsResolution) -> dict[str, Any]:
    """Raise under ``required``; otherwise warn and return the 'unavailable' record."""
    message = unavailable_message(resolution)
    if mode == "required":
        raise InceptionUnavailableError(message)
    warnings.warn(message, InceptionUnavailableWarning, stacklevel=3)
    return _record("unavailable", message, resolution.looked_at)


def _to_rgb_uint8(images: torch.Tensor) -> torch.Tensor:
    """N×3×H×W uint8: grayscale replicated to 3 channels, as the extractor expects."""
    if images.dtype != torch.uint8 or images.dim() != 4 or images.shape[1] not in (1, 3):
        raise ValueError(
            f"expected uint8 N×C×H×W with C in (1, 3), got {images.dtype} {tuple(images.shape)}"
        )
    return images.expand(-1, 3, -1, -1) if images.shape[1] == 1 else images


@torch.no_grad()
def extract(
    extractor: torch.nn.Module, images: torch.Tensor, batch_size: int = 64
) -> tuple[np.ndarray, torch.Tensor]:
    """(pool features as float64 numpy, unbiased logits) for uint8 images, in batches."""
    device = next(extractor.parameters()).device
    feats, logits = [], []
    for s in range(0, len(images), batch_size):
        batch = _to_rgb_uint8(images[s : s + batch_size]).contiguous().to(device)
        f, lg = extractor(batch)
        feats.append(f.double().cpu())
        logits.append(lg.double().cpu())
    return torch.cat(feats).numpy(), torch.cat(logits)


def _cached_features(
    key: str, compute: Callable[[], np.ndarray], cache_dir: Path | None
) -> np.ndarray:
    """Real features keyed by content + weights hash: extracted once across checkpoints."""
    if cache_dir is None:
        return compute()
    path = Path(cache_dir) / f"inception-{key}.npy"
    if path.is_file():
        return np.load(path)
    feats = compute()
    with atomic_write(path) as fh:
        np.save(fh, feats)
    return feats


def _create_extractor(name: str, weights: Path) -> torch.nn.Module:
    """torch-fidelity's registered extractor (a stand-in can be registered for tests)."""
    return create_feature_extractor(
        name,
        [FEATURE_LAYER, LOGITS_LAYER],
        cuda=torch.cuda.is_available(),
        feature_extractor_weights_path=str(weights),
        verbose=False,
    )


def _scores(
    real_f: np.ndarray, fake_f: np.ndarray, fake_logits: torch.Tensor, p: dict[str, int]
) -> dict[str, float]:
    """FID, KID and IS from extracted features (IS on the fakes only, torch-fidelity's code)."""
    kid_mean, kid_std = kernel_inception_distance(
        real_f, fake_f, p["kid_subsets"], p["kid_subset_size"], p["seed"]
    )
    isc = isc_features_to_metric(fake_logits, splits=p["isc_splits"], rng_seed=p["seed"])
    return {
        "fid_inception": frechet_distance(*feature_statistics(real_f), *feature_statistics(fake_f)),
        "kid_inception_mean": kid_mean,
        "kid_inception_std": kid_std,
        "is_inception_mean": isc["inception_score_mean"],
        "is_inception_std": isc["inception_score_std"],
    }


def inception_metrics(
    fake: torch.Tensor,
    real: torch.Tensor,
    mode: Mode = "auto",
    weights_path: str | Path | None = None,
    *,
    hub_dir: Path | None = None,
    download: bool = True,
    cache_dir: Path | None = None,
    kid_subsets: int = 100,
    kid_subset_size: int = 1000,
    isc_splits: int = 10,
    seed: int = 2020,
    batch_size: int = 64,
    extractor_name: str = EXTRACTOR,
) -> dict[str, Any]:
    """Flat record of standard FID/KID/IS for uint8 N×C×H×W image tensors (C = 1 or 3).

    ``inception_status`` is "ok", "unavailable" (``auto`` without the weights) or
    "skipped" (``off``); only "ok" carries numbers.
    """
    if mode not in MODES:
        raise ValueError(f"evaluate.inception must be one of {MODES}, got {mode!r}")
    if mode == "off":
        return _record("skipped", "evaluate.inception is off")
    resolution = resolve_weights(weights_path, hub_dir, download)
    if resolution.path is None:
        return _unavailable(mode, resolution)
    return _compute(
        fake,
        real,
        resolution.path,
        cache_dir,
        extractor_name,
        batch_size,
        {
            "kid_subsets": kid_subsets,
            "kid_subset_size": kid_subset_size,
            "isc_splits": isc_splits,
            "seed": seed,
        },
    )


def _compute(
    fake: torch.Tensor,
    real: torch.Tensor,
    weights: Path,
    cache_dir: Path | None,
    extractor_name: str,
    batch_size: int,
    p: dict[str, int],
) -> dict[str, Any]:
    """Extract features with the resolved weights and fill the 'ok' record."""
    sha = sha256_file(weights)
    extractor = _create_extractor(extractor_name, weights)
    key = content_hash(real.cpu().numpy(), extractor_name, sha)
    real_f = _cached_features(key, lambda: extract(extractor, real, batch_size)[0], cache_dir)
    fake_f, fake_logits = extract(extractor, fake, batch_size)
    record = _record("ok", "", weights)
    record.update(_scores(real_f, fake_f, fake_logits, p))
    record.update(
        inception_weights_sha256=sha,
        inception_extractor=extractor_name,
        inception_n_real=len(real),
        inception_n_fake=len(fake),
    )
    return record
