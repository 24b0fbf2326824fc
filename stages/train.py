"""Stage train: the AC-GAN (or DCGAN); resumes automatically after an interruption.

Several GPUs or machines: ``torchrun --standalone --nproc_per_node N stages/train.py ...`` with
dvc.yaml's arguments (see src/ganpipe/train/distributed.py); train.batch_size stays the global
batch.
"""

from ganpipe import stagekit
from ganpipe.params import load_all
from ganpipe.stages.train import run_train


def main() -> None:
    args = stagekit.parse(__doc__, "inp", "classifier", "models", "live", "metrics")
    params = load_all(args.params)
    run_train(
        args.inp,
        args.models,
        params["train"],
        args.live,
        args.metrics,
        args.classifier,
        params["classifier"].holdout,
    )


if __name__ == "__main__":
    stagekit.run(main, "train")
