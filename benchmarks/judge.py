"""How good a judge the domain classifier is: held-out accuracy before and after issue 26.

Four sets, each split as the pipeline splits (``classifier.holdout`` by a hash of the image id):

- ``fmnist``: Fashion-MNIST's training split, 28 px grey (the default; the Debian package
  ``dataset-fashion-mnist``, or ganpipe's download cache);
- ``sign`` and ``emoji``: the 64 px colour stages benchmarks/quality.py builds from
  ../shared/data (``GANPIPE_SHARED_DATA`` elsewhere) into ~/.cache/ganpipe;
- ``messy``: a logo-like set, graphics mixed with photos: 8 emoji categories as classes, half
  of each class the flat emoji on white, half the emoji pasted small, anywhere, onto a hand
  photo from sign-language-digits, colour-shifted (a logo on a car, in a shop window ...).

"Before" is the classifier as the stage trained it until now (``train_classifier``: the small
net, 2 px shifts, ``classifier.epochs`` passes of the set's params file: 2 for the default, 5
in the colour presets); "after" is the stage's judge now (``judge.fit_judge``) with the same
section and the new keys' defaults. Each
line gives held-out accuracy, training seconds and (after) the passes run and chosen. The last
line is JSON with every figure and the CPU.

    python benchmarks/judge.py [--suite fmnist sign emoji messy] [--threads N] [--set width=32]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
import yaml
from PIL import Image
from quality import COLOUR_DATA, SHARED, colour_suite
from train import cpu_name

from ganpipe.clean.decode import load, open_image, to_mode
from ganpipe.data import ImageSet, load_image_set, split_holdout
from ganpipe.metrics.classifier import accuracy, train_classifier
from ganpipe.metrics.judge import fit_judge
from ganpipe.metrics.runner import weak_judge_warning
from ganpipe.params import ClassifierParams, EvaluateParams, build
from ganpipe.scrape.datasets import load_arrays

HOLDOUT = 0.1
ROOT = Path(__file__).resolve().parents[1]
# each set's classifier section: the default's, the colour presets' (sign and emoji: isic at
# 64 px; the messy set: car-logos)
SECTION = {
    "fmnist": ROOT / "params.yaml",
    "sign": ROOT / "presets/isic.yaml",
    "emoji": ROOT / "presets/isic.yaml",
    "messy": ROOT / "presets/car-logos.yaml",
}
MESSY_CLASSES, MESSY_PER_CLASS, SIZE = 8, 280, 64


def fmnist() -> ImageSet:
    images, labels = load_arrays("fashion-mnist", "train")
    ids = [f"fmnist-{i}" for i in range(len(labels))]
    classes = [str(c) for c in range(10)]
    pixels = torch.from_numpy(images[:, None].copy())
    return ImageSet(pixels, torch.from_numpy(labels), classes, ids)


def _rgb(path: Path, background: tuple[int, int, int]) -> Image.Image:
    return to_mode(load(open_image(path.read_bytes())), "RGB", background)


def _pasted(emoji: Image.Image, photo: Image.Image, rng: np.random.Generator) -> Image.Image:
    """The emoji, at 30-60% of the side, pasted anywhere on the photo, colour-shifted."""
    side = int(SIZE * rng.uniform(0.3, 0.6))
    small = emoji.resize((side, side), Image.Resampling.LANCZOS)
    canvas = photo.resize((SIZE, SIZE), Image.Resampling.LANCZOS)
    x, y = (int(v) for v in rng.integers(0, SIZE - side, 2))
    canvas.paste(small, (x, y))
    shift = rng.uniform(0.8, 1.2, 3)
    return Image.fromarray((np.asarray(canvas) * shift).clip(0, 255).astype(np.uint8))


def messy() -> ImageSet:
    """Graphics and photos mixed, in the proportions and sizes of scraped logos."""
    rng = np.random.default_rng(0)
    emoji_root = SHARED / "noto-emoji" / "images"
    photos = sorted((SHARED / "sign-language-digits" / "Dataset").glob("*/*.JPG"))
    classes = sorted(p.name for p in emoji_root.iterdir() if p.is_dir())[:MESSY_CLASSES]
    images, labels, ids = [], [], []
    for k, name in enumerate(classes):
        files = sorted((emoji_root / name).glob("*.png"))[:MESSY_PER_CLASS]
        for i, path in enumerate(files):
            emoji = _rgb(path, (255, 255, 255))
            if i % 2:
                image = _pasted(emoji, _rgb(photos[rng.integers(len(photos))], (0, 0, 0)), rng)
            else:
                image = emoji.resize((SIZE, SIZE), Image.Resampling.LANCZOS)
            images.append(np.asarray(image).transpose(2, 0, 1))
            labels.append(k)
            ids.append(f"{name}/{path.name}")
    return ImageSet(torch.from_numpy(np.stack(images)), torch.tensor(labels), classes, ids)


def suite_data(name: str) -> ImageSet:
    if name == "fmnist":
        return fmnist()
    if name == "messy":
        return messy()
    return load_image_set(colour_suite(COLOUR_DATA[name]).stage)


def measure(name: str, overrides: dict[str, Any]) -> dict[str, float]:
    """Held-out accuracy and seconds of the classifier before and after, on one set."""
    train, heldout = split_holdout(suite_data(name), HOLDOUT)
    raw = yaml.safe_load(SECTION[name].read_text())
    section = {**(raw.get("classifier") or {}), **overrides}
    after_p = build(ClassifierParams, section, f"{SECTION[name].name}: classifier")
    start = time.perf_counter()
    before = accuracy(train_classifier(train, after_p), heldout)  # the stage's training until now
    before_s = time.perf_counter() - start
    start = time.perf_counter()
    fit = fit_judge(train, after_p)
    after_s = time.perf_counter() - start
    after = accuracy(fit.model, heldout)
    out = {
        "classes": len(train.classes),
        "n_train": len(train.labels),
        "n_heldout": len(heldout.labels),
        "before_accuracy": round(before, 4),
        "before_s": round(before_s, 1),
        "after_accuracy": round(after, 4),
        "after_s": round(after_s, 1),
        **fit.record(),
    }
    print(f"[judge] {name}: {out}", flush=True)
    return out


def warning_for(accuracy_value: float) -> str:
    """What evaluate prints for a judge of this held-out accuracy (the default threshold)."""

    class _Ctx:  # the two fields weak_judge_warning reads
        judge_accuracy = accuracy_value
        p = EvaluateParams()

    return weak_judge_warning(_Ctx())  # type: ignore[arg-type]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", nargs="*", default=["fmnist", "sign", "emoji", "messy"])
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: all cores)")
    parser.add_argument(
        "--set", nargs="*", default=[], help="classifier keys for 'after', e.g. width=32"
    )
    args = parser.parse_args()
    overrides = {k: yaml.safe_load(v) for k, v in (item.split("=", 1) for item in args.set)}
    if args.threads:
        torch.set_num_threads(args.threads)
    out: dict[str, object] = {"cpu": cpu_name(), "threads": torch.get_num_threads()}
    out["after_overrides"] = overrides
    for name in args.suite:
        out[name] = measure(name, overrides)
        for when in ("before", "after"):
            text = warning_for(out[name][f"{when}_accuracy"])  # type: ignore[index]
            print(f"[judge] {name} {when}: {text or 'judge strong enough, no warning'}")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
