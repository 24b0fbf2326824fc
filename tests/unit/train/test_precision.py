"""Native-bf16 detection from CPU flags, with and without torch's own probes."""

import sys
from pathlib import Path

import pytest
import torch

from ganpipe.train import precision

AVX2_ONLY = "processor\t: 0\nflags\t\t: fpu sse sse2 avx avx2 fma\n\nprocessor\t: 1\n"
GENOA = "processor\t: 0\nflags\t\t: avx2 avx512f avx512bw avx512_bf16 avx512_vnni\n"
SAPPHIRE = "processor\t: 0\nflags\t\t: avx2 avx512f amx_bf16 amx_tile amx_int8\n"


def cpuinfo(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "cpuinfo"
    path.write_text(text)
    return path


def test_flags_are_read_from_the_first_processor(tmp_path: Path) -> None:
    assert precision.cpu_flags(cpuinfo(tmp_path, AVX2_ONLY)) == {
        "fpu",
        "sse",
        "sse2",
        "avx",
        "avx2",
        "fma",
    }
    assert precision.cpu_flags(tmp_path / "missing") == frozenset()
    assert precision.cpu_flags(cpuinfo(tmp_path, "processor : 0\n")) == frozenset()


@pytest.mark.parametrize(("text", "native"), [(AVX2_ONLY, False), (GENOA, True), (SAPPHIRE, True)])
def test_without_torch_probes_the_flags_decide(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, native: bool
) -> None:
    monkeypatch.setattr(precision, "_torch_probes", lambda: iter(()))
    assert precision.cpu_has_native_bf16(cpuinfo(tmp_path, text)) is native


def test_torch_probes_take_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(precision, "_torch_probes", lambda: iter([lambda: False, lambda: True]))
    assert precision.cpu_has_native_bf16(cpuinfo(tmp_path, AVX2_ONLY)) is True


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or not precision.cpu_flags(),
    reason="needs /proc/cpuinfo flags (x86 Linux)",
)
def test_torch_and_the_kernel_agree_on_this_machine() -> None:
    from_kernel = bool(precision.BF16_FLAGS & precision.cpu_flags())
    assert precision.cpu_has_native_bf16() is from_kernel
    assert any(True for _ in precision._torch_probes()), f"torch {torch.__version__} lost them"
