"""Reading params.yaml within bounds: its size, its nesting and its values once YAML aliases are
expanded (an alias bomb of a few hundred bytes holds hundreds of millions of values)."""

from __future__ import annotations

import os
from typing import Any

import yaml

from ganpipe.limits import (
    ERROR_CHARS,
    PARAMS_MAX_BYTES,
    PARAMS_MAX_DEPTH,
    PARAMS_MAX_VALUES,
    clip,
)
from ganpipe.params.base import ParamsError
from ganpipe.params.messages import step_text


def read_yaml(path: str | os.PathLike) -> Any:
    """The file's YAML, read only if it is of a params file's size and nesting."""
    with open(path, "rb") as f:
        data = f.read(PARAMS_MAX_BYTES + 1)
    if len(data) > PARAMS_MAX_BYTES:
        raise ParamsError(
            f"{path}: larger than {PARAMS_MAX_BYTES // 1024} kB; a params file has a few kB"
        )
    try:
        return yaml.safe_load(data)
    except yaml.YAMLError as err:
        raise ParamsError(f"{path}: not valid YAML: {clip(str(err), ERROR_CHARS)}") from err
    except RecursionError:  # PyYAML composes nested nodes recursively
        raise ParamsError(f"{path}: nested too deep for YAML to read") from None


def measure(
    node: Any, where: str, depth: int, seen: dict[int, tuple[int, int] | None]
) -> tuple[int, int]:
    """(values, levels) of ``node`` with YAML aliases expanded; a ParamsError naming ``where``
    when its nesting or its count of values (an alias bomb's grows ninefold a level) is over
    the bounds, or an alias holds itself. A node that aliases share is walked once."""
    if not isinstance(node, dict | list):
        return 1, 0
    if depth > PARAMS_MAX_DEPTH:
        raise ParamsError(f"{where}: nested more than {PARAMS_MAX_DEPTH} levels deep")
    if id(node) not in seen:
        seen[id(node)] = None  # being walked: met again inside, it holds itself
        values, levels = 1, 0
        for key, child in node.items() if isinstance(node, dict) else enumerate(node):
            below = measure(child, where + step_text(key), depth + 1, seen)
            values, levels = values + below[0], max(levels, below[1] + 1)
            if values > PARAMS_MAX_VALUES:
                raise ParamsError(
                    f"{where}: more than {PARAMS_MAX_VALUES:,} values once YAML aliases are "
                    "expanded (an alias bomb?); a params file has a few hundred"
                )
        seen[id(node)] = values, levels
    known = seen[id(node)]
    if known is None:
        raise ParamsError(f"{where}: a YAML alias inside its own anchor (it holds itself)")
    if depth + known[1] > PARAMS_MAX_DEPTH:
        raise ParamsError(f"{where}: nested more than {PARAMS_MAX_DEPTH} levels deep")
    return known
