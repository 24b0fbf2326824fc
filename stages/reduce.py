"""Stage reduce: orientation, alpha, CMYK and bit depth handled; RGB or L PNG out."""

from pathlib import Path

from ganpipe import stagekit
from ganpipe.clean.reduce import run_reduce
from ganpipe.params import load_section


def main() -> None:
    args = stagekit.parse(__doc__, inp="data/filtered", out="data/rgb")
    run_reduce(Path(args.inp), Path(args.out), load_section("reduce", args.params))


if __name__ == "__main__":
    stagekit.run(main, "reduce")
