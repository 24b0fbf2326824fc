"""Near-duplicate signatures: distinct low-texture images stay apart, edited copies match."""

from __future__ import annotations

import itertools

import dupecases as cases
import numpy as np
import pytest

from ganpipe.clean.dedupe import CROPS, Index, _coarse, _distances, distance, signature
from ganpipe.params import FilterParams

WITHIN = FilterParams().near_duplicate_distance


def sig(image) -> np.ndarray:
    return signature(np.asarray(image))


def test_the_issues_pair_and_other_flat_images_do_not_match() -> None:
    images = cases.distinct()
    names = ["black-top", "gradient-top-bottom", "white-left", "circle-red", "circle-blue"]
    names += ["square-red", "roundel", "roundel-turned"]
    for a, b in itertools.combinations(names, 2):
        assert distance(sig(images[a]), sig(images[b])) > WITHIN, (a, b)


@pytest.mark.parametrize("edit", sorted(cases.EDITS))
def test_edited_copies_match(edit: str) -> None:
    for base in (cases.photo(0), cases.distinct()["roundel"]):
        copy = cases.EDITS[edit](base)
        assert distance(sig(cases.jpeg(base, 92)), sig(copy)) <= WITHIN


def test_signature_ignores_brightness_and_contrast_but_not_colour() -> None:
    base = np.asarray(cases.photo(3)).astype(np.float32)
    dimmer = np.clip(base * 0.8 + 10, 0, 255).astype(np.uint8)
    assert distance(signature(base.astype(np.uint8)), signature(dimmer)) < 0.05  # std floor
    swapped = base[:, :, ::-1].astype(np.uint8)  # RGB -> BGR: same layout, other colours
    assert distance(signature(base.astype(np.uint8)), signature(swapped)) > WITHIN


def test_coarse_check_never_rules_out_a_match() -> None:
    """Block means are a lower bound on the full distance, so pruning by them is exact."""
    rng = np.random.default_rng(0)
    sigs = rng.normal(size=(40, len(CROPS), 16, 16, 3)).astype(np.float32)
    for i in range(40):
        rough = _distances(_coarse(sigs), _coarse(sigs[i]))
        exact = _distances(sigs, sigs[i])
        assert (rough <= exact + 1e-6).all()
        assert exact[7] == pytest.approx(distance(sigs[7], sigs[i]))


@pytest.mark.parametrize("name", ["badge-silver", "stripes-vertical", "ring", "photo-1"])
def test_crops_of_flat_logos_match(name: str) -> None:
    for label, original, cropped in cases.crops():
        if label.startswith(f"{name}/"):
            assert distance(sig(original), sig(cropped)) <= WITHIN, label


def test_index_finds_the_nearest_within_the_distance() -> None:
    images = cases.distinct()
    index = Index(3)
    assert index.nearest(sig(images["ring"]), WITHIN) is None
    for name in ("ring", "cross", "diagonal"):
        index.add(sig(images[name]))
    found = index.nearest(sig(cases.crop(images["cross"])), WITHIN)
    assert found is not None and found[0] == 1 and 0 <= found[1] <= WITHIN
    assert index.nearest(sig(images["black-top"]), WITHIN) is None
