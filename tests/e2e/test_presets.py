"""Every seed system as a preset: `ganpipe preset NAME` (the real command), then `dvc repro`, in
temporary git + DVC repos that switch from preset to preset as a user would.

Offline presets read tiny stand-ins written by the tests (IDX files, class folders, a CSV
table, a flat folder) at the paths the presets name; the web preset (car-logos) searches a
local Bing look-alike. Sizes are shrunk to toy scale (e2ekit.tiny), but no section is added:
each run reads the params.yaml `ganpipe preset` wrote, as a user would, and the GAN stages run
for real, so each full run ends with metrics/evaluate.json.

The full runs go in two lanes, one repo each, side by side (the stages are mostly
single-threaded, so two lanes use both cores of a small CI machine); each lane records what a
test needs after every preset, before switching to the next. mnist, asl-alphabet and
fashion-mnist run in full in test_readme.py and test_repro.py; the two EMNIST presets, whose
GAN stages are those of mnist, run their data stages here.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from e2ekit import (
    ALL_STAGES,
    PER_CLASS,
    SearchSite,
    command_env,
    evaluate_metrics,
    make_project,
    manifest_classes,
    ran,
    read_params,
    run,
    set_params,
    switch_preset,
    write_downloads,
)

pytestmark = pytest.mark.slow
PRESETS = [
    "asl-alphabet",
    "car-logos",
    "cat-faces",
    "emnist-byclass",
    "emnist-letters",
    "fashion-mnist",
    "isic",
    "mnist",
]
LANES = [["isic"], ["cat-faces", "car-logos"]]
CLASSES = {
    "isic": {"melanoma", "nevus"},  # CSV table + image folder, RGB, spectral norm
    "cat-faces": {"cat"},  # flat folder, unconditional DCGAN
    "car-logos": {"Audi", "BMW"},  # web search (local), RGBA logos on white, DiffAugment
}


@dataclass
class Outcome:
    """What one preset's `dvc repro` left behind, recorded before the lane moved on."""

    stages: list[str]
    status: str
    params: dict[str, Any]
    evaluate: dict[str, Any]
    resized: dict[str, int]
    samples: set[str]
    grid: bool
    scrape: dict[str, Any]
    provenance: list[dict[str, Any]]


def _run_preset(repo: Path, preset: str, site: SearchSite) -> Outcome:
    switch_preset(repo, preset, site)
    out = run(["dvc", "repro"], repo)
    provenance = repo / "data/raw/provenance.jsonl"
    return Outcome(
        stages=ran(out),
        status=run(["dvc", "status"], repo),
        params=read_params(repo),
        evaluate=evaluate_metrics(repo),
        resized=manifest_classes(repo, "resized"),
        samples={p.name for p in (repo / "data/samples/images").iterdir() if p.is_dir()},
        grid=(repo / "data/samples/grid.png").exists(),
        scrape=json.loads((repo / "metrics/scrape.json").read_text()),
        provenance=[json.loads(line) for line in provenance.read_text().splitlines()]
        if provenance.exists()
        else [],
    )


def _lane(repo: Path, presets: list[str], site: SearchSite) -> dict[str, Outcome | Exception]:
    make_project(repo)
    write_downloads(repo)
    done: dict[str, Outcome | Exception] = {}
    for preset in presets:
        try:
            done[preset] = _run_preset(repo, preset, site)
        except Exception as err:  # reported by that preset's test, not the lane's others
            done[preset] = err
    return done


@pytest.fixture(scope="module")
def lanes(
    tmp_path_factory: pytest.TempPathFactory, search_site: SearchSite
) -> Iterator[list[Future]]:
    root = tmp_path_factory.mktemp("lanes")
    with ThreadPoolExecutor(max_workers=len(LANES)) as pool:
        yield [
            pool.submit(_lane, root / f"lane{i}", presets, search_site)
            for i, presets in enumerate(LANES)
        ]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, lanes: list[Future]) -> Path:
    """A repo for the quick checks (data stages only), made while the lanes run."""
    repo = make_project(tmp_path_factory.mktemp("presets"))
    write_downloads(repo)
    return repo


def outcome(lanes: list[Future], preset: str) -> Outcome:
    (lane,) = [f for f, presets in zip(lanes, LANES, strict=True) if preset in presets]
    result = lane.result(timeout=900)[preset]
    if isinstance(result, Exception):
        raise result
    return result


