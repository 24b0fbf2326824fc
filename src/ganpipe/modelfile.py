"""Reading the model files ganpipe writes (generators, the domain classifier, checkpoints,
snapshots): one path for all, so that any other file meets one clear line.

Files are read with ``weights_only=True``: opening one never runs pickled code. A file that is
not what a ganpipe stage wrote (empty, truncated, random bytes, pickled objects, a missing key,
a tensor of another shape than its own header describes) is a :class:`UserError` naming the
file, what was found and what was expected, never a traceback from deep inside torch.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from torch import nn

from ganpipe.errors import UserError
from ganpipe.limits import MAX_IMAGE_SIDE, MODEL_MAX_CLASSES, brief, clip

ZIP_MAGIC = b"PK\x03\x04"  # torch.save writes a zip archive
# What a ganpipe model file's header holds beside its weights: key -> type
IMAGE_HEADER: dict[str, type | tuple[type, ...]] = {
    "state_dict": dict,
    "classes": list,
    "size": int,
    "channels": int,
}


def read_model_file(
    path: str | Path, expected: str, header: Mapping[str, type | tuple[type, ...]] | None = None
) -> tuple[dict[str, Any], str]:
    """The dict at ``path`` (holding ``header``'s keys with values of those types) and the
    file's sha256; a UserError saying the file is not ``expected`` when it is anything else."""
    try:
        data = Path(path).read_bytes()
    except OSError as err:
        raise UserError(f"{path}: cannot read it ({err.strerror}); expected {expected}") from None
    state = _unpickle(data, path, expected)
    if not isinstance(state, dict):
        raise UserError(f"{path}: holds a {type(state).__name__}, not {expected}")
    for key, kind in (header or {}).items():
        if key not in state:
            found = brief(sorted(map(str, state)), 120)
            raise UserError(f"{path}: not {expected}: it has no '{key}' (its keys: {found})")
        if not isinstance(state[key], kind):
            raise UserError(f"{path}: not {expected}: its '{key}' is a {type(state[key]).__name__}")
    return state, hashlib.sha256(data).hexdigest()


def _unpickle(data: bytes, path: str | Path, expected: str) -> Any:
    if not data:
        raise UserError(f"{path}: an empty file, not {expected}")
    with warnings.catch_warnings():  # torch warns about pickles it did not write: we say so
        warnings.simplefilter("ignore", UserWarning)
        try:
            return torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
        except Exception as err:  # torch raises many kinds; every one means "not our file"
            raise UserError(f"{path}: {_unreadable(err, data)}; expected {expected}") from None


def _unreadable(err: Exception, data: bytes) -> str:
    """What is wrong with the file, in a few words (torch's own message has a dozen lines)."""
    text = str(err)
    blocked = re.search(r"GLOBAL (\S+)", text)
    if blocked:
        return f"it holds a pickled {blocked[1]}, refused unrun (ganpipe writes only tensors)"
    if data.startswith(ZIP_MAGIC):
        return "truncated or damaged (a zip archive, but not a whole one from torch.save)"
    if "Weights only load failed" in text:
        return "not a file torch.save wrote (weights-only loading refused its pickle)"
    return f"not a file torch.save wrote ({type(err).__name__}: {clip(text)})"


def describe_image_model(state: dict[str, Any], path: str | Path, kind: str) -> str:
    """``<kind> for 28×28×1 images with 10 classes``: what an IMAGE_HEADER says, checked to be
    something ganpipe could have trained (so a hostile header allocates nothing huge)."""
    classes, size, channels = state["classes"], state["size"], state["channels"]
    if not 1 <= len(classes) <= MODEL_MAX_CLASSES or not all(isinstance(c, str) for c in classes):
        raise UserError(f"{path}: its classes are not 1 to {MODEL_MAX_CLASSES:,} names")
    if not 1 <= size <= MAX_IMAGE_SIDE or channels not in (1, 3):
        raise UserError(
            f"{path}: its header says {brief(size)}×{brief(size)}×{brief(channels)} images; "
            f"ganpipe makes 1 or 3 channels, at most {MAX_IMAGE_SIDE} pixels a side"
        )
    n = len(classes)
    return f"{kind} for {size}×{size}×{channels} images with {n} class{'es' if n > 1 else ''}"


def load_weights(
    model: nn.Module, weights: Mapping[str, Any], path: str | Path, described: str
) -> nn.Module:
    """``model`` holding ``weights``; a UserError naming the first tensor that is missing,
    extra or of another shape than ``described`` (what the header says the file is) needs."""
    wanted = model.state_dict()
    missing = [k for k in wanted if k not in weights]
    extra = [str(k) for k in weights if k not in wanted]
    if missing or extra:
        what = f"no {missing[0]}" if missing else f"an unexpected {clip(extra[0])}"
        count = len(missing) + len(extra)
        raise UserError(f"{path}: expected {described}; this file has {what} ({count} in all)")
    for name, tensor in wanted.items():
        got = weights[name]
        if not isinstance(got, torch.Tensor) or got.shape != tensor.shape:
            found = _shape(got) if isinstance(got, torch.Tensor) else type(got).__name__
            raise UserError(
                f"{path}: expected {described}; this file's {name} is {found}, not {_shape(tensor)}"
            )
    try:
        model.load_state_dict(weights)
    except RuntimeError as err:  # right shapes, but tensors torch cannot copy (sparse, ...)
        raise UserError(f"{path}: expected {described}; {clip(str(err))}") from None
    return model


def _shape(tensor: torch.Tensor) -> str:
    return "×".join(map(str, tensor.shape)) or "a scalar"
