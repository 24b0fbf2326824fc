"""Quality per CPU-minute: contenders trained for the same wall-clock budget, scored offline.

Three suites, each in one run so that its contenders share the machine's state:

- ``fmnist`` (28 px grey): the default (params.yaml), the previous default (its projection head
  without the class term, nearest upsampling), the default of commit f306e13
  (benchmarks/params/default-f306e13.yaml) and ``arch: seed-emnist``. It reads the pipeline's
  ``data/augmented``, ``data/resized`` and ``models/classifier.pt`` (run ``dvc repro`` first).
- ``sign`` (sign-language-digits, 64 px RGB hand photos) and ``emoji`` (noto-emoji, 64 px RGBA
  flat graphics reduced onto white, like scraped logos), both from ../shared/data: the
  small-colour default (presets/isic.yaml's ``train``) against the isic preset before issue 25
  (benchmarks/params/isic-before.yaml) and the best settings available at f306e13
  (benchmarks/params/colour-f306e13.yaml); ``isic-ada`` and ``isic-none`` swap the default's
  augmentation for ADA or none. Each suite's stage and domain classifier are built once, into
  ~/.cache/ganpipe.

Each contender trains for ``--minutes`` of wall-clock time (``train.max_minutes``); its EMA
generator is then scored as the evaluate stage scores: domain Fréchet distance, conditional
accuracy against the classifier's own held-out real accuracy, and the stripe statistic against
the real images', and (colour suites) the spread of per-image mean colour within each class
against the real images' (metrics/colour.py). ``--grids DIR`` also writes each contender's
first 10 images per class as DIR/SUITE-CONTENDER.png, to look at. The last line is JSON with
every figure and the issues' ratios.
``--parallel 2 --threads 1`` trains two contenders at a time, one core each: every contender
then gets exactly ``--minutes`` CPU-minutes, and a suite takes half the wall-clock time.
Usage: ``python benchmarks/quality.py [--minutes 10] [--suite fmnist|sign|emoji|colour|all]
[--parallel N] [--only NAME ...] [--grids DIR]``.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import dataclasses
import functools
import io
import json
import multiprocessing
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shareddata
import torch
import yaml
from PIL import Image
from tqdm import tqdm
from train import cpu_name

from ganpipe.clean.decode import load, open_image, to_mode
from ganpipe.data import ImageSet, load_image_set, split_holdout
from ganpipe.generate import generate_images, grid_image
from ganpipe.manifest import write_image, write_manifest
from ganpipe.metrics.classifier import (
    DomainClassifier,
    load_classifier,
    save_classifier,
    train_classifier,
)
from ganpipe.metrics.registry import (
    EvalContext,
    colour_spread,
    conditional_accuracy,
    domain_fd,
    domain_prdc,
    downstream,
    intra_class_diversity,
    stripes,
)
from ganpipe.params import ClassifierParams, EvaluateParams, TrainParams, build, load_all
from ganpipe.sample import load_generator
from ganpipe.train.loop import training_loop
from ganpipe.train.run import TrainPaths

ROOT = Path(__file__).resolve().parents[1]
PARAMS = ROOT / "benchmarks" / "params"
SHARED = shareddata.root()  # ../shared/data beside the repository, or GANPIPE_SHARED_DATA
PER_CLASS = 500  # generated images per class, as the evaluate stage's default
COLOUR_SIZE = 64  # the colour suites' side (``--size`` for another)
COLOUR_CLASSIFIER = ClassifierParams(epochs=8, batch_size=64, lr=2e-3)  # ~1,850 training images


@dataclass(frozen=True)
class ColourData:
    """A colour suite's source: ``<root>/<class>/<file>`` images, composited onto
    ``background`` as the reduce stage does (the emoji are RGBA)."""

    root: Path
    pattern: str
    background: tuple[int, int, int]

    def cache(self, size: int) -> Path:
        return Path.home() / ".cache" / "ganpipe" / f"quality-{self.root.parent.name}-{size}px"


COLOUR_DATA = {
    "sign": ColourData(SHARED / "sign-language-digits" / "Dataset", "*/*.JPG", (0, 0, 0)),
    "emoji": ColourData(SHARED / "noto-emoji" / "images", "*/*.png", (255, 255, 255)),
}
COLOUR_TODAY = "isic-before"  # the isic preset before issue 25: the targets' reference
CP = ClassifierParams()
PREVIOUS_DEFAULT = {"d_head": "projection", "upsample": "nearest"}  # params.yaml until a761d25


@dataclass(frozen=True)
class Contender:
    """A named ``train`` section: a params file's, with ``overrides`` on top."""

    name: str
    params_file: Path
    overrides: dict[str, Any] = field(default_factory=dict)

    def train_params(self, minutes: float, threads: int = 0, clock: str = "wall") -> TrainParams:
        raw = yaml.safe_load(self.params_file.read_text()) or {}
        p = build(TrainParams, raw.get("train"), f"{self.params_file.name}: train")
        budget = {
            "total_kimg": 100_000.0,
            "max_minutes": minutes,
            "max_minutes_clock": clock,
            "tick_kimg": 1.0,  # the clock is read once a tick
            "snapshot_kimg": 100_000.0,  # scored once, at the end
            "threads": threads,
        }
        return dataclasses.replace(p, **{**self.overrides, **budget})


