"""Stage train: the AC-GAN (or DCGAN); resumes automatically after an interruption.

Several GPUs or machines: ``torchrun --standalone --nproc_per_node N stages/train.py`` (see
src/ganpipe/train/distributed.py); train.batch_size stays the global batch.
"""

from pathlib import Path

from ganpipe import stagekit
from ganpipe.params import load_all
from ganpipe.train.loop import training_loop


def main() -> None:
    args = stagekit.parse(
        __doc__,
        inp="data/augmented",
        models="models",
        classifier="models/classifier.pt",
        live="metrics/train",
        metrics="metrics/train.json",
    )
    params = load_all(args.params)
    training_loop(
        Path(args.inp),
        Path(args.models),
        params["train"],
        Path(args.live),
        Path(args.metrics),
        Path(args.classifier),
        params["classifier"].holdout,
    )


if __name__ == "__main__":
    stagekit.run(main, "train")
