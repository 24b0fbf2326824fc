"""Public datasets (MNIST, Fashion-MNIST, EMNIST, CIFAR-10) read from local files when present.

Lookup order: the source's ``root`` folder, then the Debian package location
(``/usr/share/datasets/<name>``), then the ganpipe download cache, then a download through
torchvision (the real path for online users). Offline with none of these, one sentence says
what to install or where to put which files.
"""

from __future__ import annotations

import gzip
import os
import pickle
import string
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ganpipe.errors import UserError

FASHION_CLASSES = [
    "T-shirt-top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle-boot",
]
CIFAR10_CLASSES = [
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
]
BYCLASS_CLASSES = (
    list(string.digits)
    + [f"upper-{c}" for c in string.ascii_uppercase]
    + [f"lower-{c}" for c in string.ascii_lowercase]
)


class DatasetUnavailable(UserError):
    """The dataset is neither on this machine nor downloadable right now."""


@dataclass(frozen=True)
class DatasetSpec:
    """Where a dataset's files are and how its labels read."""

    title: str
    torchvision_class: str
    torchvision_folder: str  # sub-folder torchvision downloads into
    files: dict[str, tuple[str, str]]  # split -> (images file, labels file)
    classes: list[str]
    debian_package: str = ""
    label_offset: int = 0  # EMNIST letters count from 1
    transposed: bool = False  # EMNIST is stored column-major


def _idx_files(prefix: str = "") -> dict[str, tuple[str, str]]:
    return {
        "train": (f"{prefix}train-images-idx3-ubyte", f"{prefix}train-labels-idx1-ubyte"),
        "test": (f"{prefix}t10k-images-idx3-ubyte", f"{prefix}t10k-labels-idx1-ubyte"),
    }


def _emnist_files(split: str) -> dict[str, tuple[str, str]]:
    return {
        s: (f"emnist-{split}-{s}-images-idx3-ubyte", f"emnist-{split}-{s}-labels-idx1-ubyte")
        for s in ("train", "test")
    }


SPECS: dict[str, DatasetSpec] = {
    "mnist": DatasetSpec(
        "MNIST", "MNIST", "MNIST/raw", _idx_files(), list(string.digits), debian_package=""
    ),
    "fashion-mnist": DatasetSpec(
        "Fashion-MNIST",
        "FashionMNIST",
        "FashionMNIST/raw",
        _idx_files(),
        FASHION_CLASSES,
        debian_package="dataset-fashion-mnist",
    ),
    "emnist-letters": DatasetSpec(
        "EMNIST letters",
        "EMNIST",
        "EMNIST/raw",
        _emnist_files("letters"),
        list(string.ascii_uppercase),
        label_offset=1,
        transposed=True,
    ),
    "emnist-byclass": DatasetSpec(
        "EMNIST byclass",
        "EMNIST",
        "EMNIST/raw",
        _emnist_files("byclass"),
        BYCLASS_CLASSES,
        transposed=True,
    ),
    "cifar10": DatasetSpec(
        "CIFAR-10",
        "CIFAR10",
        "cifar-10-batches-py",
        {"train": ("data_batch_1", ""), "test": ("test_batch", "")},
        CIFAR10_CLASSES,
    ),
}


def cache_dir() -> Path:
    """Where downloaded datasets live: $GANPIPE_DATA_HOME, else ~/.cache/ganpipe/datasets."""
    default = Path.home() / ".cache" / "ganpipe" / "datasets"
    return Path(os.environ.get("GANPIPE_DATA_HOME", default))


def _find(folder: Path, name: str) -> Path | None:
    for candidate in (folder / name, folder / f"{name}.gz"):
        if candidate.exists():
            return candidate
    return None


def _candidate_folders(name: str, root: str) -> list[Path]:
    spec = SPECS[name]
    folders = [Path(root)] if root else []
    folders.append(Path("/usr/share/datasets") / name)
    folders.append(cache_dir() / spec.torchvision_folder)
    return folders


