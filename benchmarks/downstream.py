"""What the evaluate stage's truncation curve and downstream classifiers cost, and what they say.

Run after `dvc repro` (it reads the pipeline's data/samples, data/resized, models/ and
params.yaml; ``--project`` points at another run's folder). It builds the evaluate stage's
context as the stage does, then times, one after the other on the same machine:

- CAS alone (``evaluate.downstream: false``, what the stage computed before);
- the downstream classifiers at the project's settings (real, real + synthetic, synthetic, each
  ``downstream_seeds`` times for ``downstream_steps`` steps);
- the truncation curve (``truncation_curve``, ``truncation_per_class`` fakes per value).

The added time of the new evaluate work is downstream minus CAS alone, plus the curve. It
prints the accuracies with their spread over seeds, ``augmentation_gain``, and the curve.
``--real-per-class K`` sets ``downstream_real_per_class`` (the low-data mode).
Last line: JSON with those figures and the CPU.

    python benchmarks/downstream.py [--project DIR] [--real-per-class K] [--threads N]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from pathlib import Path
from typing import Any

import torch
from train import cpu_name

from ganpipe.metrics.registry import downstream
from ganpipe.params import load_all
from ganpipe.sample import GENERATORS
from ganpipe.stages.evaluate import evaluation_context, truncation_curve

ROOT = Path(__file__).resolve().parents[1]


def timed(what: str, work: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - start
    print(f"{what}: {seconds:.1f} s")
    return result, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--project", type=Path, default=ROOT, help="a folder `dvc repro` ran in")
    parser.add_argument("--real-per-class", type=int, default=None, help="low-data cap K")
    parser.add_argument("--threads", type=int, default=0, help="torch threads; 0 = default")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    project = args.project
    params = load_all(project / "params.yaml")
    p, cp = params["evaluate"], params["classifier"]
    if args.real_per_class is not None:
        p = dataclasses.replace(p, downstream_real_per_class=args.real_per_class)
    ctx = evaluation_context(
        project / "data/samples", project / "data/resized", project / "models/classifier.pt", p, cp
    )
    # the stage has the real features cached before the curve runs: not timed here
    print(f"{len(ctx.real_embedding[0])} held-out reals, {len(ctx.fake.labels)} samples")
    off = dataclasses.replace(ctx, p=dataclasses.replace(p, downstream=False))
    cas_only, cas_s = timed("CAS alone (downstream off)", lambda: downstream(off))
    scores, downstream_s = timed("downstream classifiers", lambda: downstream(ctx))
    generator = project / "models" / GENERATORS[params["sample"].checkpoint]
    curve, curve_s = timed("truncation curve", lambda: truncation_curve(ctx, generator))

    print(f"\n{'training set':28s} held-out accuracy (mean ± std over {p.downstream_seeds} seeds)")
    for name, key in (
        ("real", "downstream/real_accuracy"),
        ("real + synthetic", "downstream/real_plus_synthetic_accuracy"),
        ("synthetic only (CAS)", "cas"),
    ):
        print(f"{name:28s} {scores[key]:.4f} ± {scores[key + '_std']:.4f}")
    print(
        f"augmentation_gain {scores['augmentation_gain']:+.4f} ± "
        f"{scores['augmentation_gain_std']:.4f} ({scores['downstream/n_real']:.0f} real, "
        f"{scores['downstream/n_synthetic']:.0f} synthetic images; "
        f"{p.downstream_steps} steps of {cp.batch_size})"
    )
    print(f"\n{'truncation':>10s} {'precision':>9s} {'recall':>7s} {'FD':>8s} {'cond.acc':>8s}")
    for point in curve:
        print(
            f"{point['truncation'] or 'off':>10} {point['domain_precision']:9.4f} "
            f"{point['domain_recall']:7.4f} {point['domain_fd']:8.3f} "
            f"{point['conditional_accuracy']:8.4f}"
        )
    added = downstream_s - cas_s + curve_s
    threads = torch.get_num_threads()
    print(f"\nadded to the evaluate stage: {added:.1f} s ({cpu_name()}, {threads} threads)")
    summary = {key.removeprefix("downstream/"): round(value, 4) for key, value in scores.items()}
    print(
        json.dumps(
            {
                **summary,
                "cas_downstream_off": round(cas_only["cas"], 4),
                "cas_only_s": round(cas_s, 1),
                "downstream_s": round(downstream_s, 1),
                "truncation_curve_s": round(curve_s, 1),
                "evaluate_added_s": round(added, 1),
                "real_per_class_cap": p.downstream_real_per_class,
                "truncation_curve": curve,
                "cpu": cpu_name(),
                "threads": threads,
            }
        )
    )


if __name__ == "__main__":
    main()