SUITES: dict[str, list[Contender]] = {
    "fmnist": [
        Contender("default", ROOT / "params.yaml"),
        # the default before P2GAN's class term and bilinear upsampling: the choice, measured
        Contender("projection-nearest", ROOT / "params.yaml", PREVIOUS_DEFAULT),
        # the default with bbdb077's step: a second G forward on fresh latents for G's update
        Contender("bbdb077-step", ROOT / "params.yaml", {"reuse_fakes": False}),
        Contender("default-f306e13", PARAMS / "default-f306e13.yaml"),
        Contender("seed-emnist", PARAMS / "default-f306e13.yaml", {"arch": "seed-emnist"}),
    ],
}
COLOUR_CONTENDERS = [
    Contender("isic", ROOT / "presets/isic.yaml"),
    Contender(COLOUR_TODAY, PARAMS / "isic-before.yaml"),
    Contender("colour-f306e13", PARAMS / "colour-f306e13.yaml"),
    # ada_kimg 100 (not the paper's 500): p can reach the target within ~100 kimg
    Contender(
        "isic-ada",
        ROOT / "presets/isic.yaml",
        {"ada_target": 0.6, "ada_kimg": 100.0, "diffaugment": ""},
    ),
    Contender("isic-none", ROOT / "presets/isic.yaml", {"ada_target": 0.0, "diffaugment": ""}),
]
SUITES["sign"] = SUITES["emoji"] = COLOUR_CONTENDERS


@dataclass(frozen=True)
class Budget:
    """What every contender gets: minutes on ``clock`` (wall, or the process's CPU time) on
    ``threads`` torch threads; ``grids``: where to write each contender's grid, if anywhere."""

    minutes: float
    threads: int
    clock: str
    grids: Path | None = None
    downstream: bool = False  # also the downstream classifiers' augmentation_gain (slow)
    keep: Path | None = None  # where to keep each contender's generator.pt, if anywhere
    size: int = COLOUR_SIZE  # the colour suites' side


@dataclass
class Suite:
    """What a suite's contenders train on and are scored against."""

    stage: Path
    classifier_path: Path
    classifier: DomainClassifier
    sha: str
    real: ImageSet  # held-out real split
    holdout: float
    real_train: ImageSet | None = None  # the training split, for the downstream classifiers


def fmnist_suite() -> Suite:
    """The pipeline's own Fashion-MNIST stage and classifier (``dvc repro`` makes them)."""
    params = load_all(ROOT / "params.yaml")
    classifier, classes, sha = load_classifier(ROOT / "models/classifier.pt")
    holdout = params["classifier"].holdout
    real = split_holdout(load_image_set(ROOT / "data/resized", classes), holdout)[1]
    real = real.subset(np.arange(len(real.labels)) < params["evaluate"].n_real)
    path = ROOT / "models/classifier.pt"
    return Suite(ROOT / "data/augmented", path, classifier, sha, real, holdout)


