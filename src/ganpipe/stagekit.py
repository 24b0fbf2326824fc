"""What every stage script shares: argument parsing and turning known failures into one line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from ganpipe.params import ParamsError

# Failures a user can fix from the message alone: no traceback, exit status 1.
USER_ERRORS: tuple[type[BaseException], ...] = (ParamsError, FileNotFoundError, ValueError)


def parse(doc: str | None, **paths: str) -> argparse.Namespace:
    """``--params`` plus one ``--<name>`` option per path, defaulting to dvc.yaml's paths."""
    parser = argparse.ArgumentParser(description=doc)
    parser.add_argument("--params", default="params.yaml", help="the params file to read")
    for name, default in paths.items():
        parser.add_argument(
            f"--{name.replace('_', '-')}", default=default, help=f"(default: {default})"
        )
    return parser.parse_args()


def run(main: Callable[[], object], stage: str) -> None:
    """Run a stage's main; a user error prints ``<stage>: error: ...`` and exits 1."""
    from ganpipe.scrape.datasets import DatasetUnavailable
    from ganpipe.scrape.engines.base import EngineError

    try:
        main()
    except (*USER_ERRORS, DatasetUnavailable, EngineError) as err:
        print(f"{stage}: error: {err}", file=sys.stderr)
        sys.exit(1)
