"""Benchmark suspect ranking on three suites, today's ranking against the new one in one run.

Each folder is written as a resized stage, its classifier cross-validated once
(``ranking.score_images``, ``relevance: off``), then ranked twice on those scores: **new**
(``ranking.offline_signals``, what the curate stage runs) and **today**
(``ranking.previous_signals``, the ranking before issue 27: statistics of the whole frame,
letterbox bars included, no photographic signal, within-class signals at full weight in any
class).

- **web** (benchmarks/websuite.py, one folder per ``--web-seeds`` value; README.md beside it
  says where its photos come from): 16 brands of 11-17 images (four of 30-100), 10%
  off-topic as a web search returns it: real photos filling the frame with the brand's mark
  inside (``scene+graphic``), multi-object scenes, studio product shots, photos; and clean
  marks in five other styles (``style:*``: outline, filled, on colour, wordmark, chrome) that
  must not be flagged. Targets: ``scene+graphic`` recall at the top 10% >= 0.7, <= 5% of the
  ``style:*`` images in the top 10% (``styles_flagged``), lift at the top 10% >= 3x.
- **search** (benchmarks/searchsuite.py, ``--seeds``): Noto Emoji categories as classes of
  10-200, ~10% contamination (the graphic small on a hand photo, hand photos, another mark, text,
  near-empty) and ~5% wrong labels. Target: no worse than today.
- **injected** (``--injected-seed``): the 2,062 Sign Language Digits photos at 64 px with 5%
  relabelled and 5% Fashion-MNIST items added. Target: no worse than today.

Reported per suite and ranking: precision, recall and lift at the top 10%, average precision,
recall per kind, each signal's own AP, and for search the classes of <= 30 images. Then the
curate stage itself (``run_curate``) on ``--time-images`` (2,000) images of the injected folder
at 64 px: wall and CPU seconds, on the CPU named by lscpu (with or without AVX-512). Then
relevance (CLIP) with ``relevance: auto`` on the first web folder: its figures when open_clip's
weights are in the Hugging Face cache, else "relevance unavailable: <reason>" (never faked).

``--sheets DIR`` draws the first web folder's top 10%, today and new, and the first search
folder's (new). ``--data DIR`` (or ``GANPIPE_SHARED_DATA``) names the shared data. The last
line is one JSON object. Usage: ``python benchmarks/suspects.py [--sheets /tmp/sheets]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import tempfile
import time
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw
from searchsuite import Suite, build_suite, is_bad  # benchmarks/ is on a script's path
from shareddata import add_flag, choose, shared
from sklearn.metrics import average_precision_score
from websuite import build_web_suite

from ganpipe.curate.ranking import Ranking, previous_signals, rank_images, score_images
from ganpipe.data import load_image_set
from ganpipe.manifest import encode_png, write_image, write_manifest
from ganpipe.params import CurateParams
from ganpipe.scrape.datasets import read_idx
from ganpipe.stagekit import InOutMetrics
from ganpipe.stages.curate import run_curate

FASHION = Path("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")  # Debian package
SIDE = 64
SHARE = 0.05  # of the real images: this many relabelled, and this many off-topic added
CUT = 0.10  # the top share that is judged
SMALL = 30  # classes of at most this many images are reported apart
ORDERS = ("today", "new")


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
    if not FASHION.is_file():
        raise SystemExit(f"{FASHION} not found: apt-get install dataset-fashion-mnist")
    items = read_idx(FASHION)
    chosen = rng.choice(len(items), count, replace=False)
    return [
        np.asarray(Image.fromarray(items[i]).resize((SIDE, SIDE), Image.Resampling.BICUBIC))[
            :, :, None
        ].repeat(3, axis=2)
        for i in chosen
    ]


def injected_folder(seed: int) -> Suite:
    """Hand photos, 5% relabelled, 5% Fashion-MNIST items added."""
    rng = np.random.default_rng(seed)
    images, labels = load_digits(shared("sign-language-digits", "Dataset"))
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
    return Suite(images + extra, [str(g) for g in given], kinds)


def write_folder(stage: Path, suite: Suite) -> list[str]:
    """A resized-stage folder; the id of each image (the same picture twice is kept once)."""
    rows, ids = {}, []
    for i, (image, label) in enumerate(zip(suite.images, suite.labels, strict=True)):
        row = write_image(stage, label, encode_png(image), "png", f"bench:{i}", (SIDE, SIDE), "RGB")
        rows.setdefault(row.id, row)
        ids.append(row.id)
    write_manifest(stage, list(rows.values()))
    return ids


def rank_both(suite: Suite, seed: int, queries: Mapping[str, str] | None = None) -> dict:
    """Today's and the new ranking of one folder on one cross-validation, with each image's
    kind in the image set's order; with ``queries``, the new one with relevance auto too."""
    with tempfile.TemporaryDirectory() as tmp:
        ids = write_folder(Path(tmp), suite)
        data = load_image_set(Path(tmp))
    kind = dict(zip(ids, suite.kinds, strict=True))
    params = CurateParams(seed=seed, relevance="off")
    scores = score_images(data, params)
    out: dict[str, Any] = {
        "kinds": [kind[i] for i in data.ids],
        "pictures": [dict(zip(ids, suite.images, strict=True))[i] for i in data.ids],
        "today": rank_images(data, params, {}, scores, previous_signals),
        "new": rank_images(data, params, {}, scores),
    }
    if queries is not None:
        online = replace(params, relevance="auto")
        out["relevance"] = rank_images(data, online, queries, scores)
    return out


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


