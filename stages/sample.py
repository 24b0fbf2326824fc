"""Stage sample: per-class folders of generated images and the class-per-row grid."""

from ganpipe import stagekit
from ganpipe.params import load_section
from ganpipe.stages.sample import run_sample


def main() -> None:
    args = stagekit.parse(__doc__, "models", "real", "out")
    run_sample(args.models, args.out, load_section("sample", args.params), args.real)


if __name__ == "__main__":
    stagekit.run(main, "sample")
