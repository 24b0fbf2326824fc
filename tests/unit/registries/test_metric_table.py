"""The metric table is the one list of metrics: params' choice of them agrees with it."""

from __future__ import annotations

import subprocess
import sys
from typing import get_args, get_type_hints

import pytest

from ganpipe.params import EvaluateParams, ParamsError, build
from ganpipe.registries.metrics import JUDGED, METRIC_NAMES, METRICS


def test_every_entry_resolves_to_the_registry_function_of_its_name() -> None:
    for name, metric in METRICS.items():
        assert callable(metric.function) and metric.function.__name__ == name, name
        assert metric.function.__module__ == "ganpipe.metrics.registry", name
    assert JUDGED == (
        "conditional_accuracy",
        "domain_fd",
        "intra_class_fd",
        "domain_kid",
        "domain_prdc",
    )
    assert {n for n, m in METRICS.items() if m.images != "any"} == {"stripes", "colour_spread"}


def test_params_choose_among_the_table_names_and_default_to_all_in_order() -> None:
    allowed = get_args(get_args(get_type_hints(EvaluateParams)["metrics"])[0])
    assert allowed == METRIC_NAMES == tuple(METRICS)
    assert EvaluateParams().metrics == list(METRICS)
    assert build(EvaluateParams, {"metrics": ["domain_fd"]}, "evaluate").metrics == ["domain_fd"]


def test_an_unknown_metric_is_named_with_the_allowed_ones() -> None:
    with pytest.raises(ParamsError, match=r"evaluate\.metrics\[1\]") as err:
        build(EvaluateParams, {"metrics": ["domain_fd", "fid"]}, "evaluate")
    assert "'fid'" in str(err.value) and "domain_fd" in str(err.value)
    assert "colour_spread" in str(err.value)


def test_the_table_loads_without_torch() -> None:
    code = "import sys, ganpipe.params; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
