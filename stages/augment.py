"""Stage augment: offline augmentation chains in the car-logo seed's codes; originals kept."""

from ganpipe import stagekit
from ganpipe.params import load_all
from ganpipe.stages.augment import run_augment


def main() -> None:
    args = stagekit.parse(__doc__, "inp", "out")
    params = load_all(args.params)
    run_augment(args.inp, args.out, params["augment"], params["reduce"].background)


if __name__ == "__main__":
    stagekit.run(main, "augment")
