"""Benchmark near-duplicate detection: distinct simple images must not merge, true pairs must.

Fixtures (tests/unit/clean/dupecases.py, generated in the run): 23 distinct flat, two-tone,
gradient and logo-like images (none of their 253 pairs may merge; target 0) and 96 true
near-duplicate pairs (12 images x 8 edits: re-encode, resizes, 5% crop, light brightness /
saturation / contrast changes, a small watermark; target >= 95% caught), plus 81 crops (3%, 5%,
8% of 27 images, as quality-80 JPEGs), the edit that moves every edge of a flat logo. On
real photos: how many same-class pairs of the 2,062 distinct sign-language-digit photos (similar
hands on one background, ~212,000 pairs) a method would merge; fewer is better.
Compared in the same run: the perceptual hash filter used before (imagehash's pHash, at the old
default of 4 bits and at 8), a difference hash, and the standardised-thumbnail distance
(ganpipe.clean.dedupe) at several distances, the new default marked. The last line is one JSON
object. Usage: ``python benchmarks/dedupe.py`` (needs the ``bench`` extra: imagehash).
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import imagehash
import numpy as np
from PIL import Image
from shareddata import add_flag, choose, shared  # benchmarks/ is on a script's path

from ganpipe.clean.dedupe import distance, signature
from ganpipe.params import FilterParams

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests/unit/clean"))
import dupecases  # the unit tests' fixtures: one definition of both sets


@dataclass(frozen=True)
class Method:
    """Per image a feature, and whether two features are near-duplicates."""

    name: str
    feature: Callable[[Image.Image], Any]
    close: Callable[[Any, Any], bool]


def hashing(name: str, fn: Callable[[Image.Image], imagehash.ImageHash], bits: int) -> Method:
    return Method(name, fn, lambda a, b: a - b <= bits)


def thumbnail(name: str, within: float) -> Method:
    return Method(name, lambda im: signature(np.asarray(im)), lambda a, b: distance(a, b) <= within)


def caught(method: Method, pairs: list) -> list[str]:
    """Names of the pairs ``method`` does not find."""
    return [n for n, a, b in pairs if not method.close(method.feature(a), method.feature(b))]


def measure(method: Method, distinct: dict, pairs: list, crops: list, photos: list) -> dict:
    """Merges among distinct images, caught true pairs, merged pairs of distinct photos."""
    flat = {name: method.feature(image) for name, image in distinct.items()}
    merged = [
        f"{a}+{b}" for a, b in itertools.combinations(flat, 2) if method.close(flat[a], flat[b])
    ]
    missed = caught(method, pairs)
    photo_merges = 0
    for members in photos:
        features = [method.feature(image) for image in members]
        photo_merges += sum(
            bool(method.close(a, b)) for a, b in itertools.combinations(features, 2)
        )
    return {
        "merges": len(merged),
        "caught": len(pairs) - len(missed),
        "caught_share": round((len(pairs) - len(missed)) / len(pairs), 4),
        "crops_caught": len(crops) - len(caught(method, crops)),
        "photo_pairs_merged": photo_merges,
        "merged_examples": merged[:2],
        "missed_examples": missed[:2],
    }


def load_photos(root: Path) -> list[list[Image.Image]]:
    """Sign-language digits per class at their 100 px."""
    return [
        [Image.open(path).convert("RGB") for path in sorted(folder.glob("*.JPG"))]
        for folder in sorted(p for p in root.iterdir() if p.is_dir())
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    add_flag(parser)
    choose(parser.parse_args().data)
    photos = load_photos(shared("sign-language-digits", "Dataset"))
    distinct, pairs = dupecases.distinct(), dupecases.pairs()
    crops = dupecases.crops()
    default = FilterParams().near_duplicate_distance
    methods = [
        hashing("phash<=4 (before)", imagehash.phash, 4),
        hashing("phash<=8", imagehash.phash, 8),
        hashing("dhash<=10", imagehash.dhash, 10),
        *(
            thumbnail(f"thumbnail<={d:g}{' (after)' if d == default else ''}", d)
            for d in sorted({0.08, 0.1, default, 0.15, 0.2})
        ),
    ]
    results = {m.name: measure(m, distinct, pairs, crops, photos) for m in methods}
    n_photo_pairs = sum(len(m) * (len(m) - 1) // 2 for m in photos)
    print(
        f"{len(distinct)} distinct images ({len(distinct) * (len(distinct) - 1) // 2} pairs), "
        f"{len(pairs)} true near-duplicate pairs, {n_photo_pairs} same-class pairs of "
        f"{sum(map(len, photos))} distinct photos"
    )
    for name, r in results.items():
        share = f"{r['caught']:3d}/{len(pairs)} ({r['caught_share']:.1%})"
        print(
            f"{name:26s} merges {r['merges']:3d}   caught {share}   crops {r['crops_caught']}/"
            f"{len(crops)}   photo pairs merged "
            f"{r['photo_pairs_merged']:4d}   missed {r['missed_examples']} merged "
            f"{r['merged_examples']}"
        )
    keys = ("merges", "caught", "caught_share", "crops_caught", "photo_pairs_merged")
    before = results["phash<=4 (before)"]
    after = next(r for name, r in results.items() if "(after)" in name)
    summary = {
        "distinct_images": len(distinct),
        "true_pairs": len(pairs),
        "crops": len(crops),
        "photo_pairs": n_photo_pairs,
        "before": {k: before[k] for k in keys},
        "after": {k: after[k] for k in keys},
        "after_distance": default,
        "methods": {name: {k: r[k] for k in keys} for name, r in results.items()},
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
