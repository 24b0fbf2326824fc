"""The train stage: the GAN on the augmented images, resumed after an interruption.

The loop itself (setup, resume, step, tick, snapshot, export) is :mod:`ganpipe.train.loop`.
"""

from ganpipe.train.loop import training_loop as run_train

__all__ = ["run_train"]
