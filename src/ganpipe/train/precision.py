"""Does this CPU compute in bf16 natively? (AVX512-BF16 or AMX: see docs/ARCHITECTURE.md)

On such CPUs oneDNN runs bf16 convolutions and matmuls with the dot-product instructions
(``vdpbf16ps``, AMX tiles) at several times the fp32 rate; without them bf16 is emulated
and slower than fp32. ``torch.ops.mkldnn._is_mkldnn_bf16_supported()`` is no guide: it is
true on any AVX-512 CPU, emulated or not. So the instruction sets are read directly: from
torch's own cpuinfo (``torch.cpu._is_avx512_bf16_supported``, ``_is_amx_tile_supported``),
else from the kernel's CPU flags.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import torch

BF16_FLAGS = frozenset({"avx512_bf16", "amx_bf16"})  # /proc/cpuinfo names
CPUINFO = Path("/proc/cpuinfo")


def cpu_flags(cpuinfo: Path = CPUINFO) -> frozenset[str]:
    """The first processor's feature flags (``flags`` on x86 Linux); empty if unreadable."""
    try:
        text = cpuinfo.read_text()
    except OSError:
        return frozenset()
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "flags":
            return frozenset(value.split())
    return frozenset()


def _torch_probes() -> Iterable[Callable[[], bool]]:
    """torch's cpuinfo checks, where this torch has them (private API: may go away)."""
    for name in ("_is_avx512_bf16_supported", "_is_amx_tile_supported"):
        probe = getattr(torch.cpu, name, None)
        if callable(probe):
            yield probe


def cpu_has_native_bf16(cpuinfo: Path = CPUINFO) -> bool:
    """True where bf16 autocast makes CPU training faster: AVX512-BF16 or AMX-BF16."""
    probes = list(_torch_probes())
    if probes:
        return any(probe() for probe in probes)
    return bool(BF16_FLAGS & cpu_flags(cpuinfo))
