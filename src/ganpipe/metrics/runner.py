"""Every registered metric over one context, each timed (as StyleGAN2-ADA's ``calc_metric``),
each with the protocol of what it saw.

What evaluate writes besides the scores: ``time/<metric>_s`` for each metric (the first metric to
need the domain classifier's features is not charged for them: ``time/features_s`` is), a
``judge/...`` record that says whether the domain classifier is accurate enough on held-out real
images to trust the scores that rest on it (``registry.JUDGED``; each is marked when it is not),
and ``headline/metric``: the one score to read first (FID for colour images when the Inception
weights are present, else the domain Fréchet distance).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from ganpipe.metrics.registry import JUDGED, METRICS, ONLY_IF, EvalContext, every_image

Log = Callable[[str], None]


def timed(results: dict[str, Any], name: str, work: Callable[[], Any]) -> Any:
    """Run ``work``, record its wall time as ``time/<name>_s`` in ``results``, return its value."""
    start = time.perf_counter()
    value = work()
    results[f"time/{name}_s"] = round(time.perf_counter() - start, 3)
    return value


def judge_record(ctx: EvalContext) -> dict[str, Any]:
    """The domain classifier's held-out accuracy against ``evaluate.min_judge_accuracy``, and
    each judged metric marked ``protocol/<metric>/judge_too_weak`` when it falls short."""
    weak = ctx.judge_accuracy < ctx.p.min_judge_accuracy
    out: dict[str, Any] = {
        "judge/heldout_accuracy": ctx.judge_accuracy,
        "judge/min_accuracy": ctx.p.min_judge_accuracy,
        "judge/too_weak": float(weak),
    }
    for name in JUDGED:
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
        f"and cannot be trusted: {', '.join(JUDGED)} (and the snapshot and truncation curves). "
        "More real images per class, or higher classifier.epochs or min_steps, may help."
    )


def headline(ctx: EvalContext, results: dict[str, Any]) -> dict[str, Any]:
    """The score to read first: FID on colour images when Inception ran, else domain FD."""
    colour = ctx.fake.channels == 3
    if colour and results.get("inception_status") == "ok":
        return {"headline/metric": "fid_inception", "headline/value": results["fid_inception"]}
    return {"headline/metric": "domain_fd", "headline/value": results["domain_fd"]}


def run_metrics(ctx: EvalContext, log: Log = print) -> dict[str, Any]:
    """Scores, protocol, times, judge and headline of every metric that applies to the images."""
    results: dict[str, Any] = {}
    timed(results, "features", lambda: (ctx.fake_embedding, ctx.real_embedding))
    results.update(judge_record(ctx))
    warning = weak_judge_warning(ctx)
    if warning:
        log(f"[evaluate] {warning}")
    for name, metric in METRICS.items():
        if name in ONLY_IF and not ONLY_IF[name][1](ctx):
            log(f"[evaluate] {name}: not reported, it applies to {ONLY_IF[name][0]} only")
            continue
        values = timed(results, name, lambda metric=metric: metric(ctx))
        if not any(key.startswith(f"protocol/{name}/") for key in values):
            values.update(every_image(ctx, name))
        results.update(values)
        mark = " (judge too weak)" if warning and name in JUDGED else ""
        log(f"[evaluate] {name}: {results[f'time/{name}_s']:.1f} s{mark}")
    results.update(headline(ctx, results))
    log(f"[evaluate] headline: {results['headline/metric']} = {results['headline/value']}")
    return results
