"""Every seed system as a preset: `ganpipe preset NAME`, then `dvc repro`, in one temporary
git + DVC repo that switches from preset to preset as a user would.

Offline presets read tiny stand-ins written by the tests (IDX files, class folders, a CSV
table, a flat folder) at the paths the presets name; the web preset (car-logos) searches a
local Bing look-alike. Sizes are shrunk to toy scale (see conftest.tiny); the GAN stages run
for real, so each full run ends with metrics/evaluate.json.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import (
    ALL_STAGES,
    PER_CLASS,
    SearchSite,
    assert_scored,
    make_project,
    manifest_classes,
    ran,
    read_params,
    run,
    switch_preset,
    write_downloads,
)

pytestmark = pytest.mark.slow
PRESETS = ["asl-alphabet", "car-logos", "cat-faces", "emnist-byclass", "emnist-letters",
           "fashion-mnist", "isic", "mnist"]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = make_project(tmp_path_factory.mktemp("presets"))
    write_downloads(repo)
    return repo


def test_preset_lists_every_seed_system(project: Path) -> None:
    assert run(["ganpipe", "preset"], project).split() == PRESETS


def test_switching_names_missing_local_inputs(project: Path, tmp_path: Path) -> None:
    out = run(["ganpipe", "preset", "isic", "--params", str(tmp_path / "p.yaml")], tmp_path)
    assert "note: downloads/isic/train_data.csv does not exist yet" in out
    assert "note:" not in run(["ganpipe", "preset", "isic", "--params",
                               str(tmp_path / "p.yaml")], project)


def test_emnist_byclass_data_stages(project: Path) -> None:
    switch_preset(project, "emnist-byclass")
    assert ran(run(["dvc", "repro", "augment"], project)) == ALL_STAGES[:5]
    assert manifest_classes(project, "augmented") == {"0": PER_CLASS, "1": PER_CLASS}


@pytest.mark.parametrize(("preset", "classes"), [
    ("emnist-letters", ["A", "B"]),             # IDX, column-major, labels from 1
    ("isic", ["melanoma", "nevus"]),            # CSV table + image folder, RGB
    ("cat-faces", ["cat"]),                     # flat folder, unconditional DCGAN
])
def test_offline_preset_runs_tiny(project: Path, preset: str, classes: list[str]) -> None:
    switch_preset(project, preset)
    assert ran(run(["dvc", "repro"], project)) == ALL_STAGES
    assert_scored(project, len(classes))
    assert sorted(manifest_classes(project, "resized")) == classes
    assert "up to date" in run(["dvc", "status"], project)


def test_car_logos_scrapes_the_local_search_site(project: Path,
                                                 search_site: SearchSite) -> None:
    switch_preset(project, "car-logos", search_site)
    source = read_params(project)["scrape"]["sources"][0]
    assert source["kind"] == "bing" and source["base_url"] == search_site.base
    assert ran(run(["dvc", "repro"], project)) == ALL_STAGES

    scrape = json.loads((project / "metrics/scrape.json").read_text())
    assert scrape["classes"] == 2 and scrape["images_kept"] == 2 * PER_CLASS
    asked = search_site.requests
    assert "/robots.txt" in asked  # respect_robots: true in the preset
    assert any(p.startswith("/images/async?q=Audi+logo") for p in asked)
    provenance = (project / "data/raw/provenance.jsonl").read_text().splitlines()
    assert all(json.loads(line)["engine"] == "bing" for line in provenance)
    assert_scored(project, 2)
