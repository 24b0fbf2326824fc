"""Benchmark suspect ranking: a folder that looks like a web image search, and injected errors.

Two suites, each run through the curate stage itself (``run_curate``, ``relevance: off``: the
offline ranking every user gets):

- **search** (benchmarks/searchsuite.py, one folder per ``--seeds`` value): Noto Emoji
  categories as logo-like classes at search-like sizes (10 to 200, half of them 10-30), JPEG'd,
  with ~10% contamination of the kinds image search returns (the class's graphic small on a
  photo, photos alone, another mark, text, near-empty images) and ~5% wrong labels. Target: the
  top 10% holds >= 3x the bad share of a random order (``lift``). Reported: precision, recall
  and lift at the top 10%, average precision, the same for the classes of <= 30 images, recall
  per kind, and each signal's own AP (its z column alone), beside two other orders of the same
  run: the previous ranking (1 - sqrt(label quality x outlier score)) and the signals combined by
  rank averaging instead of the sum of squared z.
- **injected** (``--injected-seed``): the 2,062 Sign Language Digits photos at 64 px with 5%
  relabelled and 5% Fashion-MNIST items added under random labels. Target: recall >= 0.8 at
  the top 10%. Its wall time is the timing figure (2,165 images at 64 px; target <= 180 s on 2
  cores), with process CPU time beside it: on a shared machine the wall time includes waiting.

``--sheet PNG`` draws the first search folder's top suspects with their reasons. The last line
is one JSON object. Usage: ``python benchmarks/suspects.py [--seeds 0 1 2] [--sheet top.png]``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw
from scipy.stats import rankdata
from searchsuite import build_suite  # benchmarks/ is on the path of a script run from it
from sklearn.metrics import average_precision_score

from ganpipe.curate.ranking import SIGNALS
from ganpipe.manifest import encode_png, write_image, write_manifest
from ganpipe.params import CurateParams
from ganpipe.scrape.datasets import read_idx
from ganpipe.stages.curate import SUSPECTS, run_curate

DIGITS = Path("/work/shared/data/sign-language-digits/Dataset")
FASHION = Path("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")
SIDE = 64
SHARE = 0.05  # of the real images: this many relabelled, and this many off-topic added
CUT = 0.10  # the top share that is judged
SMALL = 30  # classes of at most this many images are reported apart


def load_digits(root: Path) -> tuple[list[np.ndarray], list[int]]:
    images, labels = [], []
    for label in range(10):
        for path in sorted((root / str(label)).glob("*.JPG")):
            with Image.open(path) as image:
                small = image.convert("RGB").resize((SIDE, SIDE), Image.Resampling.BOX)
            images.append(np.asarray(small))
            labels.append(label)
    return images, labels


def off_topic(count: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Fashion-MNIST items, 28 -> 64 px bicubic, grey replicated to RGB."""
    items = read_idx(FASHION)
    chosen = rng.choice(len(items), count, replace=False)
    return [
        np.asarray(Image.fromarray(items[i]).resize((SIDE, SIDE), Image.Resampling.BICUBIC))[
            :, :, None
        ].repeat(3, axis=2)
        for i in chosen
    ]


def injected_folder(seed: int) -> tuple[list[np.ndarray], list[str], list[str]]:
    """Hand photos, 5% relabelled, 5% Fashion-MNIST items added: images, labels, kinds."""
    rng = np.random.default_rng(seed)
    images, labels = load_digits(DIGITS)
    n = len(images)
    count = round(SHARE * n)
    flipped = set(rng.choice(n, count, replace=False).tolist())
    given = [
        (lab + int(rng.integers(1, 10))) % 10 if i in flipped else lab
        for i, lab in enumerate(labels)
    ]
    extra = off_topic(count, rng)
    given += rng.integers(0, 10, count).tolist()
    kinds = ["wrong-label" if i in flipped else "clean" for i in range(n)] + ["off-topic"] * count
    return images + extra, [str(g) for g in given], kinds


def write_folder(stage: Path, images: list[np.ndarray], labels: list[str]) -> list[str]:
    """A resized-stage folder; the id of each image (the same picture twice is kept once)."""
    rows, ids = {}, []
    for i, (image, label) in enumerate(zip(images, labels, strict=True)):
        row = write_image(stage, label, encode_png(image), "png", f"bench:{i}", (SIDE, SIDE), "RGB")
        rows.setdefault(row.id, row)
        ids.append(row.id)
    write_manifest(stage, list(rows.values()))
    return ids


def rank(
    images: list[np.ndarray], labels: list[str], seed: int
) -> tuple[list[dict[str, str]], list[str], float, float]:
    """The curate stage on a folder: its suspects table, each image's id, wall and CPU seconds."""
    with tempfile.TemporaryDirectory() as tmp:
        stage, out = Path(tmp) / "resized", Path(tmp) / "curated"
        ids = write_folder(stage, images, labels)
        params = CurateParams(seed=seed, relevance="off")
        wall, cpu = time.perf_counter(), time.process_time()
        run_curate(stage, out, Path(tmp) / "curate.json", params, {})
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        with (out / SUSPECTS).open() as f:
            return list(csv.DictReader(f)), ids, wall, cpu


def figures(score: np.ndarray, bad: np.ndarray) -> dict[str, float]:
    """Precision, recall and lift at the top CUT by ``score`` (higher = more suspect), and AP."""
    top = np.argsort(-score, kind="stable")[: max(1, round(CUT * len(score)))]
    precision = float(bad[top].mean())
    return {
        "precision": precision,
        "recall": float(bad[top].sum() / max(bad.sum(), 1)),
        "lift": precision / max(float(bad.mean()), 1e-12),
        "ap": float(average_precision_score(bad, score)) if bad.any() else float("nan"),
    }