def test_preset_lists_every_seed_system(project: Path) -> None:
    assert run(["ganpipe", "preset"], project).split() == PRESETS


def test_switching_names_missing_local_inputs(project: Path, tmp_path: Path) -> None:
    out = run(["ganpipe", "preset", "isic", "--params", str(tmp_path / "p.yaml")], tmp_path)
    assert "note: downloads/isic/train_data.csv does not exist yet" in out
    assert "note:" not in run(
        ["ganpipe", "preset", "isic", "--params", str(tmp_path / "p.yaml")], project
    )


@pytest.mark.parametrize(
    ("preset", "classes"),
    [
        ("emnist-letters", {"A", "B"}),  # stored column-major, labels counted from 1
        ("emnist-byclass", {"0", "1"}),  # 62 classes, digits first
    ],
)
def test_emnist_data_stages(project: Path, preset: str, classes: set[str]) -> None:
    switch_preset(project, preset)
    assert ran(run(["dvc", "repro", "augment"], project)) == ALL_STAGES[:6]
    assert manifest_classes(project, "augmented") == dict.fromkeys(classes, PER_CLASS)


def _scrape_fails(repo: Path) -> str:
    proc = subprocess.run(
        ["dvc", "repro", "scrape"],
        cwd=repo,
        env=command_env(repo),
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode != 0, proc.stdout
    return proc.stdout + proc.stderr


def test_engine_without_results_stops_the_scrape(project: Path, search_site: SearchSite) -> None:
    """README, troubleshooting: an engine returning zero results."""
    set_params(
        project,
        "scrape",
        sources=[
            {"kind": "bing", "base_url": search_site.base, "queries": {"Unicorn": "no such thing"}}
        ],
    )
    assert "scrape: the sources gave no images at all" in _scrape_fails(project)
    set_params(
        project,
        "scrape",
        retries=0,
        connect_timeout=1.0,
        sources=[
            {
                "kind": "bing",
                "base_url": "http://127.0.0.1:9",
                "queries": {"Unicorn": "no such thing"},
            }
        ],
    )
    assert "bing: http://127.0.0.1:9/images/async?q=no+such+thing" in _scrape_fails(project)


@pytest.mark.parametrize("preset", [p for lane in LANES for p in lane])
def test_preset_runs_tiny(lanes: list[Future], preset: str) -> None:
    result = outcome(lanes, preset)
    assert result.stages == ALL_STAGES
    assert "up to date" in result.status
    assert set(result.resized) == CLASSES[preset] == result.samples
    assert result.grid
    assert 0.0 <= result.evaluate["conditional_accuracy"] <= 1.0
    assert result.evaluate["domain_fd"] >= 0.0


def test_car_logos_searched_the_local_site(lanes: list[Future], search_site: SearchSite) -> None:
    """Openverse and Commons (local stand-ins), robots.txt respected, credits written."""
    result = outcome(lanes, "car-logos")
    kinds = [s["kind"] for s in result.params["scrape"]["sources"]]
    assert kinds == ["openverse", "commons"]
    assert all(
        s["base_url"].startswith(search_site.base) for s in result.params["scrape"]["sources"]
    )
    assert result.scrape["images_kept"] == 2 * 2 * PER_CLASS  # two sources, two classes
    assert "/robots.txt" in search_site.requests  # respect_robots: true, for the images
    assert any(p.startswith("/v1/images/?q=Audi+logo") for p in search_site.requests)
    assert any("gsrsearch=Audi+logo" in p for p in search_site.requests)
    assert len(result.provenance) == 2 * 2 * PER_CLASS
    assert {r["engine"] for r in result.provenance} == {"openverse", "commons"}
    assert all(r["license"] and r["landing_url"] for r in result.provenance)
    assert all(r["image_url"].startswith(search_site.base) for r in result.provenance)
    assert result.scrape["licenses"] == {"CC BY 4.0": 2 * PER_CLASS, "CC BY-SA 4.0": 2 * PER_CLASS}


def test_cat_faces_is_unconditional(lanes: list[Future]) -> None:
    result = outcome(lanes, "cat-faces")
    assert result.params["train"]["class_conditional"] is False
    assert result.resized == {"cat": 2 * PER_CLASS}