def colour_suite(data: ColourData, side: int = COLOUR_SIZE) -> Suite:
    """A ``side`` px RGB stage of ``data`` and a domain classifier trained on it, built once
    into ``data.cache(side)`` (the images are content-addressed; the classifier is seeded).
    Images are scaled to the side whole (the colour sets are square)."""
    stage, path = data.cache(side) / "stage", data.cache(side) / "classifier.pt"
    if not path.exists():
        rows, size = [], (side, side)
        for image_path in tqdm(sorted(data.root.glob(data.pattern)), desc=f"{data.root} stage"):
            image = to_mode(load(open_image(image_path.read_bytes())), "RGB", data.background)
            if image.size != size:
                image = image.resize(size, Image.Resampling.LANCZOS)
            buffer = io.BytesIO()
            image.save(buffer, format="PNG")
            label = image_path.parent.name
            rows.append(write_image(stage, label, buffer.getvalue(), "png", "", size, "RGB"))
        if not rows:
            raise SystemExit(f"no images under {data.root}/{data.pattern}")
        write_manifest(stage, rows)
        train = split_holdout(load_image_set(stage), COLOUR_CLASSIFIER.holdout)[0]
        save_classifier(train_classifier(train, COLOUR_CLASSIFIER), train.classes, path, {})
    classifier, classes, sha = load_classifier(path)
    train, real = split_holdout(load_image_set(stage, classes), COLOUR_CLASSIFIER.holdout)
    return Suite(stage, path, classifier, sha, real, COLOUR_CLASSIFIER.holdout, train)


def train_and_score(
    contender: Contender,
    suite: Suite,
    budget: Budget,
    grid: Path | None = None,
    keep: Path | None = None,
) -> dict[str, float]:
    """Train for the budget's minutes, then score the EMA generator (and write the first 10
    images of each class to ``grid``, and copy the generator to ``keep``)."""
    p = contender.train_params(budget.minutes, budget.threads, budget.clock)
    with tempfile.TemporaryDirectory(prefix=f"ganpipe-quality-{contender.name}-") as tmp:
        work = Path(tmp)
        paths = TrainPaths.in_folder(suite.stage, work, suite.classifier_path)
        result = training_loop(paths, p, holdout=suite.holdout)
        gen = load_generator(work / "models" / "generator.pt")
        if keep is not None:
            keep.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(work / "models" / "generator.pt", keep)
    classes = suite.real.classes
    y = torch.arange(len(classes)).repeat_interleave(PER_CLASS)
    z = torch.randn(len(y), gen.model.z_dim, generator=torch.Generator().manual_seed(0))
    fake = ImageSet(generate_images(gen.model, z, y), y, classes, [str(i) for i in range(len(y))])
    ctx = EvalContext(
        fake,
        suite.real,
        suite.classifier,
        suite.sha,
        EvaluateParams(),
        CP,
        real_train=suite.real_train,
    )
    if grid is not None:
        first = (torch.arange(len(y)) % PER_CLASS) < 10
        grid_image(fake.images[first], len(classes)).save(grid)
    acc = conditional_accuracy(ctx)
    lines = stripes(ctx)
    pr = domain_prdc(ctx)
    out = {
        "kimg": result["summary"]["kimg"],
        "fd": round(domain_fd(ctx)["domain_fd"], 3),
        "precision": round(pr["domain_precision"], 4),
        "recall": round(pr["domain_recall"], 4),
        "cond_acc": round(acc["conditional_accuracy"], 4),
        "real_acc": round(acc["classifier_real_accuracy"], 4),
        "stripes": round(lines["stripes/fake"], 4),
        "stripes_real": round(lines["stripes/real"], 4),
        "stripe_ratio_to_real": round(lines["stripe_ratio_to_real"], 4),
        **{k: round(v, 4) for k, v in colour_spread(ctx).items()},
        **similarity_ratios(ctx),
    }
    if budget.downstream:
        gain = downstream(ctx)
        out["augmentation_gain"] = round(gain["augmentation_gain"], 4)
        out["augmentation_gain_std"] = round(gain["augmentation_gain_std"], 4)
        out["cas"] = round(gain["cas"], 4)
    return out


