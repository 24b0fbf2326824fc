"""Inception metrics: the offline branches (no weights here) and the computation path with a tiny
stand-in extractor registered in torch-fidelity, so no 92 MB download is needed."""

from __future__ import annotations

import threading
import urllib.error
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
import torch

from ganpipe.metrics import inception
from ganpipe.metrics.frechet import feature_statistics, frechet_distance
from ganpipe.metrics.inception import (
    INCEPTION_FILE,
    INCEPTION_URL,
    METRIC_KEYS,
    InceptionUnavailableError,
    InceptionUnavailableWarning,
    inception_metrics,
    resolve_weights,
    sha256_file,
)

torch_fidelity = pytest.importorskip("torch_fidelity")
from torch_fidelity.feature_extractor_base import FeatureExtractorBase  # noqa: E402
from torch_fidelity.registry import FEATURE_EXTRACTORS_REGISTRY  # noqa: E402

TINY = "ganpipe-test-tiny"


class TinyExtractor(FeatureExtractorBase):
    """4×4-pooled pixels as '2048' features and a fixed linear map as logits."""

    def __init__(self, name, features_list, feature_extractor_weights_path=None, **kwargs):
        super().__init__(name, features_list)
        self.proj = torch.nn.Linear(48, 10)
        self.proj.load_state_dict(torch.load(feature_extractor_weights_path))

    def forward(self, x):
        assert x.dtype == torch.uint8 and x.shape[1] == 3
        f = torch.nn.functional.adaptive_avg_pool2d(x.float() / 255, 4).flatten(1)
        return f, self.proj(f)

    @staticmethod
    def get_provided_features_list():
        return ("2048", "logits_unbiased")

    @staticmethod
    def get_default_feature_layer_for_metric(metric):
        return {"fid": "2048", "kid": "2048", "isc": "logits_unbiased"}[metric]

    @staticmethod
    def can_be_compiled():
        return False

    @staticmethod
    def get_dummy_input_for_compile():
        return None


if TINY not in FEATURE_EXTRACTORS_REGISTRY:
    torch_fidelity.register_feature_extractor(TINY, TinyExtractor)


@pytest.fixture
def offline(monkeypatch):
    def refuse(url, dst, hash_prefix=None, progress=True):
        raise urllib.error.URLError("network is unreachable (test)")

    monkeypatch.setattr(torch.hub, "download_url_to_file", refuse)


@pytest.fixture
def weights_server() -> Iterator[str]:
    """A local HTTP server: ``/<INCEPTION_FILE>`` is a small stand-in file, the rest 404."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            found = self.path == f"/{INCEPTION_FILE}"
            body = FAKE_WEIGHTS if found else b"not here"
            self.send_response(200 if found else 404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


FAKE_WEIGHTS = bytes(range(256)) * 1000


def _pool(x: torch.Tensor) -> np.ndarray:
    """The stand-in's features, computed independently of the metric code."""
    pooled = torch.nn.functional.adaptive_avg_pool2d(x.expand(-1, 3, -1, -1).float() / 255, 4)
    return pooled.flatten(1).double().numpy()


