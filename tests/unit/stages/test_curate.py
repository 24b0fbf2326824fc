"""The curate stage on a tiny synthetic set: the planted errors rank on top; the data contract."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from ganpipe.curate.ranking import SIGNALS
from ganpipe.errors import UserError
from ganpipe.manifest import KEPT, REJECTED, encode_png, read_manifest, write_image, write_manifest
from ganpipe.params import CurateParams
from ganpipe.stagekit import InOutMetrics
from ganpipe.stages.curate import COLUMNS, SUSPECTS, run_curate

CLASSES = {"red": 0, "green": 1, "blue": 2}  # the colour channel that dominates each class
FAST = CurateParams(folds=3, epochs=4, batch_size=16, image_size=16, relevance="off")


def curated(tmp_path: Path) -> InOutMetrics:
    """The paths the curate tests share: resized in, curated out, m.json."""
    return InOutMetrics(tmp_path / "resized", tmp_path / "curated", tmp_path / "m.json")


def coloured(channel: int, rng: np.random.Generator) -> np.ndarray:
    """A 16 px image dominated by one channel, with noise and a random dark blob."""
    image = rng.integers(0, 70, (16, 16, 3))
    image[:, :, channel] += 150
    y, x = rng.integers(0, 12, 2)
    image[y : y + 4, x : x + 4] //= 3
    return image.clip(0, 255).astype(np.uint8)


def make_stage(stage: Path, per_class: int = 20) -> dict[str, str]:
    """A resized-like stage; returns the ids of the planted mislabelled and off-topic images."""
    rng = np.random.default_rng(0)
    rows = []
    for label, channel in CLASSES.items():
        for _ in range(per_class):
            rows.append(write_image(stage, label, encode_png(coloured(channel, rng)), "png", "t"))
    wrong = write_image(stage, "blue", encode_png(coloured(0, rng)), "png", "t:wrong")
    checker = ((np.indices((16, 16)).sum(axis=0) % 2) * 255).astype(np.uint8)
    off = write_image(stage, "green", encode_png(np.dstack([checker] * 3)), "png", "t:off")
    write_manifest(stage, [*rows, wrong, off])
    return {"wrong": wrong.id, "off": off.id}


def read_suspects(out: Path) -> list[dict[str, str]]:
    with (out / SUSPECTS).open() as f:
        reader = csv.DictReader(f)
        assert tuple(reader.fieldnames or ()) == COLUMNS
        return list(reader)


def test_planted_errors_rank_on_top_and_every_row_passes_through(tmp_path: Path) -> None:
    planted = make_stage(tmp_path / "resized")
    out = tmp_path / "curated"
    rows = run_curate(
        InOutMetrics(tmp_path / "resized", out, tmp_path / "curate.json"), params=FAST, queries={}
    )
    table = read_suspects(out)
    top = {r["id"] for r in table[:4]}
    assert set(planted.values()) <= top
    assert [int(r["rank"]) for r in table] == list(range(1, 63))
    assert sum(r["suspect"] == "true" for r in table) == 7  # ceil(10% of 62)
    assert all(0 <= float(r["suspicion"]) <= 1 for r in table)
    assert {r.status for r in rows} == {KEPT} and len(rows) == 62
    first = next(r for r in table if r["id"] == planted["wrong"])
    assert first["class"] == "blue" and first["predicted_class"] == "red"
    assert first["signal"] in SIGNALS and first["reason"]
    assert first["z_relevance"] == "" and float(first["z_label"]) > 0  # relevance is off
    assert float(first["evidence"]) >= float(table[-1]["evidence"])
    assert (out / first["path"]).is_file() and first["path"].startswith("../resized/images/")
    assert read_manifest(out) == rows
    metrics = json.loads((tmp_path / "curate.json").read_text())
    assert metrics["total"]["images"] == 62 and metrics["total"]["suspects"] == 7
    assert metrics["classes"]["green"]["images"] == 21
    assert metrics["relevance"]["status"] == "skipped"
    assert sum(metrics["suspects_by_signal"].values()) == 7


def test_a_rerun_writes_the_same_bytes(tmp_path: Path) -> None:
    """Fixed seeds: DVC's cache must see an unchanged output as unchanged."""
    make_stage(tmp_path / "resized", per_class=6)
    outputs = []
    for name in ("one", "two"):
        run_curate(
            InOutMetrics(tmp_path / "resized", tmp_path / name, tmp_path / f"{name}.json"),
            params=FAST,
            queries={},
        )
        files = [tmp_path / name / SUSPECTS, tmp_path / name / "manifest.csv"]
        outputs.append([f.read_bytes() for f in [*files, tmp_path / f"{name}.json"]])
    assert outputs[0] == outputs[1]


def test_drop_rejects_above_the_threshold_with_reason_suspect(tmp_path: Path) -> None:
    planted = make_stage(tmp_path / "resized")
    params = replace(FAST, drop=True, drop_threshold=0.5)
    rows = run_curate(curated(tmp_path), params=params, queries={})
    by_id = {r.id: r for r in rows}
    assert len(rows) == 62
    assert by_id[planted["wrong"]].status == REJECTED
    assert by_id[planted["wrong"]].reason.startswith("suspect:suspicion ")
    dropped = json.loads((tmp_path / "m.json").read_text())["total"]["dropped"]
    assert dropped == sum(r.status == REJECTED for r in rows) >= 1


def test_disabled_passes_everything_through_unranked(tmp_path: Path) -> None:
    make_stage(tmp_path / "resized", per_class=2)
    params = replace(FAST, enabled=False)
    rows = run_curate(curated(tmp_path), params=params, queries={})
    assert len(rows) == 8 and all(r.status == KEPT for r in rows)
    assert read_suspects(tmp_path / "curated") == []
    assert json.loads((tmp_path / "m.json").read_text())["enabled"] is False


def test_too_few_images_per_class_is_a_clear_error(tmp_path: Path) -> None:
    make_stage(tmp_path / "resized", per_class=2)
    with pytest.raises(UserError, match=r"curate\.folds=3 images per class; too few in red \(2\)"):
        run_curate(curated(tmp_path), params=FAST, queries={})