def similarity_ratios(ctx: EvalContext) -> dict[str, float]:
    """Within-class MS-SSIM of the fakes over the real images' (above 1: the fakes are more
    alike than real images of their class), per class and the worst class."""
    sims = intra_class_diversity(ctx)
    ratios = {
        f"msssim_ratio/{name}": round(sims[f"similarity/{name}/fake"] / real, 4)
        for name in ctx.fake.classes
        if (real := sims.get(f"similarity/{name}/real"))
    }
    return {"msssim_ratio_max": max(ratios.values(), default=float("nan")), **ratios}


def targets(suite: str, scores: dict[str, dict[str, float]]) -> dict[str, Any]:
    """The issues' targets for the new default against the old: fmnist, FD at most half,
    conditional accuracy 95% of the real ceiling, stripes within 5% of real; colour (issue 25),
    FD at most half, colour spread within 15% of real with no class below 0.7, within-class
    MS-SSIM at most 1.25x the real images' in every class, and on signs recall >= 0.7 at
    precision >= 0.8 and a downstream gain >= 0. Empty when the run left out a contender."""
    new_name, old_name = (
        ("default", "default-f306e13") if suite == "fmnist" else ("isic", COLOUR_TODAY)
    )
    if new_name not in scores or old_name not in scores:
        return {}
    new, old = scores[new_name], scores[old_name]
    fd_ratio = new["fd"] / old["fd"]
    out: dict[str, Any] = {"fd_ratio": round(fd_ratio, 3), "fd_ratio_ok": fd_ratio <= 0.5}
    if suite == "fmnist":
        acc_ratio = new["cond_acc"] / new["real_acc"]
        out["cond_acc_ratio"] = round(acc_ratio, 3)
        out["cond_acc_ratio_ok"] = acc_ratio >= 0.95
        out["stripes_within_5pct"] = abs(new["stripe_ratio_to_real"] - 1) <= 0.05
        return out
    by_class = [v for k, v in new.items() if k.startswith("colour_spread_ratio/")]
    spread = new["colour_spread_ratio_to_real"]
    out["colour_spread_ok"] = spread >= 0.85 and min(by_class, default=0) >= 0.7
    out["msssim_ok"] = new["msssim_ratio_max"] <= 1.25
    if suite == "sign":
        out["recall_ok"] = new["recall"] >= 0.7 and new["precision"] >= 0.8
        if "augmentation_gain" in new:
            out["augmentation_gain_ok"] = new["augmentation_gain"] >= 0
    return out


@functools.cache
def load_suite(name: str, side: int = COLOUR_SIZE) -> Suite:
    """A suite, built once per process (a worker of ``--parallel`` builds its own)."""
    return fmnist_suite() if name == "fmnist" else colour_suite(COLOUR_DATA[name], side)


def run_contender(suite: str, contender: Contender, budget: Budget) -> dict[str, float]:
    """Train and score one contender and print its line (a ``--parallel`` worker's job)."""
    start = time.perf_counter()
    grid = budget.grids / f"{suite}-{contender.name}.png" if budget.grids else None
    keep = budget.keep / f"{suite}-{contender.name}.pt" if budget.keep else None
    scores = train_and_score(contender, load_suite(suite, budget.size), budget, grid, keep)
    print(
        f"[{suite}] {contender.name}: {budget.minutes:g} {budget.clock} min -> {scores}"
        f" ({time.perf_counter() - start:.0f} s incl. scoring)",
        flush=True,
    )
    return scores


