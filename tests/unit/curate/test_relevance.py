"""Relevance follows the Inception contract, and its weights really come through huggingface_hub.

The download tests run ``relevance`` in a fresh Python with ``HF_ENDPOINT`` pointed at a local
stand-in for the hub (hubkit.py) and ``HF_HOME`` in a temporary folder, as a user's shell would
set them: weights fetched once, cached, then used; offline ``auto`` and ``required``; a download
whose bytes do not match the hub's SHA-256.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from hubkit import REPO, TINY_CLIP, Hub, serve, tiny_clip_files, weights_in_cache

from ganpipe.curate import hub as hub_module
from ganpipe.curate.hub import WeightsUnavailableError, candidates, fetch, hub_model
from ganpipe.curate.relevance import RelevanceUnavailableError, relevance
from ganpipe.data import ImageSet
from ganpipe.errors import UserError
from ganpipe.params import CurateParams

DATA = ImageSet(
    torch.zeros(2, 3, 8, 8, dtype=torch.uint8), torch.tensor([0, 1]), ["a", "b"], ["x", "y"]
)
HUB_PARAMS = CurateParams(relevance="auto", relevance_model=f"hf-hub:{REPO}")
RUN = """
import json, sys, torch
from ganpipe.curate.relevance import relevance
from ganpipe.data import ImageSet
from ganpipe.params import CurateParams
images = torch.randint(0, 256, (4, 3, 8, 8), dtype=torch.uint8,
                       generator=torch.Generator().manual_seed(0))
data = ImageSet(images, torch.tensor([0, 1, 0, 1]), ["cat", "dog"], list("wxyz"))
for mode in sys.argv[2:]:
    params = CurateParams(relevance=mode, relevance_model=sys.argv[1])
    try:
        got = relevance(data, {"cat": "a cat", "dog": "a dog"}, params)
        out = got.record() | {"scores": None if got.scores is None else got.scores.tolist(),
                              "reasons": None if got.signal is None else list(got.signal.reasons)}
    except Exception as err:
        out = {"error": type(err).__name__, "message": str(err)}
    print(json.dumps(out))
