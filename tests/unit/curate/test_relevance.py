"""Relevance follows the Inception contract: off skips, auto records why, required fails."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import torch

from ganpipe.curate.relevance import RelevanceUnavailableError, locate_weights, relevance
from ganpipe.data import ImageSet
from ganpipe.params import CurateParams

DATA = ImageSet(
    torch.zeros(2, 3, 8, 8, dtype=torch.uint8), torch.tensor([0, 1]), ["a", "b"], ["x", "y"]
)


def test_off_is_skipped() -> None:
    got = relevance(DATA, {}, CurateParams(relevance="off"))
    assert got.status == "skipped" and got.scores is None


def test_auto_without_cached_weights_is_unavailable_and_names_the_path(tmp_path: Path) -> None:
    got = relevance(DATA, {}, CurateParams(relevance="auto"), hf_home=tmp_path)
    expected = tmp_path / "hub/models--timm--vit_base_patch32_clip_224.openai"
    assert got.status == "unavailable" and got.scores is None
    assert got.weights.startswith(str(expected)) and "curate.relevance_weights" in got.reason


def test_required_without_weights_raises(tmp_path: Path) -> None:
    with pytest.raises(RelevanceUnavailableError, match=r"no weights for open_clip ViT-B-32 at "):
        relevance(DATA, {}, CurateParams(relevance="required"), hf_home=tmp_path)


def test_a_missing_weights_file_is_named(tmp_path: Path) -> None:
    params = replace(CurateParams(), relevance_weights=str(tmp_path / "clip.safetensors"))
    got = relevance(DATA, {}, params)
    assert got.status == "unavailable" and got.weights == str(tmp_path / "clip.safetensors")


def test_a_cached_file_is_found(tmp_path: Path) -> None:
    snapshot = tmp_path / "hub/models--timm--vit_base_patch32_clip_224.openai/snapshots/abc"
    snapshot.mkdir(parents=True)
    (snapshot / "open_clip_model.safetensors").write_bytes(b"x")
    refs = snapshot.parents[1] / "refs"
    refs.mkdir()
    (refs / "main").write_text("abc")
    found = locate_weights("ViT-B-32", "openai", hf_home=tmp_path)
    assert (
        found.found and found.path == snapshot / "open_clip_model.safetensors" and found.quick_gelu
    )


def test_an_unknown_tag_lists_the_known_ones() -> None:
    with pytest.raises(RelevanceUnavailableError, match=r"known tags: .*openai"):
        locate_weights("ViT-B-32", "no-such-tag")