def run_all(jobs: list[tuple[str, Contender]], args: argparse.Namespace) -> dict[str, dict]:
    """Scores per suite and contender, ``args.parallel`` contenders at a time (the suites
    share one pool, so no worker idles between them)."""
    for suite in dict.fromkeys(name for name, _ in jobs):
        load_suite(suite, args.size)  # builds the colour caches before any worker reads them
    if args.grids:
        args.grids.mkdir(parents=True, exist_ok=True)
    budget = Budget(
        args.minutes, args.threads, args.clock, args.grids, args.downstream, args.keep, args.size
    )
    run = functools.partial(run_contender, budget=budget)
    if args.parallel == 1:
        results = [run(s, c) for s, c in jobs]
    else:
        spawn = multiprocessing.get_context("spawn")
        with concurrent.futures.ProcessPoolExecutor(args.parallel, mp_context=spawn) as pool:
            futures = [pool.submit(run, s, c) for s, c in jobs]
            results = [future.result() for future in futures]
    scores: dict[str, dict] = {}
    for (suite, contender), result in zip(jobs, results, strict=True):
        scores.setdefault(suite, {})[contender.name] = result
    return scores


def parse_contender(text: str) -> Contender:
    """``NAME[@PARAMS_FILE]=KEY:VALUE,KEY:VALUE`` as a contender on the params file's train
    section (presets/isic.yaml by default; ``translation;cutout`` stands for the comma list
    ``translation,cutout``)."""
    head, _, pairs = text.partition("=")
    name, _, params_file = head.partition("@")
    overrides: dict[str, Any] = {}
    for pair in filter(None, pairs.split(",")):
        key, sep, value = pair.partition(":")
        if not sep:
            raise SystemExit(f"--try {text!r}: expected KEY:VALUE, got {pair!r}")
        overrides[key] = yaml.safe_load(value.replace(";", ",")) if value else ""
    return Contender(name, ROOT / (params_file or "presets/isic.yaml"), overrides)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="training budget per model")
    parser.add_argument(
        "--suite", choices=["fmnist", "sign", "emoji", "colour", "all"], default="all"
    )
    parser.add_argument("--only", nargs="*", default=None, help="contender names to run")
    parser.add_argument(
        "--threads",
        type=int,
        default=0,
        help="torch threads per contender (0: all cores); 1 on an oversubscribed machine, "
        "where two-thread steps stall on each other",
    )
    parser.add_argument(
        "--parallel", type=int, default=1, help="contenders trained at once (with --threads 1)"
    )
    parser.add_argument(
        "--clock",
        choices=["wall", "cpu"],
        default="wall",
        help="what --minutes counts (train.max_minutes_clock): cpu on a machine shared with "
        "other jobs, which then take none of a contender's budget",
    )
    parser.add_argument("--grids", type=Path, default=None, help="write each contender's grid")
    parser.add_argument(
        "--try",
        dest="extra",
        nargs="*",
        default=[],
        metavar="NAME=KEY:VALUE,...",
        help="extra colour contenders: presets/isic.yaml's train with these keys set "
        "(values read as YAML), e.g. nocolour=diffaugment:translation,upsample:bilinear",
    )
    parser.add_argument(
        "--downstream", action="store_true", help="also augmentation_gain (9 classifiers each)"
    )
    parser.add_argument("--keep", type=Path, default=None, help="keep each generator.pt here")
    parser.add_argument("--size", type=int, default=COLOUR_SIZE, help="colour suites' side")
    args = parser.parse_args()
    from ganpipe.train.precision import cpu_has_native_bf16

    out: dict[str, Any] = {
        "cpu": cpu_name(),
        "native_bf16": cpu_has_native_bf16(),
        "minutes": args.minutes,
        "size": args.size,
        "clock": args.clock,
        "threads": args.threads,
        "parallel": args.parallel,
        "load_average_start": round(os.getloadavg()[0], 2),
    }
    suites = {"all": ["fmnist", "sign", "emoji"], "colour": ["sign", "emoji"]}.get(
        args.suite, [args.suite]
    )
    extra = [parse_contender(text) for text in args.extra]
    jobs = [
        (s, c)
        for s in suites
        for c in SUITES[s] + (extra if s != "fmnist" else [])
        if not args.only or c.name in args.only
    ]
    for name, scores in run_all(jobs, args).items():
        out[name] = scores
        out[f"{name}_targets"] = targets(name, scores)
    out["load_average_end"] = round(os.getloadavg()[0], 2)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
