"""The filter stage: which raw files are usable images, with a reason for every other one.

Kept rows point at the raw file itself (no copy, no re-encode); only a file named with the wrong
extension is copied. Per-image checks live in :mod:`ganpipe.clean.filter`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from ganpipe.clean.filter import Checked, FilterJob, check_row, deduplicate
from ganpipe.clean.parallel import pmap
from ganpipe.clean.reject_list import read_reject_list
from ganpipe.clean.review import write_review
from ganpipe.clean.rows import finish, parse_colour, start
from ganpipe.files import write_json
from ganpipe.manifest import KEPT, Row, stage_counts
from ganpipe.params import FilterParams
from ganpipe.stagekit import InOutMetrics


@dataclass(frozen=True)
class FilterPaths(InOutMetrics):
    """The raw folder in, the filtered folder out, the metrics, and the reviewed reject list."""

    reject_list: Path


def run_filter(
    paths: FilterPaths, *, params: FilterParams, background: str = "#ffffff"
) -> list[Row]:
    """Filter ``paths.inp`` into ``paths.out``; per-class, per-reason counts go to
    ``paths.metrics``.

    ``background`` should be ``reduce.background``: transparent images are judged (blank,
    near-duplicate) as they will look after reduce composites them.
    """
    in_dir, out_dir = paths.inp, paths.out
    rows = start(in_dir, out_dir)
    reject = read_reject_list(paths.reject_list)
    job = FilterJob(Path(in_dir), Path(out_dir), params, parse_colour(background), reject)
    checked = pmap(partial(check_row, job=job), rows, params.workers, "filter")
    final = deduplicate(checked, params.near_duplicate_distance)
    _remove_dropped(job.out_dir, checked, final)
    out = finish(out_dir, final)
    _write_metrics(Path(paths.metrics), out)
    if params.contact_sheets:
        write_review(
            Path(out_dir),
            [r for r in out if r.status == KEPT],
            params.workers,
            job.background,
            params.review_per_class,
        )
    return out


def _remove_dropped(out_dir: Path, checked: list[Checked], final: list[Row]) -> None:
    """Delete the renamed copies (``_keep``) of rows the duplicate pass rejected.

    Rows with identical bytes share one id and so one path: keep any path a kept row uses.
    Paths leading out of ``out_dir`` are the input's own files and never deleted.
    """
    kept = {row.path for row in final if row.status == KEPT}
    for item, row in zip(checked, final, strict=True):
        path = item.row.path
        if (
            row.status != KEPT
            and item.row.status == KEPT
            and path not in kept
            and not path.startswith("../")
        ):
            (out_dir / path).unlink(missing_ok=True)


def _write_metrics(path: Path, rows: list[Row]) -> None:
    """Counts per class per reason, plus totals over classes; sorted keys, stable bytes."""
    classes = stage_counts(rows)
    total: dict[str, int] = defaultdict(int)
    for counts in classes.values():
        for key, value in counts.items():
            total[key] += value
    write_json(path, {"classes": classes, "total": dict(total)})
