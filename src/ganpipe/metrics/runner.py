"""The chosen metrics (``evaluate.metrics``, run in ``registries.metrics.METRICS``' order) over one
context, each timed (as StyleGAN2-ADA's ``calc_metric``), each with the protocol of what it saw.

What evaluate writes besides the scores: ``time/<metric>_s`` for each metric run (the first one
to need the domain classifier's features is not charged for them: ``time/features_s`` is), a
``judge/...`` record that says whether the domain classifier is accurate enough on held-out real
images to trust the scores that rest on it (the table's ``judged``; each run is marked when it is
not), and ``headline/metric``: the one score to read first (FID for colour images when the
Inception weights are present, else the domain Fréchet distance; none when neither was run).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import Any

from ganpipe.metrics.registry import IMAGES, EvalContext, every_image
from ganpipe.registries.metrics import METRICS

Log = Callable[[str], None]


def timed(results: dict[str, Any], name: str, work: Callable[[], Any]) -> Any:
    """Run ``work``, record its wall time as ``time/<name>_s`` in ``results``, return its value."""
    start = time.perf_counter()
    value = work()
    results[f"time/{name}_s"] = round(time.perf_counter() - start, 3)
    return value


def chosen(ctx: EvalContext) -> list[str]:
    """The metrics ``evaluate.metrics`` names, in the table's order."""
    return [name for name in METRICS if name in ctx.p.metrics]


def judged(ctx: EvalContext) -> list[str]:
    """The chosen metrics whose scores rest on the domain classifier."""
    return [name for name in chosen(ctx) if METRICS[name].judged]


def judge_record(ctx: EvalContext) -> dict[str, Any]:
    """The domain classifier's held-out accuracy against ``evaluate.min_judge_accuracy``, and
    each judged metric marked ``protocol/<metric>/judge_too_weak`` when it falls short."""
    weak = ctx.judge_accuracy < ctx.p.min_judge_accuracy
    out: dict[str, Any] = {
        "judge/heldout_accuracy": ctx.judge_accuracy,
        "judge/min_accuracy": ctx.p.min_judge_accuracy,
        "judge/too_weak": float(weak),
    }
    for name in judged(ctx):
        out[f"protocol/{name}/judge_too_weak"] = float(weak)
    return out


def weak_judge_warning(ctx: EvalContext) -> str:
    """The console's warning when the judge is too weak ("" when it is not)."""
    if ctx.judge_accuracy >= ctx.p.min_judge_accuracy:
        return ""
    return (
        f"WARNING: the domain classifier is too weak to judge: it labels "
        f"{ctx.judge_accuracy:.1%} of held-out real images right, below "
        f"evaluate.min_judge_accuracy {ctx.p.min_judge_accuracy:.0%}. These scores rest on it "
        f"and cannot be trusted: {', '.join(judged(ctx))} (and the snapshot and truncation "
        "curves). "
        "More real images per class, or higher classifier.epochs or min_steps, may help."
    )


def headline(ctx: EvalContext, results: dict[str, Any]) -> dict[str, Any]:
    """The score to read first: FID on colour images when Inception ran, else domain FD (none
    when ``evaluate.metrics`` left both out)."""
    colour = ctx.fake.channels == 3
    if colour and results.get("inception_status") == "ok":
        return {"headline/metric": "fid_inception", "headline/value": results["fid_inception"]}
    if "domain_fd" not in results:
        return {}
    return {"headline/metric": "domain_fd", "headline/value": results["domain_fd"]}


def run_metrics(ctx: EvalContext, log: Log = print) -> dict[str, Any]:
    """Scores, protocol, times, judge and headline of each chosen metric that applies to the
    images."""
    results: dict[str, Any] = {}
    timed(results, "features", lambda: (ctx.fake_embedding, ctx.real_embedding))
    results.update(judge_record(ctx))
    warning = weak_judge_warning(ctx)
    if warning:
        log(f"[evaluate] {warning}")
    for name in chosen(ctx):
        words, applies = IMAGES[METRICS[name].images]
        if not applies(ctx):
            log(f"[evaluate] {name}: not reported, it applies to {words} only")
            continue
        values = timed(results, name, partial(METRICS[name].function, ctx))
        if not any(key.startswith(f"protocol/{name}/") for key in values):
            values.update(every_image(ctx, name))
        results.update(values)
        mark = " (judge too weak)" if warning and METRICS[name].judged else ""
        log(f"[evaluate] {name}: {results[f'time/{name}_s']:.1f} s{mark}")
    results.update(headline(ctx, results))
    if "headline/metric" in results:
        log(f"[evaluate] headline: {results['headline/metric']} = {results['headline/value']}")
    return results
