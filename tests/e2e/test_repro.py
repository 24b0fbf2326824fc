"""End to end: the real dvc.yaml in a temporary git repo, on a tiny Fashion-MNIST slice.

Which stages ran is read from DVC's own `dvc repro` output ("Running stage '<name>'").
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
FMNIST = Path("/usr/share/datasets/fashion-mnist")
ALL_STAGES = ["scrape", "filter", "reduce", "resize", "augment", "classifier", "train",
              "sample", "evaluate"]

TINY = {
    "scrape": {"sources": [{"kind": "dataset", "name": "fashion-mnist", "split": "train",
                            "per_class": 32}],
               "classes": ["Trouser", "Bag"]},
    "filter": {"near_duplicate_hamming": -1, "contact_sheets": False},
    "reduce": {"mode": "L", "background": "#000000"},
    "resize": {"image_size": 28},
    "augment": {"chains": ["fliph"]},
    "classifier": {"epochs": 1, "batch_size": 16, "holdout": 0.25},
    "train": {"batch_size": 16, "total_kimg": 0.128, "tick_kimg": 0.032,
              "snapshot_kimg": 0.064, "g_channels": 32, "d_channels": 16},
    "sample": {"per_class": 8},
    "evaluate": {"kid_subsets": 2, "kid_subset_size": 8},
}

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not FMNIST.exists(), reason="needs Debian package dataset-fashion-mnist"),
]


def run(cmd: list[str], cwd: Path) -> str:
    env = {**os.environ, "PYTHONPATH": str(cwd / "src"),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, f"{' '.join(cmd)} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout + proc.stderr


def ran(output: str) -> list[str]:
    return re.findall(r"Running stage '([^']+)'", output)


def set_params(repo: Path, section: str, **values: object) -> None:
    params = yaml.safe_load((repo / "params.yaml").read_text())
    params[section].update(values)
    (repo / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("project")
    for name in ("dvc.yaml", "reject.txt", ".gitignore", ".dvcignore"):
        if (REPO / name).exists():
            shutil.copy(REPO / name, repo / name)
    for folder in ("stages", "src"):
        shutil.copytree(REPO / folder, repo / folder,
                        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    (repo / "params.yaml").write_text(yaml.safe_dump(TINY, sort_keys=False))
    run(["git", "init", "-q"], repo)
    run(["git", "config", "user.email", "ci@example.com"], repo)
    run(["git", "config", "user.name", "ci"], repo)
    run(["dvc", "init", "-q"], repo)
    run(["git", "add", "-A"], repo)
    run(["git", "commit", "-qm", "project"], repo)  # DVCLive needs a commit to exist
    return repo


def test_first_repro_runs_every_stage_in_order(project: Path) -> None:
    assert ran(run(["dvc", "repro"], project)) == ALL_STAGES
    manifest = (project / "data/resized/manifest.csv").read_text().splitlines()
    assert len(manifest) == 1 + 64  # header + 2 classes x 32 images, all accounted for
    evaluate = json.loads((project / "metrics/evaluate.json").read_text())
    assert 0.0 <= evaluate["conditional_accuracy"] <= 1.0
    assert evaluate["domain_fd"] >= 0.0
    assert evaluate["protocol/n_fake"] == 16
    assert sorted(p.name for p in (project / "data/samples/images").iterdir()) == ["Bag",
                                                                                   "Trouser"]


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
