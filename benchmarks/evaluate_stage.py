"""Where the evaluate stage's time goes on a colour set, against the training it follows.

Runs the pipeline's own stage functions on sign-language-digits (or the emoji), 64 px RGB, as
``presets/isic.yaml`` sets them, in a temporary folder: the classifier stage (the judge), the
train stage for ``--minutes`` of wall-clock time (the preset's ``train`` section with
``max_minutes``), the sample stage and the evaluate stage, with its snapshot and truncation
curves. The stage records each metric's time in its ``metrics/evaluate.json`` (``time/...``);
this prints them, the classifier's held-out accuracy, the training's kimg and images/s, and
evaluate's share of the training time it followed and of the preset's whole ``total_kimg`` at
that speed. The issue's bound: evaluate <= 20% of the train stage. Last line: JSON with every
figure and the CPU. Uses the 64 px stage benchmarks/quality.py builds into ~/.cache/ganpipe.

    python benchmarks/evaluate_stage.py [--suite sign|emoji] [--minutes 10] [--keep DIR]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import tempfile
import time
from pathlib import Path

import yaml
from quality import COLOUR_DATA, colour_suite
from train import cpu_name

from ganpipe.params import ClassifierParams, EvaluateParams, SampleParams, TrainParams, build
from ganpipe.stages.classifier import ClassifierPaths, run_classifier
from ganpipe.stages.evaluate import EvaluatePaths, run_evaluate
from ganpipe.stages.sample import SamplePaths, run_sample
from ganpipe.train.loop import training_loop
from ganpipe.train.run import TrainPaths

ROOT = Path(__file__).resolve().parents[1]
PRESET = ROOT / "presets" / "isic.yaml"


def sections() -> tuple[ClassifierParams, TrainParams, SampleParams, EvaluateParams]:
    raw = yaml.safe_load(PRESET.read_text())
    where = PRESET.name
    return (
        build(ClassifierParams, raw.get("classifier"), f"{where}: classifier"),
        build(TrainParams, raw.get("train"), f"{where}: train"),
        build(SampleParams, raw.get("sample"), f"{where}: sample"),
        build(EvaluateParams, raw.get("evaluate"), f"{where}: evaluate"),
    )


def run(stage: Path, work: Path, minutes: float) -> dict[str, object]:
    """The four stages in ``work``; their figures."""
    cp, tp, sp, ep = sections()
    start = time.perf_counter()
    judge = run_classifier(
        ClassifierPaths(stage, work / "classifier.pt", work / "classifier.json"), params=cp
    )
    classifier_s = time.perf_counter() - start
    tp = dataclasses.replace(tp, max_minutes=minutes)
    start = time.perf_counter()
    paths = TrainPaths.in_folder(stage, work, work / "classifier.pt")
    summary = training_loop(paths, tp, holdout=cp.holdout)["summary"]
    train_s = time.perf_counter() - start
    run_sample(SamplePaths(work / "models", work / "samples", real=stage), params=sp)
    paths = EvaluatePaths(
        samples=work / "samples",
        real=stage,
        classifier=work / "classifier.pt",
        metrics=work / "evaluate.json",
        models=work / "models",
        curve=work / "snapshot_curve.json",
        truncation_curve=work / "truncation_curve.json",
    )
    scores = run_evaluate(paths, params=ep, classifier_params=cp, checkpoint=sp.checkpoint)
    kimg = float(summary["kimg"])
    preset_train_s = tp.total_kimg / kimg * train_s
    total = float(scores["time/total_s"])
    return {
        "judge_heldout_accuracy": judge["heldout_accuracy"],
        "judge_passes": [judge["best_epoch"], judge["epochs_run"]],
        "classifier_s": round(classifier_s, 1),
        "train_s": round(train_s, 1),
        "train_kimg": round(kimg, 2),
        "preset_total_kimg": tp.total_kimg,
        "preset_train_s_at_this_speed": round(preset_train_s),
        "evaluate_s": total,
        "evaluate_share_of_this_train": round(total / train_s, 3),
        "evaluate_share_of_preset_train": round(total / preset_train_s, 4),
        "times": {k: v for k, v in scores.items() if k.startswith("time/")},
        "headline": [scores["headline/metric"], scores["headline/value"]],
        "judge_too_weak": scores["judge/too_weak"],
        "classes_seen": {
            k: v for k, v in scores.items() if k.startswith("protocol/") and k.endswith("/classes")
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", choices=sorted(COLOUR_DATA), default="sign")
    parser.add_argument("--minutes", type=float, default=10.0, help="training before evaluate")
    parser.add_argument("--keep", type=Path, default=None, help="work here, and keep it")
    args = parser.parse_args()
    stage = colour_suite(COLOUR_DATA[args.suite]).stage
    with tempfile.TemporaryDirectory(prefix="ganpipe-evaluate-stage-") as tmp:
        work = args.keep or Path(tmp)
        figures = run(stage, work, args.minutes)
    print(json.dumps({"cpu": cpu_name(), "suite": args.suite, "minutes": args.minutes, **figures}))


if __name__ == "__main__":
    main()
