"""Every metric of the evaluate stage in one table, in the order they run and are written.

An entry names its function (``EvalContext -> dict`` of flat keys for ``metrics/evaluate.json``,
in ``metrics/registry.py``), the images it means something for, and whether its scores are the
domain classifier's verdicts (or live in its feature space), so that a weak judge marks them.
``evaluate.metrics`` picks among these names; its default is all of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from ganpipe.registries import resolve

Images = Literal["any", "colour", "grey"]


@dataclass(frozen=True)
class Metric:
    """One metric: what computes it, on which images, and whether it rests on the judge."""

    path: str  # "module:function" of an EvalContext -> dict[str, value] function
    images: Images = "any"  # colour: RGB on both sides; grey: one channel on both sides
    judged: bool = False

    @property
    def function(self) -> Callable[[Any], dict[str, Any]]:
        """The function itself, its module (torch and all) imported on first use."""
        function: Callable[[Any], dict[str, Any]] = resolve(self.path)
        return function


def _at(name: str, images: Images = "any", judged: bool = False) -> Metric:
    return Metric(f"ganpipe.metrics.registry:{name}", images, judged)


METRICS: dict[str, Metric] = {
    "conditional_accuracy": _at("conditional_accuracy", judged=True),
    "domain_fd": _at("domain_fd", judged=True),
    "intra_class_fd": _at("intra_class_fd", judged=True),
    "domain_kid": _at("domain_kid", judged=True),
    "domain_prdc": _at("domain_prdc", judged=True),
    "downstream": _at("downstream"),
    "intra_class_diversity": _at("intra_class_diversity"),
    "memorisation": _at("memorisation"),
    "stripes": _at("stripes", images="grey"),  # a grey-garment artefact measure
    "colour_spread": _at("colour_spread", images="colour"),
    "inception": _at("inception"),
}
METRIC_NAMES = tuple(METRICS)
JUDGED = tuple(name for name, metric in METRICS.items() if metric.judged)
