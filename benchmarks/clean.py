"""Benchmark the cleaning chain on ~2,000 mixed web-like images, generated in the run.

Prints filter+reduce+resize images/s with 1 and 2 workers, the raw decode -> PNG-encode rate
of the same files on 2 workers (the floor any PNG-writing chain pays), and augment images/s at
64x64. Times are the best of ``--repeats`` interleaved runs; ``machine_speedup_2_workers`` says
what 2 workers give on pure CPU work at that moment (a shared box shows up there). The last
line is one JSON object. Usage: ``python benchmarks/clean.py [--images N] [--repeats N]``.
"""

from __future__ import annotations

import argparse
import io
import json
import tempfile
import time
from functools import partial
from pathlib import Path

import numpy as np
from PIL import Image

from ganpipe.clean.parallel import pmap
from ganpipe.clean.rows import PNG_LEVEL
from ganpipe.manifest import Row, content_id, image_relpath, sha256_bytes, write_manifest
from ganpipe.params import AugmentParams, FilterParams, ReduceParams, ResizeParams
from ganpipe.stagekit import InOut
from ganpipe.stages.augment import run_augment
from ganpipe.stages.filter import FilterPaths, run_filter
from ganpipe.stages.reduce import run_reduce
from ganpipe.stages.resize import run_resize

CLASSES = ("alpha", "beta", "gamma", "delta")
CHAINS = ["fliph", "rot_-15:15", "noise_0.02 blur_0.5:1.0"]


def make_image(index: int) -> tuple[bytes, str]:
    """Image ``index``: a JPEG photo 200-1000 px (2 in 3) or an RGBA logo PNG with alpha."""
    rng = np.random.default_rng(index)
    width, height = (int(v) for v in rng.integers(200, 1001, 2))
    coarse = rng.integers(0, 256, (8, 8, 3), dtype=np.uint8)
    picture = Image.fromarray(coarse).resize((width, height), Image.Resampling.BICUBIC)
    buffer = io.BytesIO()
    if index % 3:
        picture.save(buffer, "JPEG", quality=90)
        return buffer.getvalue(), "jpg"
    alpha = np.zeros((height, width), dtype=np.uint8)
    alpha[height // 5 : -height // 5, width // 5 : -width // 5] = 255
    picture.putalpha(Image.fromarray(alpha))
    picture.save(buffer, "PNG", compress_level=6)
    return buffer.getvalue(), "png"


def generate(raw: Path, count: int) -> None:
    """Write ``count`` images and a raw manifest (in parallel: generating is not measured)."""
    rows = []
    for index, (data, ext) in enumerate(pmap(make_image, range(count), 0, "generate")):
        label = CLASSES[index % len(CLASSES)]
        image_id = content_id(data)
        rel = image_relpath(label, image_id, ext)
        (raw / rel).parent.mkdir(parents=True, exist_ok=True)
        (raw / rel).write_bytes(data)
        rows.append(
            Row(
                image_id,
                label,
                rel,
                sha256_bytes(data),
                width=0,
                height=0,
                mode="",
                origin=f"bench://{index}",
            )
        )
    write_manifest(raw, rows)


def chain(root: Path, workers: int) -> float:
    """Seconds for filter + reduce + resize (64 px letterbox) over ``root/raw``."""
    start = time.perf_counter()
    paths = FilterPaths(root / "raw", root / "filtered", root / "filter.json", root / "reject.txt")
    run_filter(paths, params=FilterParams(workers=workers))
    run_reduce(InOut(root / "filtered", root / "rgb"), params=ReduceParams(workers=workers))
    run_resize(
        InOut(root / "rgb", root / "resized"),
        params=ResizeParams(image_size=64, workers=workers),
        background="#ffffff",
    )
    return time.perf_counter() - start


def _decode_encode(path: Path, out_dir: Path) -> None:
    image = Image.open(path)
    image.load()
    image.save(out_dir / f"{path.stem}.png", format="PNG", compress_level=PNG_LEVEL)


def raw_rate(root: Path, workers: int) -> float:
    """Seconds to decode every raw file and write it as PNG, nothing else."""
    paths = sorted((root / "raw" / "images").rglob("*.*"))
    out = root / "raw-png"
    out.mkdir(exist_ok=True)
    start = time.perf_counter()
    pmap(partial(_decode_encode, out_dir=out), paths, workers, "raw")
    return time.perf_counter() - start


def augment(root: Path, workers: int) -> tuple[int, float]:
    """(augmented copies written, seconds) for ``CHAINS`` over the 64 px images."""
    run_augment(
        InOut(root / "resized", root / "warm"),
        params=AugmentParams(chains=CHAINS[:1], workers=1),
        background="#ffffff",
    )  # imports albumentations once, as a long-lived process would have
    params = AugmentParams(chains=CHAINS, copies=1, workers=workers)
    start = time.perf_counter()
    rows = run_augment(
        InOut(root / "resized", root / "augmented"), params=params, background="#ffffff"
    )
    seconds = time.perf_counter() - start
    inputs = sum(1 for _ in (root / "resized" / "images").rglob("*.png"))
    return len(rows) - inputs, seconds


def _spin(_: int) -> int:
    return sum(i * i for i in range(200_000))


def machine_speedup() -> float:
    """What 2 workers give on pure CPU work right now (other load on the box shows up here)."""
    times = []
    for workers in (1, 2):
        start = time.perf_counter()
        pmap(_spin, range(64), workers, "calibrate")
        times.append(time.perf_counter() - start)
    return times[0] / times[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=1, help="best of N, interleaved")
    args = parser.parse_args()
    n = args.images
    with tempfile.TemporaryDirectory(prefix="ganpipe-bench-") as tmp:
        root = Path(tmp)
        generate(root / "raw", n)
        (root / "reject.txt").write_text("")
        runs: dict[str, list[float]] = {"one": [], "two": [], "raw": []}
        for _ in range(args.repeats):  # interleaved, so a burst of other load hits all three
            runs["one"].append(chain(root, 1))
            runs["two"].append(chain(root, 2))
            runs["raw"].append(raw_rate(root, 2))
        one, two, raw = (min(runs[k]) for k in ("one", "two", "raw"))
        copies, aug_seconds = augment(root, 2)
        calibration = machine_speedup()
    result = {
        "images": n,
        "chain_1_worker_images_per_s": round(n / one, 1),
        "chain_2_workers_images_per_s": round(n / two, 1),
        "raw_decode_png_2_workers_images_per_s": round(n / raw, 1),
        "machine_speedup_2_workers": round(calibration, 2),
        "speedup_2_workers": round(one / two, 2),
        "chain_vs_raw": round(raw / two, 2),
        "augment_images_per_s": round(copies / aug_seconds, 1),
    }
    print(
        f"filter+reduce+resize: {result['chain_1_worker_images_per_s']} img/s on 1 worker, "
        f"{result['chain_2_workers_images_per_s']} img/s on 2 workers "
        f"(x{result['speedup_2_workers']}; pure CPU work: x{calibration:.2f} here now)"
    )
    print(
        f"raw decode -> PNG encode, 2 workers: "
        f"{result['raw_decode_png_2_workers_images_per_s']} img/s "
        f"(chain at {result['chain_vs_raw']:.0%} of it)"
    )
    print(
        f"augment, 64x64, 2 workers: {result['augment_images_per_s']} copies/s "
        f"({copies} copies of {len(CHAINS)} chains)"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
