"""Full-state checkpoints written atomically, and the params hash that decides on resume.

Checkpoints hold only tensors, numbers, strings, lists and dicts, so they load with
``torch.load(path, weights_only=True)``: opening one never runs pickled code.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Collection
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ganpipe.errors import UserError
from ganpipe.files import atomic_write
from ganpipe.modelfile import read_model_file
from ganpipe.params import TrainParams, as_record

# Keys that change only where and how fast training runs, not what it computes.
NON_SEMANTIC = {"device", "compile", "threads"}
# Keys added after runs were made, with the value that computes what training computed before
# they existed: at that value they stay out of the hash, so a run interrupted before they
# existed still resumes (and its params_hash metric is unchanged). ema_rampup's default is not
# that value: runs made since hash differently from the fixed-half-life runs before them.
ADDED_LATER: dict[str, Any] = {
    "d_head": "acgan",
    "sync_batchnorm": False,
    "max_minutes": 0.0,
    "labelled_fraction": 1.0,
    "arch": "dcgan",
    "d_embed_dim": 512,
    "d2d_temperature": 0.5,
    "d2d_margin": 0.98,
    "ada_target": 0.0,
    "ada_kimg": 500.0,
    "ada_interval": 4,
    "ada_ops": "xflip,rotate90,translation,scale,rotate,aniso,color",
    "ema_rampup": 0.0,
    "reuse_fakes": False,
    "max_minutes_clock": "wall",
    "g_skip_excite": False,
    "g_glu": False,
    "d_blur": False,
    "d_mbstd": False,
    "lecam": 0.0,
}


def params_hash(p: TrainParams, data_fingerprint: str) -> str:
    """Hash of everything that shapes the result: resume only when this matches."""
    semantic = {
        k: v
        for k, v in as_record(p).items()
        if k not in NON_SEMANTIC and not (k in ADDED_LATER and v == ADDED_LATER[k])
    }
    blob = json.dumps({"params": semantic, "data": data_fingerprint}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def rng_state() -> dict[str, Any]:
    """The torch, NumPy and Python RNG states as tensors and plain numbers."""
    _, keys, pos, has_gauss, cached_gaussian = np.random.get_state()
    version, internal, gauss_next = random.getstate()
    state: dict[str, Any] = {
        "torch": torch.get_rng_state(),
        "numpy": {
            "keys": torch.from_numpy(keys.astype(np.int64)),
            "pos": int(pos),
            "has_gauss": int(has_gauss),
            "cached_gaussian": float(cached_gaussian),
        },
        "python": {
            "version": version,
            "internal": torch.tensor(internal, dtype=torch.int64),
            "gauss_next": gauss_next,
        },
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict[str, Any]) -> None:
    """Restore what :func:`rng_state` captured."""
    torch.set_rng_state(state["torch"])
    n = state["numpy"]
    np.random.set_state(
        (
            "MT19937",
            n["keys"].numpy().astype(np.uint32),
            n["pos"],
            n["has_gauss"],
            n["cached_gaussian"],
        )
    )
    py = state["python"]
    random.setstate((py["version"], tuple(py["internal"].tolist()), py["gauss_next"]))
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def save_atomic(obj: Any, path: Path) -> None:
    """torch.save to a temporary file, fsync, then rename: a kill never leaves half a file."""
    with atomic_write(path) as f:
        torch.save(obj, f)


def load_for_resume(
    path: Path, expected_hash: str, p: TrainParams, keys: Collection[str]
) -> dict[str, Any] | None:
    """The checkpoint at ``path`` if it is an unfinished run with the same params and data,
    holding all of ``keys`` (one written before a key existed cannot resume exactly).

    A finished run is not resumed: DVC re-runs a finished train stage only when its code
    changed or it was forced, and both ask for training again.
    """
    if not path.exists():
        return None
    try:
        state = read_model_file(path, "a training checkpoint")[0]
    except UserError as err:  # an older pickled format, another version, or a damaged disk
        print(f"[train] ignoring {err}; starting fresh")
        return None
    if state.get("params_hash") != expected_hash:
        print(
            f"[train] params or data changed since {path} was written "
            f"({state.get('params_hash')} != {expected_hash}); starting fresh"
        )
        return None
    missing = sorted(set(keys) - set(state))
    if missing:
        print(f"[train] {path} has no {', '.join(missing)} (an older version); starting fresh")
        return None
    out_of_time = p.max_minutes and state["train_seconds"] >= p.max_minutes * 60
    if state["cur_nimg"] >= int(p.total_kimg * 1000) or out_of_time:
        print(
            f"[train] {path} is a finished run ({state['cur_nimg'] / 1000:.1f} kimg); "
            "training again from the start"
        )
        return None
    return state