def evaluate(ranking: Ranking, kinds: list[str]) -> dict[str, Any]:
    """Every figure of one ranking of one folder."""
    bad = np.array([is_bad(k) for k in kinds])
    order = -ranking.rank.astype(float)
    top = ranking.rank <= round(CUT * len(kinds))
    named = np.array(kinds)
    styles = np.char.startswith(named.astype(str), "style:")
    sizes = np.bincount(ranking.labels)[ranking.labels]
    out: dict[str, Any] = {
        "images": len(kinds),
        "bad": int(bad.sum()),
        "base_rate": float(bad.mean()),
        **figures(order, bad),
        "recall_by_kind": {
            k: float(top[named == k].mean()) for k in sorted(set(kinds)) if k != "clean"
        },
        "signal_ap": {s.name: float(average_precision_score(bad, s.z)) for s in ranking.signals},
    }
    if styles.any():
        out["styles_flagged"] = float(top[styles].mean())
    small = sizes <= SMALL
    if small.any() and not small.all():
        out["small"] = {"images": int(small.sum()), "bad": int(bad[small].sum())}
        out["small"] |= figures(order[small], bad[small])
    return out


def mean_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Figures averaged over the seeds' folders (nested dicts alike; a kind missing from a
    folder is left out of that folder's mean), rounded."""
    keys = dict.fromkeys(k for r in runs for k in r)
    out: dict[str, Any] = {}
    for key in keys:
        values = [r[key] for r in runs if key in r]
        if isinstance(values[0], dict):
            out[key] = mean_of(values)
        else:
            out[key] = round(float(np.nanmean(values)), 4)
    return out


def suite_figures(name: str, suites: list[tuple[int, Suite]], sheets: Path | None) -> dict:
    """Both rankings of each seed's folder, printed, and their means; sheets of the first."""
    runs: dict[str, list[dict[str, Any]]] = {o: [] for o in ORDERS}
    for n, (seed, suite) in enumerate(suites):
        ranked = rank_both(suite, seed)
        for o in ORDERS:
            runs[o].append(evaluate(ranked[o], ranked["kinds"]))
        print(f"{name} seed {seed}: {json.dumps({o: runs[o][-1] for o in ORDERS})}", flush=True)
        if sheets and n == 0:
            for o in ORDERS if name == "web" else ("new",):
                contact_sheet(ranked[o], ranked, sheets / f"{name}-{o}.png")
    return {
        o: mean_of(runs[o]) | {"lift_min": round(min(r["lift"] for r in runs[o]), 3)}
        for o in ORDERS
    } | {"seeds": [seed for seed, _ in suites]}


