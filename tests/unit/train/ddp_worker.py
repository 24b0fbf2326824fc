"""One torchrun worker for test_distributed.py: runs stages/train.py as it is, and records.

Usage: python -m torch.distributed.run --standalone --nproc_per_node 2 ddp_worker.py REPORT_DIR
STAGE_ARGS... Each rank writes REPORT_DIR/rank<N>.json: every file it saved through
save_atomic, and hashes of its G and EMA weights after the last step.
"""

from __future__ import annotations

import hashlib
import json
import os
import runpy
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

from ganpipe.train import checkpoint, loop, snapshot

REPO = Path(__file__).resolve().parents[3]


def digest(named: dict[str, torch.Tensor]) -> str:
    """sha256 over names and bytes, in name order."""
    h = hashlib.sha256()
    for name in sorted(named):
        h.update(name.encode())
        h.update(named[name].detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()


def main() -> None:
    report_dir, stage_args = Path(sys.argv[1]), sys.argv[2:]
    saved: list[str] = []
    models: dict[str, torch.nn.Module] = {}

    def recording(save: Callable[[Any, Path], None]) -> Callable[[Any, Path], None]:
        def record(obj: Any, path: Path) -> None:
            saved.append(str(path))
            save(obj, path)

        return record

    checkpoint.save_atomic = recording(checkpoint.save_atomic)
    snapshot.save_atomic = recording(snapshot.save_atomic)
    update_ema = loop.update_ema

    def keep_models(ema: torch.nn.Module, model: torch.nn.Module, beta: float) -> None:
        models["G"], models["G_ema"] = model, ema
        update_ema(ema, model, beta)

    loop.update_ema = keep_models
    sys.argv = [str(REPO / "stages" / "train.py"), *stage_args]
    runpy.run_path(sys.argv[0], run_name="__main__")
    report = {
        "saved": saved,
        **{name: digest(dict(m.named_parameters())) for name, m in models.items()},
    }
    (report_dir / f"rank{os.environ['RANK']}.json").write_text(json.dumps(report))


if __name__ == "__main__":
    main()
