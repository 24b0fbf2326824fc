"""What a training run shows and logs: the progress bar, DVCLive's curves and grid, and
``epochs.tsv``. Only rank 0 writes; on the other processes every method does nothing."""

from __future__ import annotations

import contextlib
from pathlib import Path
from types import TracebackType
from typing import Any

from PIL import Image
from tqdm import tqdm

EPOCHS_FILE = "epochs.tsv"  # in the DVCLive folder; a dvc.yaml plot with x = epoch
EPOCH_COLUMNS = ("epoch", "kimg", "loss_d", "loss_g", "d_real_acc", "d_fake_acc", "class_acc_real")


class Records:
    """Open with ``with``: DVCLive (and the DVC it imports) and the bar, on rank 0 only."""

    def __init__(
        self, live_dir: Path, main: bool, resume: bool, total_nimg: int, cur_nimg: int
    ) -> None:
        self.live_dir, self.main, self.resume = live_dir, main, resume
        self.total_nimg, self.cur_nimg = total_nimg, cur_nimg
        self._stack = contextlib.ExitStack()
        self.live: Any = None

    def __enter__(self) -> Records:
        if self.main:
            from dvclive import Live

            self.live = self._stack.enter_context(
                Live(str(self.live_dir), resume=self.resume, save_dvc_exp=False, dvcyaml=False)
            )
        self.bar = self._stack.enter_context(
            tqdm(
                total=self.total_nimg,
                initial=self.cur_nimg,
                unit="img",
                unit_scale=True,
                desc="train",
                mininterval=5,
                disable=not self.main,
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

    def advance(self, nimg: int) -> None:
        self.bar.update(nimg)

    def note(self, message: str) -> None:
        """A line above the bar."""
        if self.main:
            self.bar.write(message)

    def tick(self, row: dict[str, float]) -> None:
        """One status line per tick, and the same numbers to DVCLive."""
        if not self.main:
            return
        for key, value in row.items():
            if key != "kimg":
                self.live.log_metric(f"train/{key}", round(value, 6))
        self.live.log_metric("kimg", row["kimg"], plot=False)
        self.live.next_step()
        self.note(
            f"kimg {row['kimg']:8.1f}  {row['images_per_s']:7.1f} img/s  "
            f"loss_d {row['loss_d']:.3f}  loss_g {row['loss_g']:.3f}  "
            f"D acc real {row['d_real_acc']:.2f} fake {row['d_fake_acc']:.2f}  "
            f"class acc {row['class_acc_real']:.2f}"
        )

    def snapshot(self, grid: Image.Image, domain_fd: float | None) -> None:
        """The snapshot's grid and, with a domain classifier, its Fréchet distance."""
        if not self.main:
            return
        self.live.log_image("grid.png", grid)
        if domain_fd is not None:
            self.live.log_metric("snapshot/domain_fd", domain_fd)

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
