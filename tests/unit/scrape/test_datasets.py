"""Public datasets from local IDX files; the offline failure is one clear sentence."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from ganpipe.params import ScrapeParams, Source
from ganpipe.scrape import datasets
from ganpipe.scrape.datasets import DatasetUnavailable, iter_samples, load_arrays, read_idx
from ganpipe.stages.scrape import ScrapePaths, run_scrape


def write_idx(path: Path, array: np.ndarray) -> None:
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(
        int(n).to_bytes(4, "big") for n in array.shape
    )
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wb") as f:
        f.write(header + array.astype(np.uint8).tobytes())


@pytest.fixture()
def idx_root(tmp_path: Path) -> Path:
    """A 12-image 'Fashion-MNIST' train split: labels 0,1,2 repeating; image k filled with k."""
    images = np.stack([np.full((28, 28), k, dtype=np.uint8) for k in range(12)])
    write_idx(tmp_path / "train-images-idx3-ubyte.gz", images)
    write_idx(tmp_path / "train-labels-idx1-ubyte.gz", np.arange(12) % 3)
    return tmp_path


def test_read_idx_round_trip(tmp_path: Path) -> None:
    array = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    write_idx(tmp_path / "x-idx3-ubyte", array)
    assert np.array_equal(read_idx(tmp_path / "x-idx3-ubyte"), array)


def test_truncated_idx_is_named(tmp_path: Path) -> None:
    path = tmp_path / "t-idx3-ubyte"
    write_idx(path, np.zeros((2, 3, 4)))
    path.write_bytes(path.read_bytes()[:-5])
    with pytest.raises(ValueError, match=r"truncated IDX file \(19 of 24 bytes\)"):
        read_idx(path)


def test_configured_root_comes_first_and_labels_are_names(idx_root: Path) -> None:
    images, labels = load_arrays("fashion-mnist", "train", str(idx_root))
    assert images.shape == (12, 28, 28) and labels.tolist()[:4] == [0, 1, 2, 0]
    samples = list(iter_samples("fashion-mnist", "train", str(idx_root), per_class=2))
    assert [(name, int(image[0, 0])) for name, image, _ in samples] == [
        ("T-shirt-top", 0),
        ("Trouser", 1),
        ("Pullover", 2),
        ("T-shirt-top", 3),
        ("Trouser", 4),
        ("Pullover", 5),
    ]


def test_offline_without_files_is_one_clear_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GANPIPE_DATA_HOME", str(tmp_path / "cache"))
    # A proxy on a closed local port: torchvision's real download path fails at once.
    for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.setenv(var, "http://127.0.0.1:9")
    monkeypatch.setattr(
        datasets,
        "_candidate_folders",
        lambda name, root: [tmp_path / "nowhere", tmp_path / "cache"],
    )
    with pytest.raises(
        DatasetUnavailable,
        match=r"^MNIST is not on this machine and could "
        r"not be downloaded .*put train-images",
    ):
        load_arrays("mnist", "train", "")


def test_scrape_stage_merges_sources_and_accounts_for_duplicates(
    idx_root: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "folder" / "Bag"
    folder.mkdir(parents=True)
    (folder / "a.png").write_bytes(b"not really a png")
    (folder / "b.png").write_bytes(b"not really a png")  # same bytes: a duplicate
    params = ScrapeParams(
        sources=[
            Source(kind="dataset", name="fashion-mnist", root=str(idx_root), per_class=1),
            Source(kind="folder", root=str(tmp_path / "folder"), class_map={"Bag": "Trouser"}),
        ]
    )
    rows = run_scrape(ScrapePaths(tmp_path / "raw", tmp_path / "scrape.json"), params=params)
    trouser = [r for r in rows if r.label == "Trouser"]
    assert sorted(r.status for r in trouser) == ["kept", "kept", "rejected"]
    assert [r.reason for r in trouser if r.status == "rejected"] == ["duplicate_sha256"]
    assert (tmp_path / "raw" / "manifest.csv").exists()


def test_unknown_class_filter_is_an_error(idx_root: Path, tmp_path: Path) -> None:
    params = ScrapeParams(
        sources=[Source(kind="dataset", name="fashion-mnist", root=str(idx_root))], classes=["Hat"]
    )
    with pytest.raises(ValueError, match=r"scrape.classes: no source gave images for \['Hat'\]"):
        run_scrape(ScrapePaths(tmp_path / "raw", tmp_path / "m.json"), params=params)
