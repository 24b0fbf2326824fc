"""Stage filter: reject unusable images (each with a reason) and write review sheets."""

from ganpipe import stagekit
from ganpipe.params import load_all
from ganpipe.stages.filter import run_filter


def main() -> None:
    args = stagekit.parse(__doc__, "inp", "reject_list", "out", "metrics")
    params = load_all(args.params)
    run_filter(
        args.inp,
        args.out,
        params["filter"],
        args.reject_list,
        args.metrics,
        background=params["reduce"].background,
    )


if __name__ == "__main__":
    stagekit.run(main, "filter")
