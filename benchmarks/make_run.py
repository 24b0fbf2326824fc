"""A fresh clone's ``make run``, timed as a new user meets it: install, then every stage.

Clones this repository's HEAD into a temporary folder (or ``--into``), runs README set-up
command 1 there (``make run``: the venv, the install, ``dvc repro`` of the default) and reads
the time each stage took from when DVC announced it. Prints the install time, each stage's
time and the total, the bytes received over the network until the first stage (the install's
download: other traffic on the machine counts too) and the venv's size on disk, then the run's
``metrics/evaluate.json`` headline scores and each evaluate metric's time; the last line is
JSON (docs/figures.py reads it from docs/runs/make_run.json). Name the CPU beside the figures
(``cpu`` in the JSON) and run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from train import cpu_name

ROOT = Path(__file__).resolve().parents[1]
STAGE_LINE = re.compile(r"Running stage '([\w-]+)'")
HEADLINE = (
    "domain_fd",
    "conditional_accuracy",
    "classifier_real_accuracy",
    "domain_kid_mean",
    "judge/too_weak",
)


def received_bytes() -> int:
    """Bytes received so far by every network interface but loopback (/proc/net/dev)."""
    lines = Path("/proc/net/dev").read_text().splitlines()[2:]
    return sum(
        int(ln.split(":", 1)[1].split()[0]) for ln in lines if ln.split(":")[0].strip() != "lo"
    )


def megabytes(path: Path) -> int:
    """``du -sm`` of a path (0 when it is not there)."""
    if not path.exists():
        return 0
    return int(
        subprocess.run(["du", "-sm", str(path)], capture_output=True, text=True).stdout.split()[0]
    )


def timed_make_run(clone: Path) -> tuple[list[tuple[str, float]], float, int]:
    """``make run`` in ``clone``, echoing its output; (event, seconds since start) per stage,
    the total, and the bytes received before the first stage."""
    start, received = time.perf_counter(), received_bytes()
    download = -1
    events: list[tuple[str, float]] = []
    proc = subprocess.Popen(
        ["make", "run"], cwd=clone, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        sys.stdout.write(line)
        for match in STAGE_LINE.finditer(line):
            if download < 0:
                download = received_bytes() - received
            events.append((match.group(1), time.perf_counter() - start))
    if proc.wait() != 0:
        raise SystemExit(f"make run failed with exit code {proc.returncode}")
    return events, time.perf_counter() - start, download


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--into", type=Path, help="clone here (default: a temporary folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ganpipe-make-run-") as tmp:
        clone = args.into or Path(tmp) / "ganpipe"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        events, total, download = timed_make_run(clone)
        scores = json.loads((clone / "metrics" / "evaluate.json").read_text())
        venv_mb = megabytes(clone / ".venv")
        data_mb = sum(megabytes(clone / part) for part in ("data", "models", ".dvc/cache"))
    ends = [t for _, t in events[1:]] + [total]
    stages = {name: round(end - t, 1) for (name, t), end in zip(events, ends, strict=True)}
    out = {
        "cpu": cpu_name(),
        "total_s": round(total, 1),
        "install_s": round(events[0][1], 1) if events else round(total, 1),
        "stage_s": stages,
        "download_mb": round(download / 2**20),
        "venv_mb": venv_mb,
        "data_mb": data_mb,
        "cores": os.cpu_count(),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d"),
        "python": sys.version.split()[0],
        **{k: scores[k] for k in HEADLINE if k in scores},
        "evaluate_times": {k: v for k, v in scores.items() if k.startswith("time/")},
    }
    print(f"\nmake run: {total / 60:.1f} min on {out['cpu']}; install {out['install_s']:.0f} s")
    print(f"  download {out['download_mb']} MiB, .venv {venv_mb} MiB on disk")
    for name, seconds in stages.items():
        print(f"  {name:12s} {seconds:7.1f} s")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
