"""Retained freed memory: a repeated CPU step stops page-faulting (glibc only)."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

# Training steps of the default-size model, in a fresh process (the setting is process-wide).
STEP_FAULTS = """
import contextlib, resource, statistics, sys, torch
from ganpipe.models import build_models
from ganpipe.params import TrainParams
from ganpipe.train.memory import retain_freed_memory
from ganpipe.train.step import Nets, discriminator_step, generator_step
if sys.argv[1] == "retain":
    assert retain_freed_memory()
torch.manual_seed(0)
torch.set_num_threads(1)
p = TrainParams(g_channels=64, d_channels=32, upsample="nearest", batch_size=64)
G, D = build_models(p, 28, 1, 10)
nets = Nets(G, D, D, torch.optim.Adam(G.parameters()), torch.optim.Adam(D.parameters()))
real, y, same = torch.rand(64, 1, 28, 28), torch.randint(10, (64,)), contextlib.nullcontext()
faults = []
for _ in range(20):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    z = torch.randn(64, p.z_dim)
    discriminator_step(nets, real, y, z, y, p, lambda x: x, same)
    generator_step(nets, z, y, real, p, lambda x: x, same, same)
    faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
print(statistics.median(faults[6:]))  # after the heap has grown to its peak
"""


def _faults_per_step(mode: str) -> float:
    out = subprocess.run(
        [sys.executable, "-c", STEP_FAULTS, mode], capture_output=True, text=True, check=True
    )
    return float(out.stdout)


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_retained_memory_stops_page_faults_per_step() -> None:
    # Whether glibc's defaults fault a step's multi-MB buffers in again depends on the machine
    # (its dynamic mmap threshold, the kernels' buffer sizes): thousands of faults per step on
    # one CPU, none on another. Retained, the typical step faults in nothing new on any of them.
    assert _faults_per_step("retain") < 10
