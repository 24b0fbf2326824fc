"""Rewrite the README's figures that come from the committed run, so none goes stale by hand.

Each figure sits between ``<!-- figures:NAME -->`` and ``<!-- /figures:NAME -->`` in README.md
and is made here from the committed ``metrics/*.json`` (what ``make run`` writes):

- ``grid-caption``: the grid's caption (classes, kimg) from metrics/train.json;
- ``expected-scores``: the scores the default run ends with (metrics/evaluate.json,
  metrics/classifier.json), and evaluate's time per metric;
- ``downstream``: the downstream classifiers' accuracies and the augmentation gain;
- ``truncation``: what the truncation curve (metrics/truncation_curve.json) says;
- ``run-time`` and ``disk``: the time, download and disk size of a fresh clone's ``make run``,
  from ``docs/runs/make_run.json``, the last line ``python benchmarks/make_run.py`` printed.

``python docs/figures.py`` rewrites them after a new run is committed; ``--from-run DIR`` first
takes a finished run's results from DIR (its ``dvc.lock``, ``metrics/``, the grid
``data/samples/grid.png`` as ``docs/grid.png``, and the truncation pictures
``docs/truncation_*.png`` if ``python docs/truncation_figures.py`` drew them there; with
``--make-run FILE``, ``benchmarks/make_run.py``'s output, whose last line becomes
``docs/runs/make_run.json``); ``--check`` only says which differ (tests/unit/test_figures.py
does the same, so a README that disagrees with the committed metrics fails the tests).
docs/truncation_figures.py draws the pictures; docs/FIGURES.md lists every figure with the
command, CPU and date it came from.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
MAKE_RUN = Path("docs/runs/make_run.json")
Metrics = dict[str, Any]


def _load(root: Path) -> dict[str, Any]:
    def read(name: str) -> Any:
        return json.loads((root / "metrics" / name).read_text())

    return {
        "train": read("train.json"),
        "evaluate": read("evaluate.json"),
        "classifier": read("classifier.json"),
        "truncation": read("truncation_curve.json"),
        "make_run": json.loads((root / MAKE_RUN).read_text()),
    }


def _classes(evaluate: Metrics) -> list[str]:
    prefix = "conditional_accuracy/"
    return sorted(k.removeprefix(prefix) for k in evaluate if k.startswith(prefix))


def grid_caption(m: dict[str, Any]) -> str:
    names = ", ".join(_classes(m["evaluate"]))
    return (
        f"*The default run: Fashion-MNIST after {m['train']['kimg']:.0f} kimg (thousands of "
        f"images shown to the discriminator), one row per class in alphabetical order "
        f"({names}).*"
    )


def expected_scores(m: dict[str, Any]) -> str:
    e, c = m["evaluate"], m["classifier"]
    rows = [
        ("`domain_fd`", f"{e['domain_fd']:.2f}", "lower is better; 0 for real images"),
        (
            "`conditional_accuracy`",
            f"{e['conditional_accuracy']:.3f}",
            f"the judge labels {c['heldout_accuracy']:.3f} of held-out real images right",
        ),
        (
            "`domain_precision` / `domain_recall`",
            f"{e['domain_precision']:.2f} / {e['domain_recall']:.2f}",
            "fidelity / coverage",
        ),
        ("`cas`", f"{e['cas']:.3f}", "a classifier trained on the samples alone, on real images"),
        (
            "`nearest_real_ssim_mean`",
            f"{e['nearest_real_ssim_mean']:.2f}",
            "well below 1: no copies of training images",
        ),
        ("`mode_collapse_classes`", f"{e['mode_collapse_classes']:.0f}", "collapsed classes"),
    ]
    table = ["| score | the default run | what it says |", "|---|---|---|"]
    table += [f"| {a} | {b} | {note} |" for a, b, note in rows]
    times = {k[5:-2]: v for k, v in e.items() if k.startswith("time/") and k != "time/total_s"}
    if not times:
        return "\n".join(table)
    slowest = sorted(times.items(), key=lambda kv: -kv[1])[:3]
    spent = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in slowest)
    return "\n".join(table) + (
        f"\n\nThe evaluate stage took {e['time/total_s']:.0f} s, most of it in {spent} "
        "(`time/<metric>_s` in `metrics/evaluate.json`)."
    )


def downstream(m: dict[str, Any]) -> str:
    e = m["evaluate"]

    def pm(key: str) -> str:
        return f"{e[key]:.3f} ± {e[key + '_std']:.3f}"

    gain, std = e["augmentation_gain"], e["augmentation_gain_std"]
    verdict = (
        "within two std of 0: with the whole real split the samples add nothing measurable"
        if abs(gain) <= 2 * std
        else ("the samples help" if gain > 0 else "the samples hurt")
    )
    return (
        f"On the default run (all {e['downstream/n_real']:.0f} real training images plus "
        f"{e['downstream/n_synthetic']:.0f} samples) the gain was {pm('augmentation_gain')}, "
        f"{verdict} (real {pm('downstream/real_accuracy')}, real + synthetic "
        f"{pm('downstream/real_plus_synthetic_accuracy')}, synthetic only {pm('cas')})."
    )


def truncation(m: dict[str, Any]) -> str:
    points = {p["truncation"]: p for p in m["truncation"]}
    base = points[0.0]

    def point(t: float) -> str:
        p = points[t]
        return (
            f"T = {t:g}: precision {p['domain_precision']:.2f}, recall "
            f"{p['domain_recall']:.2f}, domain FD {p['domain_fd']:.1f}, conditional accuracy "
            f"{p['conditional_accuracy']:.2f}"
        )

    others = "; ".join(point(t) for t in sorted((t for t in points if t), reverse=True))
    return (
        f"On the default run, untruncated: precision {base['domain_precision']:.2f}, recall "
        f"{base['domain_recall']:.2f}, domain FD {base['domain_fd']:.1f}, conditional accuracy "
        f"{base['conditional_accuracy']:.2f}; {others}."
    )


def run_time(m: dict[str, Any]) -> str:
    r = m["make_run"]
    stages = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in r["stage_s"].items())
    return (
        f"A fresh clone's `make run` took **{r['total_s'] / 60:.0f} minutes** on {r['cpu']} "
        f"({r['cores']} cores, no GPU), installing included ({r['install_s']:.0f} s): "
        f"{stages} (`python benchmarks/make_run.py`, {r['date']})."
    )


def disk(m: dict[str, Any]) -> str:
    r = m["make_run"]
    if r.get("venv_mb") is None:
        return "Not measured by the committed run (`python benchmarks/make_run.py` prints it)."
    return (
        f"Installing downloads about {r['download_mb'] / 1024:.1f} GB and the venv takes "
        f"{r['venv_mb'] / 1024:.1f} GB (PyPI's PyTorch brings its CUDA libraries; see "
        "`TORCH_INDEX` below for a CPU-only one); the default run's data and DVC cache take "
        f"{r['data_mb'] / 1024:.1f} GB more."
    )


FIGURES: dict[str, Callable[[dict[str, Any]], str]] = {
    "grid-caption": grid_caption,
    "expected-scores": expected_scores,
    "downstream": downstream,
    "truncation": truncation,
    "run-time": run_time,
    "disk": disk,
}


def region(name: str) -> re.Pattern[str]:
    return re.compile(rf"(<!-- figures:{name} -->\n)(.*?)(\n<!-- /figures:{name} -->)", re.S)


def rewrite(text: str, metrics: dict[str, Any]) -> tuple[str, list[str]]:
    """The README with every region made anew, and the names of those that changed."""
    changed = []
    for name, make in FIGURES.items():
        pattern = region(name)
        found = pattern.search(text)
        if found is None:
            raise SystemExit(f"README.md has no <!-- figures:{name} --> region")
        fresh = make(metrics)
        if found.group(2) != fresh:
            changed.append(name)
            text = text[: found.start(2)] + fresh + text[found.end(2) :]
    return text, changed


def take_run(run: Path, root: Path, make_run: Path | None) -> None:
    """A finished run's committed results and pictures into ``root``."""
    shutil.copy(run / "dvc.lock", root / "dvc.lock")
    shutil.rmtree(root / "metrics")
    shutil.copytree(run / "metrics", root / "metrics")
    shutil.copy(run / "data" / "samples" / "grid.png", root / "docs" / "grid.png")
    for picture in sorted((run / "docs").glob("truncation_*.png")):
        shutil.copy(picture, root / "docs" / picture.name)
    if make_run is not None:
        last = [ln for ln in make_run.read_text().splitlines() if ln.startswith("{")][-1]
        (root / MAKE_RUN).parent.mkdir(parents=True, exist_ok=True)
        (root / MAKE_RUN).write_text(json.dumps(json.loads(last), indent=2) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the project (metrics/, README)")
    parser.add_argument("--check", action="store_true", help="only say which figures differ")
    parser.add_argument("--from-run", type=Path, default=None, help="a finished run's folder")
    parser.add_argument("--make-run", type=Path, default=None, help="make_run.py's output")
    args = parser.parse_args()
    if args.from_run is not None:
        take_run(args.from_run, args.root, args.make_run)
    readme = args.root / "README.md"
    text, changed = rewrite(readme.read_text(), _load(args.root))
    if args.check:
        if changed:
            sys.exit(f"README.md figures differ from metrics/: {', '.join(changed)}")
        return
    readme.write_text(text)
    print(f"rewrote: {', '.join(changed) or 'nothing'}")


if __name__ == "__main__":
    main()
