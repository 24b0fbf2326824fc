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


TINY_CLIP = {
    "embed_dim": 16,
    "vision_cfg": {"image_size": 32, "layers": 1, "width": 32, "patch_size": 16, "head_width": 16},
    "text_cfg": {"context_length": 77, "vocab_size": 49408, "width": 16, "heads": 1, "layers": 1},
}


def tiny_clip_weights(tmp_path: Path, seed: int) -> Path:
    """A random 3 MB open_clip model registered as 'ganpipe-tiny', saved like real weights."""
    import json

    import open_clip

    config = tmp_path / "ganpipe-tiny.json"
    config.write_text(json.dumps(TINY_CLIP))
    open_clip.add_model_config(config)
    torch.manual_seed(seed)
    path = tmp_path / f"tiny-{seed}.pt"
    torch.save(open_clip.create_model("ganpipe-tiny").state_dict(), path)
    return path


def test_available_weights_give_one_probability_per_image_from_that_file(tmp_path: Path) -> None:
    data = ImageSet(
        torch.randint(
            0, 256, (3, 3, 8, 8), dtype=torch.uint8, generator=torch.Generator().manual_seed(0)
        ),
        torch.tensor([0, 1, 0]),
        ["a", "b"],
        ["x", "y", "z"],
    )
    params = CurateParams(relevance="required", relevance_model="ganpipe-tiny")
    runs = [
        relevance(data, {"a": "a cat"}, replace(params, relevance_weights=str(path)))
        for path in (
            tiny_clip_weights(tmp_path, 0),
            tiny_clip_weights(tmp_path, 0),
            tiny_clip_weights(tmp_path, 1),
        )
    ]
    assert [r.status for r in runs] == ["ok"] * 3
    scores = [r.scores for r in runs]
    assert scores[0].shape == (3,) and ((scores[0] > 0) & (scores[0] < 1)).all()
    assert scores[0].tolist() == scores[1].tolist() and scores[0].tolist() != scores[2].tolist()