def contact_sheet(ranking: Ranking, ranked: dict, path: Path) -> None:
    """The top 10% with rank, suspicion, kind (red: bad, green: clean, blue: another style)
    and the reason, 8 to a row."""
    path.parent.mkdir(parents=True, exist_ok=True)
    shown = np.argsort(ranking.rank)[: round(CUT * len(ranking.rank))]
    cell = (170, 110)
    sheet = Image.new("RGB", (8 * cell[0], -(-len(shown) // 8) * cell[1]), "white")
    draw = ImageDraw.Draw(sheet)
    for n, i in enumerate(shown):
        kind = ranked["kinds"][i]
        x, y = n % 8 * cell[0], n // 8 * cell[1]
        sheet.paste(Image.fromarray(ranked["pictures"][i]), (x + 53, y + 2))
        colour = "red" if is_bad(kind) else "blue" if kind != "clean" else "green"
        draw.rectangle([x + 52, y + 1, x + 117, y + 66], outline=colour, width=2)
        head = f"{ranking.rank[i]} {ranking.suspicion[i]:.2f} {kind}"
        draw.text((x + 2, y + 68), head, fill=colour)
        draw.text((x + 2, y + 81), ranking.combined.reason[i][:30], fill="black")
        draw.text((x + 2, y + 94), ranking.combined.reason[i][30:60], fill="black")
    sheet.save(path)


def timed_stage(suite: Suite, count: int, seed: int) -> dict[str, Any]:
    """The curate stage itself on ``count`` images of ``suite``: wall and CPU seconds."""
    chosen = np.random.default_rng(seed).permutation(len(suite.images))[:count]
    part = Suite(
        [suite.images[i] for i in chosen],
        [suite.labels[i] for i in chosen],
        [suite.kinds[i] for i in chosen],
    )
    with tempfile.TemporaryDirectory() as tmp:
        stage, out = Path(tmp) / "resized", Path(tmp) / "curated"
        write_folder(stage, part)
        wall, cpu = time.perf_counter(), time.process_time()
        paths = InOutMetrics(stage, out, Path(tmp) / "m.json")
        run_curate(paths, params=CurateParams(seed=seed, relevance="off"), queries={})
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"images": len(chosen), "side": SIDE, "wall_s": round(wall, 1), "cpu_s": round(cpu, 1)}


def relevance_figures(seed: int) -> dict[str, Any]:
    """The first web folder with relevance auto: its figures, or why there are none."""
    suite = build_web_suite(seed)
    queries = {label: f"{label} logo" for label in sorted(set(suite.labels))}
    ranked = rank_both(suite, seed, queries)
    judged = ranked["relevance"]
    if judged.relevance.status != "ok":
        return {"status": judged.relevance.status, "reason": judged.relevance.reason}
    kinds = ranked["kinds"]
    return {"status": "ok", "new": evaluate(ranked["new"], kinds)} | {
        "with_relevance": evaluate(judged, kinds)
    }


def cpu() -> dict[str, Any]:
    """lscpu's model name, family and model (the name alone may say only "AMD EPYC")."""
    text = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    fields = {k: v.strip() for k, v in (ln.split(":", 1) for ln in text.splitlines() if ":" in ln)}
    return {
        "name": fields.get("Model name", platform.processor()),
        "family_model": f"{fields.get('CPU family', '?')}/{fields.get('Model', '?')}",
        "avx512": "avx512f" in text,
        "cores": len(os.sched_getaffinity(0)),
    }


def headline(name: str, result: dict[str, Any]) -> str:
    """One line: today against new at the top 10%."""
    parts = []
    for o in ORDERS:
        r = result[o]
        styles = f", styles flagged {r['styles_flagged']:.3f}" if "styles_flagged" in r else ""
        parts.append(
            f"{o} lift {r['lift']:.2f}x (lowest {r['lift_min']:.2f}x), recall {r['recall']:.3f}, "
            f"AP {r['ap']:.3f}{styles}"
        )
    return f"{name}: " + "; ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--web-seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2], help="search folders")
    parser.add_argument("--injected-seed", type=int, default=0)
    parser.add_argument("--time-images", type=int, default=2000, help="0: no timing run")
    parser.add_argument("--no-relevance", action="store_true", help="skip the relevance run")
    parser.add_argument("--sheets", type=Path, help="folder for the top-10%% contact sheets")
    add_flag(parser)
    args = parser.parse_args()
    choose(args.data)
    result: dict[str, Any] = {
        "web": suite_figures("web", [(s, build_web_suite(s)) for s in args.web_seeds], args.sheets),
        "search": suite_figures("search", [(s, build_suite(s)) for s in args.seeds], args.sheets),
    }
    injected = injected_folder(args.injected_seed)
    result["injected"] = suite_figures("injected", [(args.injected_seed, injected)], None)
    for name in ("web", "search", "injected"):
        print(headline(name, result[name]), flush=True)
    if args.time_images:
        result["curate_time"] = timed_stage(injected, args.time_images, args.injected_seed)
        print(f"curate stage: {json.dumps(result['curate_time'])}", flush=True)
    if not args.no_relevance:
        result["relevance"] = relevance_figures(args.web_seeds[0])
        if result["relevance"]["status"] != "ok":
            print(result["relevance"]["reason"], flush=True)  # "relevance unavailable ..."
    result["cpu"] = cpu()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
