"""Where training runs and what that device turns on: one policy for the loop, the benchmarks
and the GPU check, so a benchmark times what training runs."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from ganpipe.params import TrainParams
from ganpipe.train.memory import retain_freed_memory
from ganpipe.train.precision import cpu_has_native_bf16


def pick_device(name: str) -> torch.device:
    """``auto`` prefers CUDA, then Apple MPS, then the CPU."""
    if name != "auto":
        return torch.device(name)
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


@dataclass(frozen=True)
class Speedups:
    """What the device turns on."""

    amp: bool  # bf16 autocast: fp32's range, so no loss scaling is needed
    # NHWC: the layout tensor cores' convolutions want, and oneDNN's on the CPU (the default
    # model trains 20-30% faster on 2 cores; benchmarks/train.py)
    channels_last: bool
    retain_freed_memory: bool  # CPU: no page faults per step (ganpipe.train.memory)


def speedups(p: TrainParams, device: torch.device) -> Speedups:
    """CUDA, and CPUs with native bf16 (AVX512-BF16 or AMX: ganpipe.train.precision), get bf16
    autocast (``train.amp: false`` opts out); CUDA and the CPU channels_last; the CPU retained
    memory; MPS none. Emulated bf16 (other CPUs) would be slower than fp32, so they keep it."""
    native_bf16 = device.type == "cuda" or (device.type == "cpu" and cpu_has_native_bf16())
    return Speedups(
        amp=p.amp and native_bf16,
        channels_last=device.type in ("cuda", "cpu"),
        retain_freed_memory=device.type == "cpu",
    )


def apply_speedups(fast: Speedups, *models: torch.nn.Module) -> torch.memory_format:
    """Put ``models`` (in place) in the device's layout and set the process's memory
    behaviour; returns the layout input batches should have."""
    layout = torch.channels_last if fast.channels_last else torch.contiguous_format
    if fast.channels_last:
        for model in models:
            model.to(memory_format=layout)
    if fast.retain_freed_memory:
        retain_freed_memory()
    return layout
