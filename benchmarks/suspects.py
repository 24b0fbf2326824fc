"""Benchmark suspect ranking on real photos with known, injected errors.

Sign-language digits (2,062 hand photos, 10 classes) at 64 px, plus, reproducibly from
``--seed``: 5% of the images relabelled to another class, and 5% more images that are not hands
(Fashion-MNIST items, upscaled to RGB) under random labels. The curate stage ranks the whole set;
the top 10% by suspicion is compared with the injected set (precision, recall; target recall
>= 0.8). Wall time is the stage end to end (load, cross-validation, cleanlab, outputs; target
<= 180 s on 2 cores), with process CPU time beside it: on a shared machine the wall time
includes waiting for the CPU. A baseline in the same run: the ranking by label quality alone.
The last line is one JSON object.
Usage: ``python benchmarks/suspects.py [--seed N] [--image-size 32]``.
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from ganpipe.manifest import encode_png, write_image, write_manifest
from ganpipe.params import CurateParams
from ganpipe.scrape.datasets import read_idx
from ganpipe.stages.curate import SUSPECTS, run_curate

DIGITS = Path("/work/shared/data/sign-language-digits/Dataset")
FASHION = Path("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")
SIDE = 64
SHARE = 0.05  # of the real images: this many relabelled, and this many off-topic added


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


def build(stage: Path, seed: int) -> set[str]:
    """A resized-stage folder with the injected errors; returns the injected images' ids."""
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
    rows, injected = [], set()
    for i, image in enumerate(images + extra):
        row = write_image(
            stage, str(given[i]), encode_png(image), "png", f"bench:{i}", (SIDE, SIDE), "RGB"
        )
        rows.append(row)
        if i in flipped or i >= n:
            injected.add(row.id)
    write_manifest(stage, rows)
    return injected


def at_cut(order: list[str], injected: set[str], share: float) -> dict[str, float]:
    top = order[: round(share * len(order))]
    hits = sum(i in injected for i in top)
    return {"precision": hits / len(top), "recall": hits / len(injected)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--image-size", type=int, default=CurateParams().image_size, help="the classifier's side"
    )
    args = parser.parse_args()
    cpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    model = next(
        (line.split(":", 1)[1].strip() for line in cpu.splitlines() if "Model name" in line),
        platform.processor(),
    )
    with tempfile.TemporaryDirectory() as tmp:
        stage, out = Path(tmp) / "resized", Path(tmp) / "curated"
        injected = build(stage, args.seed)
        params = CurateParams(seed=args.seed, image_size=args.image_size, relevance="off")
        wall, cpu_start = time.perf_counter(), time.process_time()
        run_curate(stage, out, Path(tmp) / "curate.json", params, {})
        wall, cpu_s = time.perf_counter() - wall, time.process_time() - cpu_start
        with (out / SUSPECTS).open() as f:
            table = list(csv.DictReader(f))
        metrics = json.loads((Path(tmp) / "curate.json").read_text())
    order = [r["id"] for r in table]
    by_quality = [
        r["id"] for r in sorted(table, key=lambda r: (float(r["label_quality"]), r["id"]))
    ]
    result = {
        "images": len(table),
        "injected": len(injected),
        **at_cut(order, injected, 0.10),
        "label_quality_only": at_cut(by_quality, injected, 0.10),
        "out_of_fold_accuracy": metrics["out_of_fold_accuracy"],
        "wall_s": round(wall, 1),
        "cpu_s": round(cpu_s, 1),
        "cpu": model,
        "cores": len(__import__("os").sched_getaffinity(0)),
        "seed": args.seed,
        "classifier_side": args.image_size,
    }
    print(
        f"top 10% of {result['images']}: precision {result['precision']:.3f}, "
        f"recall {result['recall']:.3f} "
        f"(label quality alone: {result['label_quality_only']['recall']:.3f}); "
        f"{result['wall_s']} s wall, {result['cpu_s']} s CPU on {model}"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