def alternatives(table: list[dict[str, str]], z: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Other orders of the same run: the previous ranking, and rank averaging of the signals."""
    quality = np.array([float(r["label_quality"]) for r in table])
    outlier = np.array([float(r["outlier_score"]) for r in table])
    ranks = np.stack([rankdata(v) / len(v) for v in z.values()])
    return {"previous": 1 - np.sqrt(quality * outlier), "rank_average": ranks.mean(axis=0)}


def evaluate(table: list[dict[str, str]], ids: list[str], kinds: list[str]) -> dict[str, Any]:
    """Every figure of one folder's ranking; ``table`` is in rank order."""
    kind = dict(zip(ids, kinds, strict=True))
    named = [kind[r["id"]] for r in table]
    bad = np.array([k != "clean" for k in named])
    order = -np.arange(len(table), dtype=float)  # the stage's own order
    sizes: dict[str, int] = {}
    for r in table:
        sizes[r["class"]] = sizes.get(r["class"], 0) + 1
    small = np.array([sizes[r["class"]] <= SMALL for r in table])
    top = round(CUT * len(table))
    z = {s: np.array([float(r[f"z_{s}"]) for r in table]) for s in SIGNALS if table[0][f"z_{s}"]}
    out: dict[str, Any] = {
        "images": len(table),
        "bad": int(bad.sum()),
        "base_rate": float(bad.mean()),
        **figures(order, bad),
        "recall_by_kind": {
            k: float(np.mean([i < top for i, n in enumerate(named) if n == k]))
            for k in sorted(set(named) - {"clean"})
        },
        "signal_ap": {s: float(average_precision_score(bad, v)) for s, v in z.items()},
        **{name: figures(v, bad) for name, v in alternatives(table, z).items()},
    }
    if small.any():  # the search suite's rare brands (the injected suite has none)
        out["small"] = {"images": int(small.sum()), "bad": int(bad[small].sum())}
        out["small"] |= figures(order[small], bad[small])
    return out


def mean_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Figures averaged over the seeds' folders (nested dicts alike), rounded."""
    return {
        key: mean_of([r[key] for r in runs])
        if isinstance(value, dict)
        else round(float(np.mean([r[key] for r in runs])), 4)
        for key, value in runs[0].items()
    }


def contact_sheet(
    table: list[dict[str, str]], folder: dict[str, tuple[np.ndarray, str]], path: Path
) -> None:
    """The top suspects with their rank, kind (red: bad) and reason, 8 to a row."""
    shown, cell = table[: round(CUT * len(table))], (150, 104)
    sheet = Image.new("RGB", (8 * cell[0], -(-len(shown) // 8) * cell[1]), "white")
    draw = ImageDraw.Draw(sheet)
    for n, r in enumerate(shown):
        image, kind = folder[r["id"]]
        x, y = n % 8 * cell[0], n // 8 * cell[1]
        sheet.paste(Image.fromarray(image), (x + 43, y + 2))
        colour = "green" if kind == "clean" else "red"
        draw.rectangle([x + 42, y + 1, x + 107, y + 66], outline=colour, width=2)
        draw.text((x + 2, y + 68), f"{r['rank']} {r['class'][:12]} {kind}", fill=colour)
        draw.text((x + 2, y + 82), r["reason"][:26], fill="black")
    sheet.save(path)


def cpu_name() -> str:
    text = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    found = (line.split(":", 1)[1].strip() for line in text.splitlines() if "Model name" in line)
    return next(found, platform.processor())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2], help="search folders")
    parser.add_argument("--injected-seed", type=int, default=0)
    parser.add_argument("--sheet", type=Path, help="PNG of the first search folder's top 10%%")
    args = parser.parse_args()
    runs = []
    for seed in args.seeds:
        suite = build_suite(seed)
        table, ids, _, _ = rank(suite.images, suite.labels, seed)
        runs.append(evaluate(table, ids, suite.kinds))
        print(f"search seed {seed}: {json.dumps(runs[-1])}", flush=True)
        if args.sheet and seed == args.seeds[0]:
            contact_sheet(
                table,
                dict(zip(ids, zip(suite.images, suite.kinds, strict=True), strict=True)),
                args.sheet,
            )
    images, labels, kinds = injected_folder(args.injected_seed)
    table, ids, wall, cpu_s = rank(images, labels, args.injected_seed)
    injected = evaluate(table, ids, kinds) | {"wall_s": round(wall, 1), "cpu_s": round(cpu_s, 1)}
    search = mean_of(runs)
    result = {
        "search": search
        | {"lift_min": round(min(r["lift"] for r in runs), 3), "seeds": args.seeds},
        "injected": mean_of([injected]) | {"seed": args.injected_seed},
        "cpu": cpu_name(),
        "cores": len(os.sched_getaffinity(0)),
    }
    print(
        f"search (mean of {len(runs)}): top 10% precision {search['precision']:.3f} = "
        f"{search['lift']:.2f}x the bad share {search['base_rate']:.3f} "
        f"(lowest {result['search']['lift_min']:.2f}x), "
        f"recall {search['recall']:.3f}, AP {search['ap']:.3f}; classes <= {SMALL}: lift "
        f"{search['small']['lift']:.2f}x, AP {search['small']['ap']:.3f}. Injected: recall "
        f"{injected['recall']:.3f}; {injected['images']} images ranked in {wall:.1f} s wall, "
        f"{cpu_s:.1f} s CPU on {result['cpu']}"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