def locate(name: str, split: str, root: str = "") -> Path:
    """The folder holding the files of ``split``; downloads through torchvision if none does."""
    spec = SPECS[name]
    wanted = spec.files[split][0]
    for folder in _candidate_folders(name, root):
        if _find(folder, wanted):
            return folder
    _download(name, split)
    folder = cache_dir() / spec.torchvision_folder
    if not _find(folder, wanted):
        raise DatasetUnavailable(f"{spec.title}: download finished but {wanted} is not in {folder}")
    return folder


def _download(name: str, split: str) -> None:
    import torchvision.datasets as tvd

    spec = SPECS[name]
    kwargs: dict[str, object] = {
        "root": str(cache_dir()),
        "download": True,
        "train": split == "train",
    }
    if spec.torchvision_class == "EMNIST":
        kwargs["split"] = name.removeprefix("emnist-")
    try:
        getattr(tvd, spec.torchvision_class)(**kwargs)
    except Exception as err:  # torchvision raises URLError, RuntimeError, OSError ...
        raise DatasetUnavailable(_offline_message(name, split, err)) from err


def _offline_message(name: str, split: str, err: Exception) -> str:
    spec = SPECS[name]
    files = ", ".join(f for f in spec.files[split] if f)
    install = (
        f"install the Debian package {spec.debian_package}, or " if spec.debian_package else ""
    )
    cause = " ".join(str(err).split())  # torchvision's message spans lines; keep one sentence
    return (
        f"{spec.title} is not on this machine and could not be downloaded ({cause}); "
        f"{install}put {files} (optionally .gz) in a folder and set that folder as the "
        f"source's `root` in params.yaml (looked in: "
        f"{', '.join(str(p) for p in _candidate_folders(name, ''))})."
    )


def read_idx(path: Path) -> np.ndarray:
    """Read an IDX file (optionally gzipped) into a numpy array."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise UserError(f"{path}: not an unsigned-byte IDX file")
    ndim = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    body = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if body.size != int(np.prod(shape)):
        raise UserError(f"{path}: truncated IDX file ({body.size} of {np.prod(shape)} bytes)")
    return body.reshape(shape)


def _read_cifar(folder: Path, split: str) -> tuple[np.ndarray, np.ndarray]:
    names = [f"data_batch_{i}" for i in range(1, 6)] if split == "train" else ["test_batch"]
    images, labels = [], []
    for n in names:
        with (folder / n).open("rb") as f:
            batch = pickle.load(f, encoding="bytes")
        images.append(batch[b"data"].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))
        labels.append(np.asarray(batch[b"labels"]))
    return np.concatenate(images), np.concatenate(labels)


def load_arrays(name: str, split: str, root: str = "") -> tuple[np.ndarray, np.ndarray]:
    """Images (N, H, W[, C]) uint8 and integer labels (0-based) of one split."""
    spec = SPECS[name]
    folder = locate(name, split, root)
    if name == "cifar10":
        return _read_cifar(folder, split)
    img_file, lbl_file = (_find(folder, f) for f in spec.files[split])
    if img_file is None or lbl_file is None:
        raise DatasetUnavailable(f"{spec.title}: {folder} lacks the {split} labels file")
    images, labels = read_idx(img_file), read_idx(lbl_file).astype(np.int64) - spec.label_offset
    if spec.transposed:
        images = images.transpose(0, 2, 1)
    return np.ascontiguousarray(images), labels


def iter_samples(
    name: str, split: str, root: str, per_class: int
) -> Iterator[tuple[str, np.ndarray, str]]:
    """(class name, image, origin) in file order, at most ``per_class`` per class (0 = all)."""
    spec = SPECS[name]
    splits = ["train", "test"] if split == "both" else [split]
    taken = np.zeros(len(spec.classes), dtype=np.int64)
    for s in splits:
        images, labels = load_arrays(name, s, root)
        for index, (image, label) in enumerate(zip(images, labels, strict=True)):
            if per_class and taken[label] >= per_class:
                continue
            taken[label] += 1
            yield spec.classes[label], image, f"{name}:{s}:{index}"
