"""Stage reduce: orientation, alpha, CMYK and bit depth handled; RGB or L PNG out."""

from ganpipe import stagekit
from ganpipe.params import load_section
from ganpipe.stages.reduce import run_reduce


def main() -> None:
    args = stagekit.parse(__doc__, "inp", "out")
    run_reduce(args.inp, args.out, load_section("reduce", args.params))


if __name__ == "__main__":
    stagekit.run(main, "reduce")