def _images(n: int, seed: int, shift: int = 0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    x = torch.randint(0, 200, (n, 1, 28, 28), generator=g) + shift
    return x.clamp(0, 255).to(torch.uint8)


def test_url_constant_matches_torch_fidelity() -> None:
    from torch_fidelity.feature_extractor_inceptionv3 import URL_INCEPTION_V3

    assert INCEPTION_URL == URL_INCEPTION_V3
    assert INCEPTION_FILE == "weights-inception-2015-12-05-6726825d.pth"


def test_auto_offline_records_unavailable_with_instructions(tmp_path: Path, offline) -> None:
    with pytest.warns(InceptionUnavailableWarning, match=INCEPTION_FILE):
        out = inception_metrics(_images(4, 0), _images(4, 1), "auto", hub_dir=tmp_path)
    assert out["inception_status"] == "unavailable"
    assert all(out[k] is None for k in METRIC_KEYS)  # never a fake number
    expected_path = tmp_path / "checkpoints" / INCEPTION_FILE
    for needle in (INCEPTION_FILE, INCEPTION_URL, str(expected_path), "evaluate.inception_weights"):
        assert needle in out["inception_reason"]
    assert "download failed" in out["inception_reason"]
    assert out["inception_weights_path"] == str(expected_path)
    assert not expected_path.exists()


def test_required_offline_raises(tmp_path: Path, offline) -> None:
    with pytest.raises(InceptionUnavailableError, match=r"evaluate\.inception_weights"):
        inception_metrics(_images(4, 0), _images(4, 1), "required", hub_dir=tmp_path)


def test_explicit_missing_path_is_not_replaced_by_cache(tmp_path: Path) -> None:
    (tmp_path / "checkpoints").mkdir()
    (tmp_path / "checkpoints" / INCEPTION_FILE).write_bytes(b"cached")
    missing = tmp_path / "nope.pth"
    res = resolve_weights(missing, hub_dir=tmp_path, download=False)
    assert res.path is None and res.looked_at == missing
    with pytest.raises(InceptionUnavailableError, match="which does not exist"):
        inception_metrics(_images(4, 0), _images(4, 1), "required", missing, hub_dir=tmp_path)


def test_resolution_order(tmp_path: Path) -> None:
    cached = tmp_path / "hub" / "checkpoints" / INCEPTION_FILE
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"x")
    explicit = tmp_path / "mine.pth"
    explicit.write_bytes(b"y")
    assert resolve_weights(explicit, tmp_path / "hub").source == "param"
    assert resolve_weights(None, tmp_path / "hub").path == cached
    assert resolve_weights(None, tmp_path / "empty", download=False).path is None


def test_download_goes_to_the_hub_cache(tmp_path: Path, weights_server: str) -> None:
    res = resolve_weights(None, tmp_path, url=f"{weights_server}/{INCEPTION_FILE}")
    assert (res.source, res.path) == ("download", tmp_path / "checkpoints" / INCEPTION_FILE)
    assert res.path.read_bytes() == FAKE_WEIGHTS
    assert resolve_weights(None, tmp_path, download=False).source == "torch-cache"


def test_failed_download_leaves_no_file(tmp_path: Path, weights_server: str) -> None:
    res = resolve_weights(None, tmp_path, url=f"{weights_server}/missing.pth")
    assert res.path is None
    assert "download failed: HTTP Error 404" in res.reason
    assert list((tmp_path / "checkpoints").iterdir()) == []


def test_off_is_skipped_and_bad_mode_rejected() -> None:
    out = inception_metrics(_images(2, 0), _images(2, 1), "off")
    assert out["inception_status"] == "skipped"
    assert all(out[k] is None for k in METRIC_KEYS)
    with pytest.raises(ValueError, match="auto"):
        inception_metrics(_images(2, 0), _images(2, 1), "sometimes")


def test_computation_path_with_stand_in_extractor(tmp_path: Path) -> None:
    weights = tmp_path / "tiny.pth"
    torch.manual_seed(0)
    torch.save(torch.nn.Linear(48, 10).state_dict(), weights)
    real, fake = _images(120, 0), _images(100, 1, shift=40)
    kwargs = dict(extractor_name=TINY, cache_dir=tmp_path / "cache", kid_subset_size=50)
    out = inception_metrics(fake, real, "required", weights, **kwargs)
    assert out["inception_status"] == "ok"
    assert out["inception_weights_sha256"] == sha256_file(weights)
    assert (out["inception_n_real"], out["inception_n_fake"]) == (120, 100)

    expected = frechet_distance(*feature_statistics(_pool(real)), *feature_statistics(_pool(fake)))
    assert out["fid_inception"] == pytest.approx(expected, rel=1e-6)
    assert out["kid_inception_mean"] > 0
    assert 1.0 <= out["is_inception_mean"] <= 10.0
    assert len(list((tmp_path / "cache").glob("inception-*.npy"))) == 1
    again = inception_metrics(fake, real, "required", weights, **kwargs)  # real features cached
    assert again["fid_inception"] == out["fid_inception"]


def test_rejects_wrong_channel_count() -> None:
    with pytest.raises(ValueError, match="uint8"):
        inception._to_rgb_uint8(torch.zeros(1, 4, 8, 8, dtype=torch.uint8))
    assert np.array_equal(
        inception._to_rgb_uint8(torch.ones(1, 1, 2, 2, dtype=torch.uint8)).shape, (1, 3, 2, 2)
    )
