"""Everything a training checkpoint holds, as one dataclass whose fields are the checkpoint.

A field's value is saved by what it is: a module, an optimiser or any object with
``state_dict``/``load_state_dict`` through those; a ``torch.Generator`` through its RNG state;
numbers, strings, lists and dicts as they are. So adding something to the checkpoint is one
field here, and the saved dict still loads with ``torch.load(path, weights_only=True)``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, fields
from typing import Any

import torch
from torch import nn

from ganpipe.train import checkpoint
from ganpipe.train.ada import Ada


@dataclass
class TickStats:
    """Running sums over one tick or epoch, for the status line and the logs."""

    sums: dict[str, float] = field(default_factory=dict)
    count: int = 0

    def add(self, values: dict[str, float]) -> None:
        for key, value in values.items():
            self.sums[key] = self.sums.get(key, 0.0) + value
        self.count += 1

    def means(self) -> dict[str, float]:
        return {k: v / max(self.count, 1) for k, v in self.sums.items()}

    def state_dict(self) -> dict[str, Any]:
        return {"sums": dict(self.sums), "count": self.count}

    def load_state_dict(self, saved: dict[str, Any]) -> None:
        self.sums, self.count = dict(saved["sums"]), saved["count"]


class Stopwatch:
    """Seconds spent training, summed over every session of a resumed run (train.max_minutes).
    It counts only once started: loading data and models is not training time. With ``cpu`` it
    counts the process's CPU time (train.max_minutes_clock), which other jobs on a shared
    machine do not eat into."""

    def __init__(self, cpu: bool = False) -> None:
        self.clock = time.process_time if cpu else time.perf_counter
        self.before: float = 0.0
        self.since: float | None = None  # clock() when started

    def start(self) -> None:
        self.since = self.clock()

    def seconds(self) -> float:
        running = 0.0 if self.since is None else self.clock() - self.since
        return self.before + running

    def state_dict(self) -> float:
        return self.seconds()

    def load_state_dict(self, seconds: float) -> None:
        self.before, self.since = seconds, None


class GlobalRng:
    """The process's torch, NumPy and Python RNGs (dropout masks, DiffAugment's draws)."""

    def state_dict(self) -> dict[str, Any]:
        return checkpoint.rng_state()

    def load_state_dict(self, saved: dict[str, Any]) -> None:
        checkpoint.set_rng_state(saved)


@dataclass
class TrainState:
    """What a run has become: the checkpoint is exactly these fields (see the module doc)."""

    G: nn.Module
    D: nn.Module
    G_ema: nn.Module  # the exponential moving average of G that snapshots and exports use
    opt_g: torch.optim.Optimizer
    opt_d: torch.optim.Optimizer
    sampler_rng: torch.Generator  # real batches, latents and DiffAugment's parameters
    params_hash: str  # what the run trains on: resume only when it matches
    rng: GlobalRng = field(default_factory=GlobalRng)
    cur_nimg: int = 0  # real images shown to D so far: the run's progress
    history: list[dict[str, float]] = field(default_factory=list)  # one row per tick
    epochs: list[dict[str, float]] = field(default_factory=list)  # one row per epoch
    # one per snapshot: kimg, the DVCLive step it was logged at, domain_fd (None unscored)
    snapshots: list[dict[str, Any]] = field(default_factory=list)
    tick_stats: TickStats = field(default_factory=TickStats)
    epoch_stats: TickStats = field(default_factory=TickStats)
    train_seconds: Stopwatch = field(default_factory=Stopwatch)
    ada: Ada = field(default_factory=Ada)  # ADA's augmentation probability p and r_t sums

    @classmethod
    def keys(cls) -> list[str]:
        """The checkpoint's keys."""
        return [f.name for f in fields(cls)]

    def state_dict(self) -> dict[str, Any]:
        return {f.name: _saved(getattr(self, f.name)) for f in fields(self)}

    def load_state_dict(self, saved: dict[str, Any]) -> None:
        """Restore every field from ``saved`` (a checkpoint with all of :meth:`keys`)."""
        for f in fields(self):
            current = getattr(self, f.name)
            if isinstance(current, torch.Generator):
                current.set_state(saved[f.name])
            elif hasattr(current, "load_state_dict"):
                current.load_state_dict(saved[f.name])
            else:
                setattr(self, f.name, saved[f.name])


def _saved(value: Any) -> Any:
    if isinstance(value, torch.Generator):
        return value.get_state()
    if hasattr(value, "state_dict"):
        return value.state_dict()
    return value
