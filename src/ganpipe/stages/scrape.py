"""The scrape stage: labelled images from every configured source into ``data/raw``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ganpipe.errors import UserError
from ganpipe.files import write_json
from ganpipe.manifest import KEPT, Row, stage_counts, write_manifest
from ganpipe.params import ScrapeParams, Source
from ganpipe.registries.sources import LOCAL_KINDS
from ganpipe.scrape.attribution import write_attribution
from ganpipe.scrape.local import collect_local


def _collect(source: Source, params: ScrapeParams, raw_dir: Path) -> list[Row]:
    if source.kind in LOCAL_KINDS:
        return collect_local(source, raw_dir)
    from ganpipe.scrape.web import collect_web  # requests/bs4/selenium only when needed

    return collect_web(source, params, raw_dir)


def _prune(raw_dir: Path, rows: list[Row]) -> None:
    """Delete image files no current row refers to (the folder persists between runs)."""
    images = raw_dir / "images"
    if not images.exists():
        return
    wanted = {raw_dir / r.path for r in rows if r.status == KEPT}
    for path in sorted(images.rglob("*")):
        if path.is_file() and path not in wanted:
            path.unlink()
    for folder in sorted(images.glob("*")):
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


@dataclass(frozen=True)
class ScrapePaths:
    """Where the images go (``data/raw``, kept between runs) and the stage's metrics."""

    out: Path
    metrics: Path


def run_scrape(paths: ScrapePaths, *, params: ScrapeParams) -> list[Row]:
    """Collect all sources, keep the configured classes, write manifest and metrics."""
    raw_dir, metrics_path = paths.out, paths.metrics
    rows = [row for source in params.sources for row in _collect(source, params, raw_dir)]
    if params.classes:
        unknown = set(params.classes) - {r.label for r in rows}
        if unknown:
            raise UserError(f"scrape.classes: no source gave images for {sorted(unknown)}")
        rows = [r for r in rows if r.label in params.classes]
    if not any(r.status == KEPT for r in rows):
        raise UserError("scrape: the sources gave no images at all; check scrape.sources")
    _prune(raw_dir, rows)
    write_manifest(raw_dir, rows)
    counts = stage_counts(rows)
    metrics = {
        "images_in": len(rows),
        "images_kept": sum(c["kept"] for c in counts.values()),
        "classes": len(counts),
        "per_class": counts,
        "licenses": write_attribution(raw_dir, rows),  # kept web images per licence
    }
    write_json(metrics_path, metrics)
    return rows
