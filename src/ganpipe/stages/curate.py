"""The curate stage: rank every image by suspicion; optionally drop the worst (off by default).

Reads the resized images, writes no image: every kept row passes through pointing at
``../resized/...`` (docs/ARCHITECTURE.md, data contract), so augment reads this stage's manifest.
Outputs: ``manifest.csv`` (every input row, kept or rejected as ``suspect``), ``suspects.csv``
(one row per ranked image, the review page's input: its signals' z-scores, the strongest one and
its words) and the per-class counts as metrics.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ganpipe.clean.rows import finish, pass_through, start
from ganpipe.curate.ranking import SIGNALS, Ranking, classifier_trust, rank_images
from ganpipe.data import load_image_set
from ganpipe.files import write_json
from ganpipe.manifest import Row
from ganpipe.params import CurateParams
from ganpipe.stagekit import InOutMetrics

SUSPECTS = "suspects.csv"
COLUMNS = (
    "id",
    "class",
    "path",
    "label_quality",
    "outlier_score",
    "suspicion",
    "rank",
    "suspect",
    "predicted_class",
    "evidence",
    "signal",
    "reason",
    *(f"z_{name}" for name in SIGNALS),
)
SUSPECT = "suspect"  # the rejection reason of a dropped image


def run_curate(
    paths: InOutMetrics, *, params: CurateParams, queries: Mapping[str, str]
) -> list[Row]:
    """Rank ``paths.inp``'s kept images (or pass them all through when ``enabled`` is false);
    ``queries`` are the scrape sources' class -> query, for the relevance signal."""
    in_dir, out_dir, metrics_path, p = Path(paths.inp), Path(paths.out), paths.metrics, params
    rows = [pass_through(r, in_dir, out_dir) for r in start(in_dir, out_dir)]
    if not p.enabled:
        _write_suspects(out_dir, rows, None)
        _write_metrics(Path(metrics_path), rows, None, p)
        return finish(out_dir, rows)
    ranking = rank_images(load_image_set(in_dir), p, queries)
    _write_suspects(out_dir, rows, ranking)
    _write_metrics(Path(metrics_path), rows, ranking, p)
    return finish(out_dir, [_verdict(r, ranking, i, p) for i, r in enumerate(rows)])


def _verdict(row: Row, ranking: Ranking, index: int, p: CurateParams) -> Row:
    if not ranking.dropped[index]:
        return row
    value = ranking.suspicion[index]
    return row.rejected(f"{SUSPECT}:suspicion {value:.3f} >= {p.drop_threshold:g}")


def _write_suspects(out_dir: Path, rows: list[Row], ranking: Ranking | None) -> None:
    """``suspects.csv``, most suspicious first; only the header when ranking is off."""
    with (out_dir / SUSPECTS).open("w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(COLUMNS)
        if ranking is None:
            return
        predicted = ranking.predicted
        z = {signal.name: signal.z for signal in ranking.signals}
        combined = ranking.combined
        for i in np.argsort(ranking.rank):
            row = rows[i]
            writer.writerow(
                [
                    row.id,
                    row.label,
                    row.path,
                    f"{ranking.scores.label_quality[i]:.6f}",
                    f"{ranking.scores.outlier_score[i]:.6f}",
                    f"{ranking.suspicion[i]:.6f}",
                    int(ranking.rank[i]),
                    "true" if ranking.suspect[i] else "false",
                    predicted[i],
                    f"{combined.evidence[i]:.3f}",
                    combined.strongest[i],
                    combined.reason[i],
                    *(f"{z[name][i]:.3f}" if name in z else "" for name in SIGNALS),
                ]
            )


def _write_metrics(
    path: Path, rows: list[Row], ranking: Ranking | None, p: CurateParams
) -> dict[str, Any]:
    """Per class: images, suspects, label issues, outliers, dropped; totals; the protocol."""
    labels = np.array([r.label for r in rows])
    flags: dict[str, np.ndarray] = {}
    if ranking is not None:
        flags = {
            "suspects": ranking.suspect,
            "label_issues": ranking.scores.label_issue,
            "outliers": ranking.scores.outlier,
            "dropped": ranking.dropped,
        }
    classes = {
        c: {"images": int((labels == c).sum())}
        | {k: int(v[labels == c].sum()) for k, v in flags.items()}
        for c in sorted(set(labels.tolist()))
    }
    body: dict[str, Any] = {
        "enabled": p.enabled,
        "classes": classes,
        "total": {"images": len(rows)} | {k: int(v.sum()) for k, v in flags.items()},
    }
    if ranking is not None:
        strongest = np.array(ranking.combined.strongest)[ranking.suspect].tolist()
        body["suspects_by_signal"] = {name: strongest.count(name) for name in SIGNALS}
        accuracy = ranking.scores.pred_probs.argmax(axis=1) == ranking.labels
        body["out_of_fold_accuracy"] = round(float(accuracy.mean()), 6)
        body["classifier_trust"] = round(classifier_trust(ranking.scores, ranking.labels), 6)
        body["relevance"] = ranking.relevance.record()
        body["protocol"] = {
            k: getattr(p, k)
            for k in ("folds", "epochs", "image_size", "neighbours", "suspect_fraction", "seed")
        }
    write_json(path, body)
    return body
