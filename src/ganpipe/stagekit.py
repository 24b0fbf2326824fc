"""What every stage script shares: its paths from dvc.yaml's ``cmd``, and one-line user errors."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from ganpipe.errors import UserError
from ganpipe.params import ParamsError

P = TypeVar("P")

# Failures a user can fix from the message alone: no traceback, exit status 1. Anything else
# (a plain ValueError included) is a bug and keeps its traceback.
USER_ERRORS: tuple[type[BaseException], ...] = (UserError, ParamsError, FileNotFoundError)


def parse(doc: str | None, *paths: str, argv: list[str] | None = None) -> argparse.Namespace:
    """A required ``--<name>`` option per path, plus ``--params``.

    Paths have no defaults: dvc.yaml's ``cmd`` is the one place that names them
    (docs/ARCHITECTURE.md, "Adding things").
    """
    parser = argparse.ArgumentParser(description=doc)
    for name in paths:
        parser.add_argument(f"--{name.replace('_', '-')}", type=Path, required=True)
    parser.add_argument("--params", default="params.yaml", help="the params file to read")
    return parser.parse_args(argv)


@dataclass(frozen=True)
class InOut:
    """The paths of a stage that turns one image folder into another."""

    inp: Path
    out: Path


@dataclass(frozen=True)
class InOutMetrics(InOut):
    """An image folder into another, and the stage's metrics file."""

    metrics: Path


def parse_paths(doc: str | None, paths: type[P], argv: list[str] | None = None) -> tuple[P, str]:
    """The stage's paths as a ``paths`` dataclass, one required ``--<field>`` per field, and the
    ``--params`` file: the dataclass is the one list of a stage's arguments."""
    names = [f.name for f in dataclasses.fields(paths)]  # type: ignore[arg-type]
    args: dict[str, Any] = vars(parse(doc, *names, argv=argv))
    return paths(**{name: args[name] for name in names}), str(args["params"])


def run(main: Callable[[], object], stage: str) -> None:
    """Run a stage's main; a user error prints ``<stage>: error: ...`` and exits 1."""
    try:
        main()
    except USER_ERRORS as err:
        print(f"{stage}: error: {err}", file=sys.stderr)
        sys.exit(1)
