"""Records: a resumed run's logs equal an uninterrupted run's, and the bar tells the truth."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from ganpipe.train.records import Records


def row(i: int) -> dict[str, float]:
    return {
        "kimg": 0.08 * (i + 1),
        "loss_d": 1.0 + i / 7,
        "loss_g": 2.0 - i / 9,
        "d_real_acc": 0.5,
        "d_fake_acc": 0.25,
        "class_acc_real": i / 5,
        "images_per_s": 100.0,
    }


GRID = Image.new("L", (4, 4), 128)
# snapshots after ticks 2 and 5 (steps 2 and 5); the first unscored, as without a classifier
SNAPSHOTS = {2: None, 5: 12.5}


def log(records: Records, ticks: range) -> None:
    """What the loop logs for these ticks, snapshots included."""
    for i in ticks:
        records.tick(row(i))
        if i + 1 in SNAPSHOTS:
            records.snapshot(GRID, SNAPSHOTS[i + 1])


def files(live: Path) -> dict[str, bytes]:
    return {
        str(f.relative_to(live)): f.read_bytes() for f in sorted(live.rglob("*")) if f.is_file()
    }


def test_a_resumed_run_logs_what_an_uninterrupted_run_logs(tmp_path: Path) -> None:
    epochs = [{"epoch": 1, "kimg": 0.16, "loss_d": 1.0, "loss_g": 2.0, "d_real_acc": 0.5}]
    epochs[0] |= {"d_fake_acc": 0.25, "class_acc_real": 0.0}
    with Records(tmp_path / "straight", True, 1000, 0) as records:
        log(records, range(6))
        records.epochs(epochs)
    with Records(tmp_path / "killed", True, 1000, 0) as records:
        log(records, range(4))  # ticks 0-3; the checkpoint holds ticks 0-1 and snapshot 2
        records.epochs(epochs + epochs)
    grid = tmp_path / "grid.png"
    GRID.save(grid)
    with Records(tmp_path / "killed", True, 1000, 0, cur_nimg=160) as records:
        snapshots = [{"kimg": 0.16, "step": 2, "domain_fd": None}]
        records.replay([row(0), row(1)], snapshots, epochs, grid)
        log(records, range(2, 6))
    straight, killed = files(tmp_path / "straight"), files(tmp_path / "killed")
    assert straight == killed
    assert len(straight["plots/metrics/train/loss_d.tsv"].splitlines()) == 1 + 6
    assert straight["plots/metrics/snapshot/domain_fd.tsv"].decode().split() == [
        "step",
        "domain_fd",
        "5",
        "12.5",
    ]


def test_the_bar_counts_images_without_a_time_budget(tmp_path: Path) -> None:
    with Records(tmp_path, True, 1000, 0, cur_nimg=100) as records:
        records.advance(300, 1e6)
        assert (records.bar.total, records.bar.n, records.bar.unit) == (1000, 300, "img")


def test_with_a_time_budget_the_bar_shows_whichever_bound_ends_the_run_first(
    tmp_path: Path,
) -> None:
    with Records(tmp_path, True, 1000, 2.0, cur_nimg=100, train_seconds=6.0) as records:
        assert records.bar.n == pytest.approx(0.1)
        records.advance(200, 60.0)  # half the 2-minute budget, a fifth of the images
        assert records.bar.n == pytest.approx(0.5)
        records.advance(800, 72.0)  # the images will run out first
        assert records.bar.n == pytest.approx(0.8)
        shown = str(records.bar)
        assert "80%" in shown and "0.8/1 kimg" in shown and "img/s" in shown
        assert "2 min budget" in shown


def test_a_head_without_a_classifier_shows_and_logs_no_class_accuracy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Records(tmp_path, True, 1000, 0) as records:
        records.tick(row(1) | {"class_acc_real": float("nan")})
    assert "class acc" not in "".join(capsys.readouterr())
    assert not (tmp_path / "plots/metrics/train/class_acc_real.tsv").exists()
    assert (tmp_path / "plots/metrics/train/loss_d.tsv").exists()
    with Records(tmp_path / "acgan", True, 1000, 0) as records:
        records.tick(row(1))
    assert "class acc 0.20" in "".join(capsys.readouterr())
