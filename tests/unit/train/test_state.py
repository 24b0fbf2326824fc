"""TrainState: the checkpoint is its fields, and it round-trips exactly through weights_only."""

from __future__ import annotations

import io
import random
import time
from typing import Any

import numpy as np
import torch
from torch import nn

from ganpipe.train.state import Stopwatch, TickStats, TrainState


def fresh_state(seed: int) -> TrainState:
    torch.manual_seed(seed)
    G, D = nn.Linear(4, 3), nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    return TrainState(
        G=G,
        D=D,
        G_ema=nn.Linear(4, 3),
        opt_g=torch.optim.Adam(G.parameters(), lr=1e-3),
        opt_d=torch.optim.Adam(D.parameters(), lr=2e-3),
        sampler_rng=torch.Generator().manual_seed(seed),
        params_hash=f"hash{seed}",
    )


def trained_state() -> TrainState:
    """A state that has moved away from its start in every field."""
    s = fresh_state(0)
    for _ in range(2):
        x = torch.randn(5, 4, generator=s.sampler_rng)
        s.D(s.G(x)).sum().backward()
        s.opt_g.step()
        s.opt_d.step()
    s.cur_nimg = 80
    s.history = [{"kimg": 0.08, "loss_d": 1.25}]
    s.epochs = [{"epoch": 1, "kimg": 0.08, "loss_d": 1.5}]
    s.snapshots = [
        {"kimg": 0.04, "step": 0, "domain_fd": None},
        {"kimg": 0.08, "step": 1, "domain_fd": 12.5},
    ]
    s.tick_stats.add({"loss_d": 1.0, "loss_g": 2.0})
    s.epoch_stats.add({"loss_d": 3.0})
    s.train_seconds.load_state_dict(42.0)
    return s


def assert_equal(a: Any, b: Any, where: str = "state") -> None:
    """Exact, recursive equality of checkpoint values (tensors by value and dtype)."""
    assert type(a) is type(b), where
    if isinstance(a, torch.Tensor):
        assert a.dtype == b.dtype and torch.equal(a, b), where
    elif isinstance(a, dict):
        assert list(a) == list(b), where
        for key in a:
            assert_equal(a[key], b[key], f"{where}[{key!r}]")
    elif isinstance(a, list | tuple):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_equal(x, y, f"{where}[{i}]")
    else:
        assert a == b, where


def through_disk(saved: dict[str, Any]) -> dict[str, Any]:
    buffer = io.BytesIO()
    torch.save(saved, buffer)
    buffer.seek(0)
    return torch.load(buffer, weights_only=True)


def test_state_dict_round_trips_exactly_through_a_weights_only_load() -> None:
    saved = trained_state().state_dict()
    assert list(saved) == TrainState.keys()
    restored = fresh_state(1)
    restored.load_state_dict(through_disk(saved))
    assert_equal(restored.state_dict(), saved)


def test_loading_restores_what_the_run_draws_next() -> None:
    original = trained_state()
    random.seed(1)
    np.random.seed(2)
    saved = through_disk(original.state_dict())
    expected = (
        torch.randn(3, generator=original.sampler_rng),
        torch.rand(3),
        np.random.rand(),
        random.random(),
    )
    restored = fresh_state(1)
    restored.load_state_dict(saved)
    got = (torch.randn(3, generator=restored.sampler_rng), torch.rand(3))
    assert torch.equal(got[0], expected[0]) and torch.equal(got[1], expected[1])
    assert (np.random.rand(), random.random()) == expected[2:]


def test_optimiser_steps_after_loading_match_the_original() -> None:
    original, restored = trained_state(), fresh_state(1)
    restored.load_state_dict(through_disk(original.state_dict()))
    for s in (original, restored):
        s.G(torch.ones(2, 4)).sum().backward()
        s.opt_g.step()
    assert_equal(restored.G.state_dict(), original.G.state_dict())


def test_tick_stats_average_what_was_added() -> None:
    stats = TickStats()
    stats.add({"loss": 1.0, "acc": 0.5})
    stats.add({"loss": 3.0, "acc": 1.0})
    assert stats.means() == {"loss": 2.0, "acc": 0.75}
    assert TickStats().means() == {}


def test_stopwatch_counts_only_once_started_and_adds_earlier_sessions() -> None:
    watch = Stopwatch()
    time.sleep(0.01)
    assert watch.seconds() == 0.0  # loading data is not training time
    watch.load_state_dict(10.0)
    assert watch.seconds() == 10.0
    watch.start()
    time.sleep(0.01)
    assert 10.01 <= watch.state_dict() < 11.0


def test_cpu_stopwatch_counts_work_not_waiting() -> None:
    wall, cpu = Stopwatch(), Stopwatch(cpu=True)
    wall.start(), cpu.start()
    time.sleep(0.2)  # another job's turn on a shared machine: no CPU time of ours
    assert wall.seconds() >= 0.2 and cpu.seconds() < 0.1
    end = time.process_time() + 0.1
    while time.process_time() < end:  # busy: counted
        pass
    assert cpu.seconds() >= 0.1
