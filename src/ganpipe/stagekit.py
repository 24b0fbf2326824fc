"""What every stage script shares: its paths from dvc.yaml's ``cmd``, and one-line user errors."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from ganpipe.errors import UserError
from ganpipe.params import ParamsError

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


def run(main: Callable[[], object], stage: str) -> None:
    """Run a stage's main; a user error prints ``<stage>: error: ...`` and exits 1."""
    try:
        main()
    except USER_ERRORS as err:
        print(f"{stage}: error: {err}", file=sys.stderr)
        sys.exit(1)
