"""Where the benchmarks find ../shared/data: the ``--data`` flag, else ``GANPIPE_SHARED_DATA``,
else ``shared/data`` beside the repository (``/work/shared/data`` for a clone at ``/work/main``
or a worktree at ``/work/wt27``). Never an absolute path in the code."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

ENV = "GANPIPE_SHARED_DATA"
BESIDE = Path(__file__).resolve().parents[1].parent / "shared" / "data"
_chosen: list[Path] = []  # the --data flag, once parsed


def add_flag(parser: argparse.ArgumentParser) -> None:
    """``--data DIR``: the shared data folder, for a checkout that has none beside it."""
    parser.add_argument(
        "--data", type=Path, help=f"shared data folder (default ${ENV} or {BESIDE})"
    )


def choose(path: Path | None) -> None:
    """Use ``path`` (the parsed ``--data``) from now on; None keeps the default."""
    if path is not None:
        _chosen[:] = [path]


def root() -> Path:
    """The shared data folder as chosen so far (it may not exist: :func:`shared` checks)."""
    return _chosen[0] if _chosen else Path(os.environ.get(ENV) or BESIDE)


def shared(*parts: str) -> Path:
    """``parts`` under the shared data folder; a clear error naming all three ways when absent."""
    path = root().joinpath(*parts)
    if not path.exists():
        raise SystemExit(
            f"shared data not found: {path} (give the folder holding sign-language-digits/ and "
            f"noto-emoji/ with --data DIR or ${ENV}; the default is {BESIDE})"
        )
    return path
