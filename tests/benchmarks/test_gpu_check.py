"""benchmarks/gpu_check.sh and gpu_check.py, up to the point where CUDA is needed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(torch.cuda.is_available(), reason="a CUDA device is here: the script runs")
def test_script_says_there_is_no_cuda_and_exits_3() -> None:
    run = subprocess.run(
        ["bash", "benchmarks/gpu_check.sh"],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHON": sys.executable},
        timeout=120,
    )
    assert run.returncode == 3
    assert "no CUDA device here" in run.stdout and "nothing checked" in run.stdout


def test_arch_x_head_loops_train_and_report_on_the_cpu() -> None:
    """The same loops the GPU runs, on the CPU at a tiny size: trained, exported, reported."""
    run = subprocess.run(
        [
            sys.executable,
            "benchmarks/gpu_check.py",
            "--device",
            "cpu",
            "--kimg",
            "0.064",
            "--size",
            "32",
            "--batch",
            "16",
            "--only",
            "dcgan:projection-ac",
            "resnet:reacgan",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert report["device"] == "cpu"
    for pair in ("dcgan:projection-ac", "resnet:reacgan"):
        assert report[pair]["ok"] is True and report[pair]["img_s"] > 0
