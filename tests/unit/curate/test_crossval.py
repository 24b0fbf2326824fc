"""Cross-validation: every image judged exactly once, by a model that did not train on it."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from ganpipe.curate.crossval import check_class_sizes, cross_validate, downscale
from ganpipe.data import ImageSet
from ganpipe.errors import UserError
from ganpipe.params import CurateParams


def image_set(per_class: list[int], side: int = 8) -> ImageSet:
    labels = torch.tensor([c for c, n in enumerate(per_class) for _ in range(n)])
    images = torch.randint(0, 256, (len(labels), 3, side, side), dtype=torch.uint8)
    names = [f"c{i}" for i in range(len(per_class))]
    return ImageSet(images, labels, names, [str(i) for i in range(len(labels))])


def test_folds_partition_the_images_and_judge_only_unseen_ones() -> None:
    data = image_set([6, 7, 5])
    params = CurateParams(folds=3, epochs=1, batch_size=4, image_size=8, relevance="off")
    folds = list(cross_validate(data, params))
    tested = np.concatenate([f.test for f in folds])
    assert sorted(tested.tolist()) == list(range(18))
    for fold in folds:
        assert not set(fold.train) & set(fold.test)
        assert fold.features.shape[0] == 18 and fold.test_probs.shape == (len(fold.test), 3)
        assert fold.test_probs.sum(axis=1) == pytest.approx(np.ones(len(fold.test)))
        for label in range(3):  # stratified: every class in every fold's training images
            assert (data.labels.numpy()[fold.train] == label).any()


def test_a_class_smaller_than_the_folds_is_named() -> None:
    with pytest.raises(UserError, match=r"too few in c1 \(2\)\. Lower curate\.folds"):
        check_class_sizes(image_set([5, 2]), 5)
    with pytest.raises(UserError, match="at least 2 classes"):
        check_class_sizes(image_set([6]), 5)


def test_downscale_averages_areas() -> None:
    images = torch.zeros(1, 1, 4, 4, dtype=torch.uint8)
    images[..., :2, :2] = 200
    assert downscale(images, 2)[0, 0].tolist() == [[200, 0], [0, 0]]
    assert downscale(images, 4) is images
