"""Stage augment: offline augmentation chains in the car-logo seed's codes; originals kept."""

from pathlib import Path

from ganpipe import stagekit
from ganpipe.augment import run_augment
from ganpipe.params import load_all


def main() -> None:
    args = stagekit.parse(__doc__, inp="data/curated", out="data/augmented")
    params = load_all(args.params)
    run_augment(Path(args.inp), Path(args.out), params["augment"], params["reduce"].background)


if __name__ == "__main__":
    stagekit.run(main, "augment")
