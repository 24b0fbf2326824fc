"""Keep memory the CPU training step frees, instead of handing it back to the OS every step."""

from __future__ import annotations

import ctypes
import platform

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # mallopt() parameters, from glibc's malloc.h
MMAP_THRESHOLD_MAX = 32 << 20  # the largest mmap threshold glibc accepts on 64-bit
TRIM_THRESHOLD = 1 << 30


def retain_freed_memory() -> bool:
    """Raise glibc's mmap and trim thresholds so freed tensors stay in the heap for reuse.

    A training step allocates and frees activations of several MB each. By default glibc gives
    blocks that large back to the OS on free, so every step faults them in again page by page
    (2,000-6,000 page faults per step for the default model, ~15% of its CPU time; see
    benchmarks/train.py). PyTorch's CUDA caching allocator does the same keeping on the GPU. The
    process then holds on to its peak step memory. Returns False (and changes nothing) where
    the C library is not glibc.
    """
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    mallopt = ctypes.CDLL(None).mallopt
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_MAX)) and bool(
        mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )
