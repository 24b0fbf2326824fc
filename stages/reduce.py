"""Stage reduce: orientation, alpha, CMYK and bit depth handled; RGB or L PNG out."""

from ganpipe import stagekit
from ganpipe.params import load_section
from ganpipe.stages.reduce import run_reduce


def main() -> None:
    paths, params = stagekit.parse_paths(__doc__, stagekit.InOut)
    run_reduce(paths, params=load_section("reduce", params))


if __name__ == "__main__":
    stagekit.run(main, "reduce")
