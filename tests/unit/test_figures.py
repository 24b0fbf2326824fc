"""The README's figures that come from the committed run agree with metrics/ (docs/figures.py)."""

import copy
import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]


def load_figures() -> ModuleType:
    spec = importlib.util.spec_from_file_location("figures", REPO / "docs" / "figures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


figures = load_figures()


@pytest.fixture(scope="module")
def committed() -> dict[str, Any]:
    return figures._load(REPO)


def test_readme_figures_match_the_committed_run(committed: dict[str, Any]) -> None:
    _, changed = figures.rewrite((REPO / "README.md").read_text(), committed)
    assert not changed, f"run `python docs/figures.py`: {changed} differ from metrics/"


def test_a_changed_score_makes_its_figure_stale(committed: dict[str, Any]) -> None:
    other = copy.deepcopy(committed)
    other["evaluate"]["domain_fd"] += 1.0
    other["train"]["kimg"] += 100
    text, changed = figures.rewrite((REPO / "README.md").read_text(), other)
    assert changed == ["grid-caption", "expected-scores"]
    assert f"{other['evaluate']['domain_fd']:.2f}" in text
    assert figures.rewrite(text, other)[1] == []  # rewritten: consistent again


def test_every_figure_needs_its_region(committed: dict[str, Any]) -> None:
    with pytest.raises(SystemExit, match="no <!-- figures:grid-caption --> region"):
        figures.rewrite("a README without figures", committed)


def test_the_downstream_verdict_follows_the_spread(committed: dict[str, Any]) -> None:
    other = copy.deepcopy(committed)
    other["evaluate"].update(augmentation_gain=0.05, augmentation_gain_std=0.01)
    assert "the samples help" in figures.downstream(other)
    other["evaluate"].update(augmentation_gain=0.01, augmentation_gain_std=0.01)
    assert "add nothing measurable" in figures.downstream(other)


def test_a_finished_run_is_taken_whole(tmp_path: Path) -> None:
    run, root = tmp_path / "run", tmp_path / "root"
    for folder in ("metrics", "data/samples", "docs"):
        (run / folder).mkdir(parents=True)
    for folder in ("metrics", "docs"):
        (root / folder).mkdir(parents=True)
    (run / "dvc.lock").write_text("lock")
    (run / "metrics/evaluate.json").write_text("{}")
    (root / "metrics/stale.json").write_text("{}")
    (run / "data/samples/grid.png").write_bytes(b"png")
    (run / "docs/truncation_1.png").write_bytes(b"t1")
    out = tmp_path / "make_run.out"
    out.write_text('make run: 15 min\n{"total_s": 900.0}\n')
    figures.take_run(run, root, out)
    assert (root / "dvc.lock").read_text() == "lock"
    assert sorted(p.name for p in (root / "metrics").iterdir()) == ["evaluate.json"]
    assert (root / "docs/grid.png").read_bytes() == b"png"
    assert (root / "docs/truncation_1.png").read_bytes() == b"t1"
    assert json.loads((root / figures.MAKE_RUN).read_text()) == {"total_s": 900.0}
