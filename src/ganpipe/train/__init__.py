"""Training: the loop, its losses, EMA, DiffAugment and full-state checkpoints."""

from ganpipe.train.loop import TrainingDiverged, training_loop

__all__ = ["TrainingDiverged", "training_loop"]
