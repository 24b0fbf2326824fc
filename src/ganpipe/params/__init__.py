"""Typed, validated view of ``params.yaml``: one frozen pydantic dataclass per section.

Every stage calls :func:`load_section` for the sections it reads; :func:`load_all` validates
every section, so a typo or a bad value anywhere stops the stage before it does any work, with
a message that starts with the key's full path (``train.lr_g: got -1; allowed: > 0``).

Each section lives in a module of its own (``ganpipe.params.train``: ``TrainParams``), built from
:mod:`~ganpipe.params.base`; a stage's dvc.yaml deps list only the section modules it reads or
imports (tests/unit/test_dvc_deps.py). Every number has ``Field`` bounds and every field a
description (docs/PARAMS.md is made from them: ``python -m ganpipe.params.reference``). Sections
are plain dataclasses to the rest of the code: ``dataclasses.asdict`` and ``replace`` work (and
``replace`` validates). Rules that tie several keys together are ``model_validator``s that raise
:class:`Invalid` naming the key.
"""

from __future__ import annotations

import difflib
import os
from typing import Any

from ganpipe.limits import clip
from ganpipe.params.augment import AugmentParams
from ganpipe.params.base import (
    CONFIG,
    YAML_BOOL_WORDS,
    Bool,
    Float,
    Int,
    Invalid,
    ParamsError,
    Section,
    Str,
    require,
)
from ganpipe.params.classifier import ClassifierParams
from ganpipe.params.curate import CurateParams
from ganpipe.params.evaluate import EvaluateParams
from ganpipe.params.filter import FilterParams
from ganpipe.params.messages import build
from ganpipe.params.reduce import ReduceParams
from ganpipe.params.resize import ResizeParams
from ganpipe.params.sample import SampleParams
from ganpipe.params.scrape import (
    LICENSED_APIS,
    WEB_ENGINES,
    DatasetName,
    ScrapeParams,
    Source,
    SourceKind,
)
from ganpipe.params.train import (
    ADA_OPS,
    DIFFAUGMENT_POLICIES,
    RENAMED,
    Beta,
    TrainParams,
    as_record,
    from_record,
)
from ganpipe.params.truncation import (
    MAX_TRUNCATION,
    MIN_TRUNCATION,
    TRUNCATION_NOTE,
    Truncation,
    truncation_problem,
)
from ganpipe.params.yamlfile import measure, read_yaml

__all__ = [
    "ADA_OPS",
    "CONFIG",
    "DIFFAUGMENT_POLICIES",
    "LICENSED_APIS",
    "MAX_TRUNCATION",
    "MIN_TRUNCATION",
    "RENAMED",
    "SECTIONS",
    "TRUNCATION_NOTE",
    "WEB_ENGINES",
    "YAML_BOOL_WORDS",
    "AugmentParams",
    "Beta",
    "Bool",
    "ClassifierParams",
    "CurateParams",
    "DatasetName",
    "EvaluateParams",
    "FilterParams",
    "Float",
    "Int",
    "Invalid",
    "ParamsError",
    "ReduceParams",
    "ResizeParams",
    "SampleParams",
    "ScrapeParams",
    "Section",
    "Source",
    "SourceKind",
    "Str",
    "TrainParams",
    "Truncation",
    "as_record",
    "build",
    "from_record",
    "load_all",
    "load_section",
    "require",
    "truncation_problem",
]

SECTIONS: dict[str, type] = {
    "scrape": ScrapeParams,
    "filter": FilterParams,
    "reduce": ReduceParams,
    "resize": ResizeParams,
    "curate": CurateParams,
    "augment": AugmentParams,
    "train": TrainParams,
    "sample": SampleParams,
    "classifier": ClassifierParams,
    "evaluate": EvaluateParams,
}


def load_all(path: str | os.PathLike = "params.yaml") -> dict[str, Any]:
    """Read and validate every section, so a typo anywhere is caught by whichever stage runs."""
    raw = read_yaml(path) or {}
    if not isinstance(raw, dict):
        raise ParamsError(f"{path}: expected a mapping of sections")
    seen: dict[int, tuple[int, int] | None] = {}
    for key, value in raw.items():
        if key not in SECTIONS:
            name = clip(str(key), 40)
            close = difflib.get_close_matches(name, list(SECTIONS), n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            raise ParamsError(
                f"{name}: unknown section.{hint} Allowed sections: {', '.join(SECTIONS)}"
            )
        measure(value, key, 1, seen)
    return {name: build(cls, raw.get(name), name) for name, cls in SECTIONS.items()}


def load_section(name: str, path: str | os.PathLike = "params.yaml") -> Any:
    """The validated dataclass for one section of params.yaml."""
    return load_all(path)[name]
