"""Full-state checkpoints written atomically, and the params hash that decides on resume."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import random
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ganpipe.params import TrainParams

# Keys that change only where and how fast training runs, not what it computes.
NON_SEMANTIC = {"device", "compile", "threads"}


def params_hash(p: TrainParams, data_fingerprint: str) -> str:
    """Hash of everything that shapes the result: resume only when this matches."""
    semantic = {k: v for k, v in dataclasses.asdict(p).items() if k not in NON_SEMANTIC}
    blob = json.dumps({"params": semantic, "data": data_fingerprint}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def rng_state() -> dict[str, Any]:
    state = {"torch": torch.get_rng_state(), "numpy": np.random.get_state(),
             "python": random.getstate()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict[str, Any]) -> None:
    torch.set_rng_state(state["torch"])
    np.random.set_state(state["numpy"])
    random.setstate(state["python"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def save_atomic(obj: Any, path: Path) -> None:
    """torch.save to a temporary file, fsync, then rename: a kill never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as f:
        torch.save(obj, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def load_for_resume(path: Path, expected_hash: str) -> dict[str, Any] | None:
    """The checkpoint at ``path`` if it was made with the same params and data, else None."""
    if not path.exists():
        return None
    try:
        state = torch.load(path, map_location="cpu", weights_only=False)
    except Exception as err:  # a checkpoint from an incompatible version or a damaged disk
        print(f"[train] ignoring unreadable checkpoint {path}: {err}; starting fresh")
        return None
    if state.get("params_hash") != expected_hash:
        print(f"[train] params or data changed since {path} was written "
              f"({state.get('params_hash')} != {expected_hash}); starting fresh")
        return None
    return state
