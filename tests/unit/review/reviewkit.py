"""A tiny project after a filter run, for the review tests: raw images, reject.txt with a comment
and a glob, params, and optionally a suspects table as the suspects stage writes it."""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from ganpipe.manifest import Row, read_manifest
from ganpipe.params import load_all
from ganpipe.stages.curate import COLUMNS as SUSPECT_HEADER
from ganpipe.stages.filter import FilterPaths, run_filter

REPO = Path(__file__).resolve().parents[3]


@dataclass
class Project:
    root: Path
    raw: list[Row]  # bar: 4 images, low: 3 (by default), sorted by class then id

    @property
    def reject_list(self) -> Path:
        return self.root / "reject.txt"

    def by_key(self, key: str) -> Row:
        return next(r for r in self.raw if f"{r.label}/{r.id}" == key)

    def keys(self, label: str) -> list[str]:
        return [f"{r.label}/{r.id}" for r in self.raw if r.label == label]

    def filter(self) -> dict[str, Row]:
        """Run filter in-process (the stage's own call); its manifest rows by ``class/id``."""
        params = load_all(self.root / "params.yaml")
        paths = FilterPaths(
            inp=self.root / "data/raw",
            out=self.root / "data/filtered",
            metrics=self.root / "metrics/filter.json",
            reject_list=self.reject_list,
        )
        run_filter(paths, params=params["filter"])
        return self.filtered()

    def filtered(self) -> dict[str, Row]:
        return {f"{r.label}/{r.id}": r for r in read_manifest(self.root / "data/filtered")}

    def write_suspects(self, scores: dict[str, tuple[float, str]]) -> Path:
        """``{class/id: (suspicion, predicted class)}``; suspicion >= 0.5 counts as a suspect,
        with the label signal's words as its reason."""
        path = self.root / "data/curated/suspects.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        ranked = sorted(scores.items(), key=lambda kv: -kv[1][0])
        with path.open("w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(SUSPECT_HEADER)
            for rank, (key, (score, predicted)) in enumerate(ranked, 1):
                row = self.by_key(key)
                suspect = "true" if score >= 0.5 else "false"
                reason = f"closer to class {predicted}"
                writer.writerow(
                    [row.id, row.label, row.path, 1 - score, score, score, rank, suspect, predicted]
                    + [score, "label", reason]
                    + [""] * (len(SUSPECT_HEADER) - 12)
                )
        return path


def build_project(
    root: Path,
    stage_factory: Callable[..., Path],
    classes: tuple[str, str] = ("bar", "low"),
    counts: tuple[int, int] = (4, 3),
) -> Project:
    """Two classes of 4 and 3 images (or ``counts``); reject.txt has comments and a glob
    rejecting the second class's last image; filtered once."""
    stage_factory(root / "data/raw", dict(zip(classes, counts, strict=True)), size=28, channels=3)
    params = {
        "scrape": {"sources": [{"kind": "folder", "root": str(root / "my_images")}]},
        "filter": {"workers": 1, "contact_sheets": False, "near_duplicate_distance": -1},
    }
    (root / "params.yaml").write_text(yaml.safe_dump(params))
    project = Project(root, read_manifest(root / "data/raw"))
    globbed = project.keys(classes[1])[-1]
    (root / "reject.txt").write_text(
        "# Images the filter stage must reject.\n"
        f"{globbed[: len(classes[1]) + 7]}*   # the last one, by glob\n"
        "\n"
        "# more below, one day\n"
    )
    project.filter()
    return project
