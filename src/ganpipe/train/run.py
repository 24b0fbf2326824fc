"""One training session's state in one place: where it reads and writes (:class:`TrainPaths`),
the :class:`~ganpipe.train.state.TrainState` that checkpoints hold, and what the loop's phases
need around it (:class:`Run`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch

from ganpipe.params import TrainParams
from ganpipe.train import checkpoint as ckpt
from ganpipe.train.ada import ada_augment
from ganpipe.train.device import Speedups
from ganpipe.train.diffaugment import diff_augment
from ganpipe.train.distributed import Rank
from ganpipe.train.sampler import Sampler
from ganpipe.train.snapshot import Scorer
from ganpipe.train.state import TrainState


class TrainingDiverged(RuntimeError):
    """A loss became NaN or infinite; the last good checkpoint is kept."""


@dataclass(frozen=True)
class TrainPaths:
    """Where a run reads and writes: the train stage's arguments. ``work`` (checkpoint,
    snapshots, grids) is kept across interruptions; the rest are the stage's outputs."""

    inp: Path  # the augment stage's images
    models: Path  # generator.pt, generator_best.pt and work/
    live: Path  # DVCLive's folder
    metrics: Path  # the run's summary JSON
    classifier: Path | None = None  # the domain classifier that scores snapshots; None: unscored

    @classmethod
    def in_folder(cls, inp: Path, out: Path, classifier: Path | None = None) -> TrainPaths:
        """Every output under ``out`` (tests and benchmarks train in a scratch folder)."""
        return cls(inp, out / "models", out / "live", out / "train.json", classifier)

    @property
    def work(self) -> Path:
        return self.models / "train"

    @property
    def checkpoint(self) -> Path:
        return self.work / "checkpoint.pt"

    def snapshot(self, kimg: float) -> Path:
        return self.work / "snapshots" / f"kimg{kimg:08.1f}.pt"

    def grid(self, kimg: float) -> Path:
        return self.work / "grids" / f"kimg{kimg:08.1f}.png"


@dataclass
class Run:
    """One training session: the :class:`TrainState` and what the phases need around it."""

    p: TrainParams
    rank: Rank
    device: torch.device
    paths: TrainPaths
    state: TrainState
    sampler: Sampler
    scorer: Scorer
    fast: Speedups
    layout: torch.memory_format
    n_train: int  # images in the training split: one epoch
    autocast: torch.autocast
    out_of_time: bool = False
    tick_start: float = 0.0  # perf_counter() and cur_nimg when this tick began
    tick_start_nimg: int = 0

    @property
    def step_nimg(self) -> int:
        return self.p.batch_size * self.p.d_steps

    @property
    def total_nimg(self) -> int:
        return int(self.p.total_kimg * 1000)

    @property
    def tick_nimg(self) -> int:
        return int(self.p.tick_kimg * 1000)

    @property
    def snapshot_nimg(self) -> int:
        return int(self.p.snapshot_kimg * 1000)

    @property
    def done(self) -> bool:
        return self.state.cur_nimg >= self.total_nimg or self.out_of_time

    def crossed(self, every: int) -> bool:
        """Did the last step pass a multiple of ``every`` images?"""
        nimg = self.state.cur_nimg
        return nimg // every > (nimg - self.step_nimg) // every

    def augment(self, x: torch.Tensor) -> torch.Tensor:
        """ADA at the state's p, or DiffAugment, drawn from the sampler's generator (so
        identically on every process)."""
        g, rank, world = self.state.sampler_rng, self.rank.rank, self.rank.world_size
        if self.p.ada_target:
            return ada_augment(x, self.state.ada.p, self.p.ada_ops, g, rank, world)
        return diff_augment(x, self.p.diffaugment, g, rank, world)

    def to_device(self, t: torch.Tensor) -> torch.Tensor:
        """A batch on the device, image batches in the models' layout."""
        if self.fast.channels_last and t.ndim == 4:
            return t.to(self.device, memory_format=self.layout)
        return t.to(self.device)

    def save_checkpoint(self) -> None:
        ckpt.save_atomic(self.state.state_dict(), self.paths.checkpoint)
