"""The downstream gain on sets whose answer is known by construction."""

import pytest
import torch

from ganpipe.data import ImageSet
from ganpipe.errors import UserError
from ganpipe.metrics.downstream import downstream_scores, scaled_steps, synthetic_subset
from ganpipe.params import ClassifierParams

CP = ClassifierParams(batch_size=16, lr=3e-3)
STEPS, SEEDS = 40, 3


def noisy_bars(n: int, seed: int) -> ImageSet:
    """Two classes told apart by a faint bar (top or bottom) under strong noise: a classifier
    gets most, not all, right, so a gain or a loss can show."""
    g = torch.Generator().manual_seed(seed)
    labels = torch.arange(n) % 2
    images = 60 * torch.randn(n, 1, 28, 28, generator=g) + 100
    for i, label in enumerate(labels.tolist()):
        images[i, :, 4 + 14 * label : 10 + 14 * label, 4:24] += 12
    data = images.clamp(0, 255).to(torch.uint8)
    return ImageSet(data, labels, ["top", "bottom"], [f"{seed}-{i}" for i in range(n)])


@pytest.fixture(scope="module")
def sets() -> tuple[ImageSet, ImageSet]:
    return noisy_bars(40, seed=0), noisy_bars(400, seed=1)  # real training split, held out


def test_a_copy_of_the_real_data_gains_what_duplicating_it_gains(
    sets: tuple[ImageSet, ImageSet],
) -> None:
    real, test = sets
    copy = ImageSet(real.images.clone(), real.labels.clone(), real.classes, real.ids)
    scores = downstream_scores(real, copy, test, CP, STEPS, SEEDS)
    assert 0.6 < scores["downstream/real_accuracy"] < 0.98  # not saturated: a gain could show
    # synthetic only = the real set, same seed and steps: the very same classifiers
    assert scores["cas"] == scores["downstream/real_accuracy"]
    assert scores["cas_std"] == scores["downstream/real_accuracy_std"]
    # real + a copy = the real set twice: each batch is drawn from the same images
    assert abs(scores["augmentation_gain"]) < 0.04
    assert scores["downstream/n_real"] == scores["downstream/n_synthetic"] == 40
    assert (scores["downstream/steps"], scores["downstream/seeds"]) == (STEPS, SEEDS)


def test_mislabelled_synthetic_images_lose(sets: tuple[ImageSet, ImageSet]) -> None:
    real, test = sets
    wrong = ImageSet(real.images, 1 - real.labels, real.classes, real.ids)
    scores = downstream_scores(real, wrong, test, CP, STEPS, SEEDS)
    assert scores["augmentation_gain"] < -0.15
    assert scores["cas"] < 0.4
    assert scores["augmentation_gain_std"] > 0  # spread over seeds, not a single run


def test_synthetic_subset_takes_n_per_class_or_names_the_key() -> None:
    fake = noisy_bars(10, seed=2)
    assert synthetic_subset(fake, 3).counts() == {"top": 3, "bottom": 3}
    assert synthetic_subset(fake, 0) is fake
    with pytest.raises(UserError, match=r"evaluate\.downstream_per_class is 6, .* 5 images"):
        synthetic_subset(fake, 6)


def test_steps_scale_down_to_the_passes_over_a_small_real_set() -> None:
    assert scaled_steps(54_000, 128, 100, 4) == 100  # the default's: unchanged
    assert scaled_steps(1_850, 128, 100, 4) == 58  # a 64 px colour set: 4 passes
    assert scaled_steps(3, 128, 100, 4) == 1
