"""Stage sample: per-class folders of generated images and the class-per-row grid."""

from ganpipe import stagekit
from ganpipe.params import load_section
from ganpipe.stages.sample import SamplePaths, run_sample


def main() -> None:
    paths, params = stagekit.parse_paths(__doc__, SamplePaths)
    run_sample(paths, params=load_section("sample", params))


if __name__ == "__main__":
    stagekit.run(main, "sample")
