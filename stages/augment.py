"""Stage augment: offline augmentation chains in the car-logo seed's codes; originals kept."""

from ganpipe import stagekit
from ganpipe.params import load_all
from ganpipe.stages.augment import run_augment


def main() -> None:
    paths, params_file = stagekit.parse_paths(__doc__, stagekit.InOut)
    params = load_all(params_file)
    run_augment(paths, params=params["augment"], background=params["reduce"].background)


if __name__ == "__main__":
    stagekit.run(main, "augment")
