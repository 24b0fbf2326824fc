"""End to end: the real dvc.yaml in a temporary git repo, on a tiny Fashion-MNIST slice.

Which stages ran is read from DVC's own `dvc repro` output ("Running stage '<name>'").
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from e2ekit import ALL_STAGES, make_project, ran, run, set_params

FMNIST = Path("/usr/share/datasets/fashion-mnist")

TINY = {
    "scrape": {
        "sources": [
            {"kind": "dataset", "name": "fashion-mnist", "split": "train", "per_class": 32}
        ],
        "classes": ["Trouser", "Bag"],
    },
    "filter": {"near_duplicate_distance": -1, "contact_sheets": False},
    "reduce": {"mode": "L", "background": "#000000"},
    "resize": {"image_size": 28},
    "curate": {"folds": 2, "epochs": 1, "batch_size": 16, "image_size": 16, "relevance": "off"},
    "augment": {"chains": ["fliph"]},
    "classifier": {"epochs": 1, "min_steps": 0, "batch_size": 16, "holdout": 0.25},
    "train": {
        "batch_size": 16,
        "total_kimg": 0.128,
        "tick_kimg": 0.032,
        "snapshot_kimg": 0.064,
        "g_channels": 32,
        "d_channels": 16,
    },
    "sample": {"per_class": 8},
    "evaluate": {
        "kid_subsets": 2,
        "kid_subset_size": 8,
        "inception_weights": "no-inception-weights-in-tests.pth",
        "truncation_per_class": 8,
        "downstream_steps": 5,
    },  # never download
}

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not FMNIST.exists(), reason="needs Debian package dataset-fashion-mnist"),
]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_project(tmp_path_factory.mktemp("project"), TINY)


def test_first_repro_runs_every_stage_in_order(project: Path) -> None:
    assert ran(run(["dvc", "repro"], project)) == ALL_STAGES
    manifest = (project / "data/resized/manifest.csv").read_text().splitlines()
    assert len(manifest) == 1 + 64  # header + 2 classes x 32 images, all accounted for
    evaluate = json.loads((project / "metrics/evaluate.json").read_text())
    assert 0.0 <= evaluate["conditional_accuracy"] <= 1.0
    assert evaluate["domain_fd"] >= 0.0
    assert evaluate["protocol/n_fake"] == 16
    assert sorted(p.name for p in (project / "data/samples/images").iterdir()) == ["Bag", "Trouser"]


def test_status_is_clean_and_second_repro_runs_nothing(project: Path) -> None:
    assert "up to date" in run(["dvc", "status"], project)
    assert ran(run(["dvc", "repro"], project)) == []
    run(["git", "add", "-A"], project)
    run(["git", "commit", "-qm", "baseline"], project)


def test_training_param_reruns_train_sample_evaluate(project: Path) -> None:
    set_params(project, "train", lr_g=0.0001)
    assert ran(run(["dvc", "repro"], project)) == ["train", "sample", "evaluate"]


def test_metrics_diff_reports_changed_metrics(project: Path) -> None:
    diff = json.loads(run(["dvc", "metrics", "diff", "--json"], project))
    assert "metrics/evaluate.json" in diff
    assert "domain_fd" in diff["metrics/evaluate.json"]
    changed = diff["metrics/train.json"]["final_loss_g"]
    assert changed["old"] != changed["new"]


def test_image_size_reruns_everything_from_resize(project: Path) -> None:
    set_params(project, "resize", image_size=32, upscale=True)
    assert ran(run(["dvc", "repro"], project)) == ALL_STAGES[3:]
    with (project / "data/samples/grid.png").open("rb") as f:
        from PIL import Image

        assert Image.open(f).size == (10 * 34 + 2, 2 * 34 + 2)
