"""The device policy: what CUDA, a CPU with or without native bf16, and MPS turn on."""

from __future__ import annotations

import dataclasses

import pytest
import torch

from ganpipe.params import TrainParams
from ganpipe.train import device as device_module
from ganpipe.train.device import Speedups, pick_device, speedups

TINY = TrainParams(g_channels=16, d_channels=8, z_dim=16, batch_size=8, threads=1)


def test_pick_device_takes_a_named_device_as_is_and_auto_falls_back_to_the_cpu(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert pick_device("cpu") == torch.device("cpu")
    assert pick_device("cuda") == torch.device("cuda")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert pick_device("auto") == torch.device("cpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert pick_device("auto") == torch.device("cuda")


def test_cuda_gets_bf16_autocast_and_channels_last_cpu_channels_last_and_memory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cuda, cpu, mps = torch.device("cuda"), torch.device("cpu"), torch.device("mps")
    assert speedups(TINY, cuda) == Speedups(amp=True, channels_last=True, retain_freed_memory=False)
    assert not speedups(dataclasses.replace(TINY, amp=False), cuda).amp
    monkeypatch.setattr(device_module, "cpu_has_native_bf16", lambda: False)
    assert speedups(TINY, cpu) == Speedups(amp=False, channels_last=True, retain_freed_memory=True)
    monkeypatch.setattr(device_module, "cpu_has_native_bf16", lambda: True)  # AVX512-BF16, AMX
    assert speedups(TINY, cpu) == Speedups(amp=True, channels_last=True, retain_freed_memory=True)
    assert not speedups(dataclasses.replace(TINY, amp=False), cpu).amp
    assert speedups(TINY, mps) == Speedups(
        amp=False, channels_last=False, retain_freed_memory=False
    )
