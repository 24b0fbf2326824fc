"""Colour spread on images whose per-image mean colours are known."""

import pytest
import torch

from ganpipe.data import ImageSet
from ganpipe.metrics.colour import class_colour_spreads, colour_spread, mean_colours
from ganpipe.metrics.registry import EvalContext
from ganpipe.metrics.registry import colour_spread as colour_metric
from ganpipe.params import ClassifierParams, EvaluateParams


def flat(colours: list[tuple[int, int, int]], size: int = 4) -> torch.Tensor:
    """One flat uint8 image per RGB colour."""
    return torch.tensor(colours, dtype=torch.uint8)[:, :, None, None].expand(-1, -1, size, size)


def test_mean_colours_of_uint8_and_float_images_agree() -> None:
    images = flat([(0, 255, 51)])
    torch.testing.assert_close(
        mean_colours(images), torch.tensor([[-1.0, 1.0, -0.6]], dtype=torch.float64)
    )
    torch.testing.assert_close(mean_colours(images.double() / 127.5 - 1), mean_colours(images))


def test_spread_by_hand() -> None:
    # red channel means -1 and 1 (std sqrt(2)), green and blue the same in both (std 0):
    # RMS over channels of the std = sqrt((2 + 0 + 0) / 3)
    images = flat([(0, 10, 20), (255, 10, 20)])
    assert colour_spread(images) == pytest.approx((2 / 3) ** 0.5)
    assert colour_spread(flat([(9, 9, 9)] * 5)) == 0.0  # one tone: no spread
    assert colour_spread(flat([(9, 9, 9)])) == 0.0


def test_spread_is_per_class_not_across_classes() -> None:
    images = flat([(0, 0, 0), (0, 0, 0), (255, 255, 255), (255, 255, 255), (1, 1, 1)])
    labels = torch.tensor([0, 0, 1, 1, 2])
    assert class_colour_spreads(images, labels, 4) == [0.0, 0.0, None, None]


def context(fake: ImageSet, real: ImageSet) -> EvalContext:
    # colour_spread reads images and labels only: no classifier is needed
    return EvalContext(fake, real, None, "", EvaluateParams(), ClassifierParams())  # type: ignore[arg-type]


def test_registry_ratio_flags_one_tone_per_class() -> None:
    g = torch.Generator().manual_seed(0)
    real_images = torch.randint(0, 256, (40, 3, 1, 1), generator=g, dtype=torch.uint8)
    real_images = real_images.expand(-1, -1, 8, 8)
    labels = torch.arange(40) % 2
    real = ImageSet(real_images, labels, ["a", "b"], [str(i) for i in range(40)])
    same = colour_metric(context(real, real))
    assert same["colour_spread_ratio_to_real"] == pytest.approx(1.0)
    assert same["colour_spread_ratio/a"] == pytest.approx(1.0)
    one_tone = ImageSet(real_images[labels], labels, real.classes, real.ids)  # 1 image a class
    assert colour_metric(context(one_tone, real))["colour_spread_ratio_to_real"] == 0.0


def test_grey_sets_report_no_colour_spread() -> None:
    grey = ImageSet(
        torch.zeros(4, 1, 8, 8, dtype=torch.uint8),
        torch.tensor([0, 0, 1, 1]),
        ["a", "b"],
        list("wxyz"),
    )
    assert colour_metric(context(grey, grey)) == {}
