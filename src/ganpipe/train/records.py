"""What a training run shows and logs: the progress bar, DVCLive's curves and grid, and
``epochs.tsv``. Only rank 0 writes; on the other processes every method does nothing.

The logs are rebuilt from the checkpoint on resume, never appended to: a run killed after its
last checkpoint had logged ticks that the resumed run trains and logs again, and DVCLive's own
``resume=True`` would keep both copies.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from PIL import Image
from tqdm import tqdm

EPOCHS_FILE = "epochs.tsv"  # in the DVCLive folder; a dvc.yaml plot with x = epoch
EPOCH_COLUMNS = ("epoch", "kimg", "loss_d", "loss_g", "d_real_acc", "d_fake_acc", "class_acc_real")
GRID = "grid.png"  # DVCLive's image of the latest snapshot
DOMAIN_FD = "snapshot/domain_fd"


class Records:
    """Open with ``with``: DVCLive (and the DVC it imports) and the bar, on rank 0 only.

    The bar counts images; when ``max_minutes`` bounds the run it shows the share of the run
    done instead, by whichever of the image count and the time budget ends it first, with the
    image count and rate beside it.
    """

    def __init__(
        self,
        live_dir: Path,
        main: bool,
        total_nimg: int,
        max_minutes: float,
        cur_nimg: int = 0,
        train_seconds: float = 0.0,
    ) -> None:
        self.live_dir, self.main = live_dir, main
        self.total_nimg, self.budget_s = total_nimg, max_minutes * 60
        self.start_nimg, self.start_time = cur_nimg, time.perf_counter()
        self.start_progress = self._progress(cur_nimg, train_seconds)
        self._stack = contextlib.ExitStack()
        self.live: Any = None

    def __enter__(self) -> Records:
        if self.main:
            from dvclive import Live

            self.live = self._stack.enter_context(
                Live(str(self.live_dir), resume=False, save_dvc_exp=False, dvcyaml=False)
            )
        bar: dict[str, Any] = {"total": self.total_nimg, "unit": "img", "unit_scale": True}
        if self.budget_s:
            bar = {"total": 1.0, "bar_format": "{l_bar}{bar}| {elapsed}<{remaining}{postfix}"}
        self.bar = self._stack.enter_context(
            tqdm(
                initial=self.start_progress,
                desc="train",
                mininterval=5,
                disable=not self.main,
                **bar,
            )
        )
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stack.close()

    def _progress(self, cur_nimg: int, train_seconds: float) -> float:
        """Images shown, or with a time budget the share of the run done."""
        if not self.budget_s:
            return cur_nimg
        return min(1.0, max(cur_nimg / self.total_nimg, train_seconds / self.budget_s))

    def advance(self, cur_nimg: int, train_seconds: float) -> None:
        """Move the bar to where the run now is."""
        self.bar.update(self._progress(cur_nimg, train_seconds) - self.bar.n)
        if self.budget_s and self.main:
            rate = (cur_nimg - self.start_nimg) / max(time.perf_counter() - self.start_time, 1e-9)
            self.bar.set_postfix_str(
                f"{cur_nimg / 1000:.1f}/{self.total_nimg / 1000:g} kimg, {rate:.1f} img/s, "
                f"{self.budget_s / 60:g} min budget",
                refresh=False,
            )

    def note(self, message: str) -> None:
        """A line above the bar."""
        if self.main:
            self.bar.write(message)

    def replay(
        self,
        history: Sequence[dict[str, float]],
        snapshots: Sequence[dict[str, Any]],
        epochs: list[dict[str, float]],
        last_grid: Path | None,
    ) -> None:
        """Log a resumed run's checkpointed ticks and snapshot scores again, at the steps they
        had, so its logs equal an uninterrupted run's row for row."""
        if not self.main:
            return
        for step in range(len(history) + 1):
            for snap in snapshots:
                if snap["step"] == step and snap["domain_fd"] is not None:
                    self.live.log_metric(DOMAIN_FD, snap["domain_fd"])
            if step < len(history):
                self._log_tick(history[step])
        if last_grid is not None and last_grid.exists():
            self.live.log_image(GRID, last_grid)
        self.epochs(epochs)

    def tick(self, row: dict[str, float]) -> None:
        """One status line per tick, and the same numbers to DVCLive."""
        if not self.main:
            return
        self._log_tick(row)
        class_acc = row["class_acc_real"]  # NaN where D has no classifier
        self.note(
            f"kimg {row['kimg']:8.1f}  {row['images_per_s']:7.1f} img/s  "
            f"loss_d {row['loss_d']:.3f}  loss_g {row['loss_g']:.3f}  "
            f"D acc real {row['d_real_acc']:.2f} fake {row['d_fake_acc']:.2f}"
            + ("" if math.isnan(class_acc) else f"  class acc {class_acc:.2f}")
            + (f"  ada p {row['ada_p']:.3f}" if "ada_p" in row else "")
        )

    def _log_tick(self, row: dict[str, float]) -> None:
        for key, value in row.items():
            if key != "kimg" and not math.isnan(value):  # NaN: not measured (no D classifier)
                self.live.log_metric(f"train/{key}", round(value, 6))
        self.live.log_metric("kimg", row["kimg"], plot=False)
        self.live.next_step()

    def snapshot(self, grid: Image.Image, domain_fd: float | None) -> None:
        """The snapshot's grid and, with a domain classifier, its Fréchet distance."""
        if not self.main:
            return
        self.live.log_image(GRID, grid)
        if domain_fd is not None:
            self.live.log_metric(DOMAIN_FD, domain_fd)

    def epochs(self, rows: list[dict[str, float]]) -> None:
        if self.main:
            write_epochs(self.live_dir / EPOCHS_FILE, rows)


def write_epochs(path: Path, epochs: list[dict[str, float]]) -> None:
    """The per-epoch means as TSV, rewritten whole so a resumed run leaves no stale rows."""
    lines = [
        "\t".join(EPOCH_COLUMNS),
        *("\t".join(str(row[c]) for c in EPOCH_COLUMNS) for row in epochs),
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
