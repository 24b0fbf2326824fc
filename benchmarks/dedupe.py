"""Benchmark near-duplicate detection: distinct simple images must not merge, true pairs must.

Fixtures (tests/unit/clean/dupecases.py, generated in the run): 23 distinct flat, two-tone,
gradient and logo-like images (every one of their 253 pairs must stay apart; target 0 merges)
and 96 true near-duplicate pairs (12 images x 8 edits: re-encode, resizes, 5% crop, light
brightness / saturation / contrast changes, a small watermark; target >= 95% caught).
Compared in the same run: today's perceptual hash (imagehash's pHash, which filter used, at the
old default of 4 bits and at 8), a difference hash, and the standardised-thumbnail distance
(ganpipe.clean.dedupe) at several distances, the default marked. The last line is one JSON
object. Usage: ``python benchmarks/dedupe.py``.
"""

from __future__ import annotations

import itertools
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import imagehash
import numpy as np
from PIL import Image

from ganpipe.clean.dedupe import distance, signature
from ganpipe.params import FilterParams

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests/unit/clean"))
import dupecases

Judge = Callable[[Image.Image, Image.Image], bool]


def hash_judge(fn: Callable[[Image.Image], imagehash.ImageHash], bits: int) -> Judge:
    return lambda a, b: fn(a) - fn(b) <= bits


def thumbnail_judge(within: float) -> Judge:
    return lambda a, b: distance(signature(np.asarray(a)), signature(np.asarray(b))) <= within


def measure(judge: Judge, distinct: dict[str, Image.Image], pairs: list) -> dict:
    start = time.perf_counter()
    merged = [
        f"{a}+{b}"
        for a, b in itertools.combinations(distinct, 2)
        if judge(distinct[a], distinct[b])
    ]
    missed = [name for name, a, b in pairs if not judge(a, b)]
    seconds = time.perf_counter() - start
    return {
        "merges": len(merged),
        "caught": len(pairs) - len(missed),
        "caught_share": round((len(pairs) - len(missed)) / len(pairs), 4),
        "ms_per_comparison": round(
            1000 * seconds / (len(pairs) + len(distinct) * (len(distinct) - 1) // 2), 3
        ),
        "merged_examples": merged[:4],
        "missed_examples": missed[:4],
    }


def main() -> None:
    distinct, pairs = dupecases.distinct(), dupecases.pairs()
    default = FilterParams().near_duplicate_distance
    methods: dict[str, Judge] = {
        "phash<=4 (before)": hash_judge(imagehash.phash, 4),
        "phash<=8": hash_judge(imagehash.phash, 8),
        "dhash<=10": hash_judge(imagehash.dhash, 10),
        **{
            f"thumbnail<={d:g}{' (after, default)' if d == default else ''}": thumbnail_judge(d)
            for d in sorted({0.1, 0.15, default, 0.25, 0.3})
        },
    }
    results = {name: measure(judge, distinct, pairs) for name, judge in methods.items()}
    print(
        f"{len(distinct)} distinct images ({len(distinct) * (len(distinct) - 1) // 2} pairs), "
        f"{len(pairs)} true near-duplicate pairs"
    )
    for name, r in results.items():
        share = f"{r['caught']:3d}/{len(pairs)} ({r['caught_share']:.1%})"
        examples = f"missed {r['missed_examples'][:2]}, merged {r['merged_examples'][:2]}"
        print(f"{name:32s} merges {r['merges']:3d}   caught {share}   {examples}")
    before = results["phash<=4 (before)"]
    after = next(r for name, r in results.items() if "default" in name)
    print(
        json.dumps(
            {
                "distinct_images": len(distinct),
                "true_pairs": len(pairs),
                "before": {k: before[k] for k in ("merges", "caught", "caught_share")},
                "after": {k: after[k] for k in ("merges", "caught", "caught_share")},
                "after_distance": default,
                "methods": {
                    name: {k: r[k] for k in ("merges", "caught")} for name, r in results.items()
                },
            }
        )
    )


if __name__ == "__main__":
    main()
