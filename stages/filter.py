"""Stage filter: reject unusable images (each with a reason) and write review sheets."""

from pathlib import Path

from ganpipe import stagekit
from ganpipe.clean.filter import run_filter
from ganpipe.params import load_all


def main() -> None:
    args = stagekit.parse(
        __doc__,
        inp="data/raw",
        out="data/filtered",
        reject_list="reject.txt",
        metrics="metrics/filter.json",
    )
    params = load_all(args.params)
    run_filter(
        Path(args.inp),
        Path(args.out),
        params["filter"],
        Path(args.reject_list),
        Path(args.metrics),
        background=params["reduce"].background,
    )


if __name__ == "__main__":
    stagekit.run(main, "filter")
