"""The truncation threshold's one rule, in sample and evaluate."""

import pytest

from ganpipe.params import (
    EvaluateParams,
    ParamsError,
    SampleParams,
    build,
)


def test_truncation_is_off_by_default_and_the_curve_may_be_empty() -> None:
    assert SampleParams().truncation == 0.0
    assert build(SampleParams, {"truncation": 1}, "sample").truncation == 1.0
    assert build(EvaluateParams, {"truncation_curve": [], "pr_k": 50}, "e").truncation_curve == []
    with pytest.raises(ParamsError, match=r"^evaluate\.truncation_per_class: got 200; needs"):
        build(EvaluateParams, {"pr_k": 500}, "evaluate")
