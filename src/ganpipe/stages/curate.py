"""The curate stage: rank every image by suspicion; optionally drop the worst (off by default).

Reads the resized images, writes no image: every kept row passes through pointing at
``../resized/...`` (docs/ARCHITECTURE.md, data contract), so augment reads this stage's manifest.
Outputs: ``manifest.csv`` (every input row, kept or rejected as ``suspect``), ``suspects.csv``
(one row per ranked image, the review page's input) and the per-class counts as metrics.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ganpipe.clean.stage import finish, pass_through, start
from ganpipe.curate.crossval import cross_validate
from ganpipe.curate.relevance import Relevance, relevance
from ganpipe.curate.scores import Scores, ranks, score, suspicion
from ganpipe.data import load_image_set
from ganpipe.manifest import Row
from ganpipe.params import CurateParams

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
)
SUSPECT = "suspect"  # the rejection reason of a dropped image


@dataclass(frozen=True)
class Ranking:
    """The stage's verdict per image, in the input manifest's kept-row order."""

    scores: Scores
    relevance: Relevance
    suspicion: np.ndarray
    rank: np.ndarray
    suspect: np.ndarray
    dropped: np.ndarray


def run_curate(
    in_dir: Path,
    out_dir: Path,
    metrics_path: Path,
    p: CurateParams,
    queries: Mapping[str, str],
) -> list[Row]:
    """Rank ``in_dir``'s kept images (or pass them all through when ``p.enabled`` is false)."""
    in_dir, out_dir = Path(in_dir), Path(out_dir)
    rows = [pass_through(r, in_dir, out_dir) for r in start(in_dir, out_dir)]
    if not p.enabled:
        _write_suspects(out_dir, rows, None)
        _write_metrics(Path(metrics_path), rows, None, p)
        return finish(out_dir, rows)
    ranking = rank_images(in_dir, p, queries)
    _write_suspects(out_dir, rows, ranking)
    _write_metrics(Path(metrics_path), rows, ranking, p)
    return finish(out_dir, [_verdict(r, ranking, i, p) for i, r in enumerate(rows)])


def rank_images(in_dir: Path, p: CurateParams, queries: Mapping[str, str]) -> Ranking:
    """Cross-validate, score with cleanlab (and relevance when available), rank."""
    data = load_image_set(in_dir)
    labels = data.labels.numpy()
    scores = score(cross_validate(data, p), labels, len(data.classes), p.neighbours)
    judged = relevance(data, queries, p)
    if judged.status == "unavailable":
        print(f"[curate] {judged.reason}")
    qualities = [scores.label_quality, scores.outlier_score]
    if judged.scores is not None:
        qualities.append(judged.scores)
    values = suspicion(qualities)
    rank = ranks(values, data.ids)
    return Ranking(
        scores=scores,
        relevance=judged,
        suspicion=values,
        rank=rank,
        suspect=rank <= math.ceil(p.suspect_fraction * len(rank)),
        dropped=p.drop & (values >= p.drop_threshold),
    )


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
        classes = sorted({r.label for r in rows})
        predicted = ranking.scores.pred_probs.argmax(axis=1)
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
                    classes[predicted[i]],
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
        accuracy = ranking.scores.pred_probs.argmax(axis=1) == _label_index(labels)
        body["out_of_fold_accuracy"] = round(float(accuracy.mean()), 6)
        body["relevance"] = ranking.relevance.record()
        body["protocol"] = {
            k: getattr(p, k)
            for k in ("folds", "epochs", "image_size", "neighbours", "suspect_fraction", "seed")
        }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(body, indent=2, sort_keys=True) + "\n")
    return body


def _label_index(labels: np.ndarray) -> np.ndarray:
    return np.searchsorted(np.array(sorted(set(labels.tolist()))), labels)
