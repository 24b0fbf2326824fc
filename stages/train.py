"""Stage train: the AC-GAN (or DCGAN); resumes automatically after an interruption.

Several GPUs or machines: ``torchrun --standalone --nproc_per_node N stages/train.py ...`` with
dvc.yaml's arguments (see src/ganpipe/train/distributed.py); train.batch_size stays the global
batch.
"""

from ganpipe import stagekit
from ganpipe.params import load_all
from ganpipe.train.loop import training_loop
from ganpipe.train.run import TrainPaths


def main() -> None:
    paths, params_file = stagekit.parse_paths(__doc__, TrainPaths)
    params = load_all(params_file)
    training_loop(paths, params["train"], holdout=params["classifier"].holdout)


if __name__ == "__main__":
    stagekit.run(main, "train")