"""


def run_relevance(endpoint: str, hf_home: Path, *modes: str) -> tuple[list[dict[str, Any]], str]:
    """``relevance`` in a fresh interpreter per call, once per mode: results, and all it printed."""
    env = os.environ | {"HF_ENDPOINT": endpoint, "HF_HOME": str(hf_home), "NO_PROXY": "127.0.0.1"}
    env.pop("HF_HUB_OFFLINE", None)
    env.pop("HF_HUB_CACHE", None)
    done = subprocess.run(
        [sys.executable, "-c", RUN, f"hf-hub:{REPO}", *modes],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()[-len(modes) :]
    return [json.loads(line) for line in lines], done.stdout + done.stderr


def reference_scores(tmp_path: Path, files: dict[str, bytes]) -> list[float]:
    """The same weights loaded from a local file, as ``curate.relevance_weights`` would name it."""
    import open_clip

    (tmp_path / "ganpipe-tiny.json").write_text(json.dumps(TINY_CLIP))
    open_clip.add_model_config(tmp_path / "ganpipe-tiny.json")
    weights = tmp_path / "tiny.bin"
    weights.write_bytes(files["open_clip_pytorch_model.bin"])
    images = torch.randint(
        0, 256, (4, 3, 8, 8), dtype=torch.uint8, generator=torch.Generator().manual_seed(0)
    )
    data = ImageSet(images, torch.tensor([0, 1, 0, 1]), ["cat", "dog"], list("wxyz"))
    params = CurateParams(
        relevance="required", relevance_model="ganpipe-tiny", relevance_weights=str(weights)
    )
    got = relevance(data, {"cat": "a cat", "dog": "a dog"}, params)
    assert got.scores is not None
    return got.scores.tolist()


def test_weights_are_downloaded_once_cached_and_used(tmp_path: Path) -> None:
    files = tiny_clip_files(seed=0)
    hf_home = tmp_path / "hf"
    with serve(Hub(files)) as hub:
        (first,), printed = run_relevance(hub.url, hf_home, "auto")
        asked_first = list(hub.log)
        (second,), printed_again = run_relevance(hub.url, hf_home, "auto")
    assert first["status"] == "ok", first
    size = len(files["open_clip_pytorch_model.bin"]) / 1e6
    assert f"downloading {REPO}/open_clip_pytorch_model.bin ({size:.1f} MB)" in printed
    resolve = f"/{REPO}/resolve/main/"
    assert f"HEAD {resolve}open_clip_model.safetensors" in asked_first  # 404: the .bin is next
    assert f"GET {resolve}open_clip_pytorch_model.bin" in asked_first
    assert f"GET {resolve}open_clip_config.json" in asked_first
    assert len(weights_in_cache(hf_home)) == 1
    assert hub.log == asked_first, "the cached run asked the hub again"
    assert "downloading" not in printed_again
    assert second["scores"] == first["scores"]
    assert np.allclose(first["scores"], reference_scores(tmp_path, files), atol=1e-9)
    assert all(0 < s < 1 for s in first["scores"]) and len(first["reasons"]) == 4


def test_offline_auto_records_why_and_required_fails(tmp_path: Path) -> None:
    with serve(Hub({})) as hub:
        closed = hub.url  # the port is free again after the block: nothing listens there
    (auto, required), _ = run_relevance(closed, tmp_path / "hf", "auto", "required")
    assert auto["status"] == "unavailable" and auto["scores"] is None
    assert f"cannot reach {closed} for {REPO}/open_clip_model.safetensors" in auto["reason"]
    assert required["error"] == "RelevanceUnavailableError"
    assert required["message"].startswith(f"relevance unavailable for open_clip hf-hub:{REPO}")
    assert "cannot reach" in required["message"]


def test_a_corrupt_download_is_deleted_and_refused(tmp_path: Path) -> None:
    files = tiny_clip_files(seed=0)
    good = files["open_clip_pytorch_model.bin"]
    broken = files | {"open_clip_pytorch_model.bin": good[:-64] + bytes(64)}

    with serve(Hub(broken, weights_etag=hashlib.sha256(good).hexdigest())) as hub:
        (got,), _ = run_relevance(hub.url, tmp_path / "hf", "auto")
    assert got["status"] == "unavailable"
    assert "corrupt download: open_clip_pytorch_model.bin has SHA-256" in got["reason"]
    assert "the next run downloads it again" in got["reason"]
    assert weights_in_cache(tmp_path / "hf") == []
    with serve(Hub(files)) as hub:  # the next run, the hub serving the right bytes
        (again,), _ = run_relevance(hub.url, tmp_path / "hf", "auto")
    assert again["status"] == "ok"


def test_hub_offline_mode_asks_nothing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(hub_module.constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(hub_module.constants, "HF_HUB_CACHE", str(tmp_path))
    with pytest.raises(WeightsUnavailableError, match="HF_HUB_OFFLINE is set"):
        fetch(REPO, ("open_clip_model.safetensors",))
    got = relevance(DATA, {}, HUB_PARAMS)
    assert got.status == "unavailable" and "HF_HUB_OFFLINE is set" in got.reason


def test_off_is_skipped() -> None:
    got = relevance(DATA, {}, CurateParams(relevance="off"))
    assert got.status == "skipped" and got.scores is None and got.signal is None


def test_a_missing_weights_file_is_named(tmp_path: Path) -> None:
    params = replace(CurateParams(), relevance_weights=str(tmp_path / "clip.safetensors"))
    got = relevance(DATA, {}, params)
    assert got.status == "unavailable" and str(tmp_path / "clip.safetensors") in got.reason
    with pytest.raises(RelevanceUnavailableError, match="which does not exist"):
        relevance(DATA, {}, replace(params, relevance="required"))


def test_open_clip_tags_name_their_hub_files() -> None:
    found = hub_model("ViT-B-32", "openai")
    assert found.repo == "timm/vit_base_patch32_clip_224.openai" and found.quick_gelu
    assert found.weights == ("open_clip_model.safetensors", "open_clip_pytorch_model.bin")
    assert candidates("model.pth") == ("model.safetensors", "model.pth")
    with pytest.raises(UserError, match=r"known tags: .*openai"):
        hub_model("ViT-B-32", "no-such-tag")
