"""Stage sample: per-class folders of generated images and the class-per-row grid."""

from pathlib import Path

from ganpipe import stagekit
from ganpipe.params import load_section
from ganpipe.sample import run_sample


def main() -> None:
    args = stagekit.parse(__doc__, models="models", real="data/resized", out="data/samples")
    p = load_section("sample", args.params)
    name = "generator.pt" if p.checkpoint == "ema" else "generator_best.pt"
    run_sample(
        Path(args.models) / name,
        Path(args.out),
        p,
        Path(args.real),
        Path(args.models) / "train" / "grids",
    )


if __name__ == "__main__":
    stagekit.run(main, "sample")
