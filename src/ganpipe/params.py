"""Typed, validated view of ``params.yaml``: one frozen dataclass per section.

Every stage calls :func:`load_section` for the sections it reads. A typo or a bad value
stops the stage before it does any work, with a message naming the key and what is allowed.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar, get_args, get_origin

import yaml

T = TypeVar("T")


class ParamsError(ValueError):
    """A params.yaml key is unknown or holds a value outside what is allowed."""


# --------------------------------------------------------------------------- generic checking


# YAML 1.1 reads a bare off / on as a boolean, and `dvc exp run -S` writes params.yaml back
# without the quotes that kept "off" a string: read them back as the words they were.
YAML_BOOL_WORDS = {False: "off", True: "on"}


def _type_name(tp: Any) -> str:
    if get_origin(tp) is Literal:
        return " | ".join(repr(a) for a in get_args(tp))
    return getattr(tp, "__name__", str(tp)).replace("typing.", "")


def _convert(value: Any, tp: Any, key: str) -> Any:
    """Check ``value`` against the annotation ``tp``; return it (nested dataclasses built)."""
    origin = get_origin(tp)
    if origin is Literal:
        if isinstance(value, bool) and YAML_BOOL_WORDS[value] in get_args(tp):
            value = YAML_BOOL_WORDS[value]
        if value not in get_args(tp):
            raise ParamsError(f"{key}: got {value!r}; allowed: {_type_name(tp)}")
        return value
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in get_args(tp):
            return None
        errors = []
        for option in (a for a in get_args(tp) if a is not type(None)):
            try:
                return _convert(value, option, key)
            except ParamsError as err:
                errors.append(str(err))
        raise ParamsError(errors[-1])
    if origin is list:
        if not isinstance(value, list):
            raise ParamsError(f"{key}: expected a list, got {value!r}")
        (item_tp,) = get_args(tp)
        return [_convert(v, item_tp, f"{key}[{i}]") for i, v in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            raise ParamsError(f"{key}: expected a mapping, got {value!r}")
        k_tp, v_tp = get_args(tp)
        return {
            _convert(k, k_tp, f"{key} key"): _convert(v, v_tp, f"{key}.{k}")
            for k, v in value.items()
        }
    if dataclasses.is_dataclass(tp):
        return build(tp, value, key)
    if tp is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if tp is Any:
        return value
    if not isinstance(value, tp) or (tp is int and isinstance(value, bool)):
        raise ParamsError(f"{key}: expected {_type_name(tp)}, got {value!r}")
    return value


def build(cls: type[T], data: Any, where: str) -> T:
    """Build dataclass ``cls`` from a mapping, rejecting unknown keys by name."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ParamsError(f"{where}: expected a mapping of keys, got {data!r}")
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    for key in data:
        if key not in names:
            close = difflib.get_close_matches(str(key), names, n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            raise ParamsError(
                f"{where}.{key}: unknown key.{hint} Allowed keys: {', '.join(sorted(names))}"
            )
    values = {k: _convert(v, hints[k], f"{where}.{k}") for k, v in data.items()}
    obj = cls(**values)
    check = getattr(obj, "check", None)
    if check is not None:
        check(where)
    return obj


def _require(ok: bool, key: str, message: str) -> None:
    if not ok:
        raise ParamsError(f"{key}: {message}")


def _check_range(obj: Any, where: str, name: str, lo: float, hi: float) -> None:
    value = getattr(obj, name)
    _require(lo <= value <= hi, f"{where}.{name}", f"got {value!r}; allowed: {lo} to {hi}")


def _check_workers(workers: int, where: str) -> None:
    _require(workers >= 0, f"{where}.workers", "must be >= 0 (0 = all cores)")


def _check_colour(value: str, key: str) -> None:
    ok = value.startswith("#") and len(value) == 7
    try:
        int(value[1:], 16)
    except ValueError:
        ok = False
    _require(ok, key, f"got {value!r}; allowed: a colour written as '#rrggbb'")


# --------------------------------------------------------------------------- sections

DatasetName = Literal["mnist", "fashion-mnist", "emnist-letters", "emnist-byclass", "cifar10"]
SourceKind = Literal[
    "dataset", "folder", "flat-folder", "csv", "urls", "bing", "duckduckgo", "google"
]
WEB_ENGINES = ("bing", "duckduckgo", "google")


@dataclass(frozen=True)
class Source:
    """One place images come from. Which keys apply depends on ``kind``."""

    kind: SourceKind
    name: DatasetName | None = None  # kind=dataset
    root: str = ""  # local folder: dataset IDX files, class sub-folders, CSV image folder
    split: Literal["train", "test", "both"] = "train"  # kind=dataset
    per_class: int = 0  # cap per class; 0 = no cap
    csv: str = ""  # kind=csv
    path_column: str = "path"
    label_column: str = "label"
    label: str = "all"  # kind=flat-folder: the one class every file gets
    queries: dict[str, str] = field(default_factory=dict)  # web engines: class -> query
    url_files: dict[str, str] = field(default_factory=dict)  # kind=urls: class -> file
    class_map: dict[str, str] = field(default_factory=dict)  # source label -> class name
    base_url: str = ""  # web engines: override the engine's address (tests, mirrors)

    def check(self, where: str) -> None:
        _require(self.per_class >= 0, f"{where}.per_class", "must be >= 0 (0 = no cap)")
        needs = {
            "dataset": ("name", self.name),
            "folder": ("root", self.root),
            "flat-folder": ("root", self.root),
            "csv": ("csv", self.csv),
            "urls": ("url_files", self.url_files),
        }
        if self.kind in WEB_ENGINES:
            needs[self.kind] = ("queries", self.queries)
        key, value = needs[self.kind]
        _require(bool(value), f"{where}.{key}", f"required when kind is '{self.kind}'")


@dataclass(frozen=True)
class ScrapeParams:
    """Where images come from and how politely the web is asked for them."""

    sources: list[Source] = field(default_factory=list)
    classes: list[str] = field(default_factory=list)  # keep only these; empty = all found
    workers: int = 8  # download threads
    per_host_rate: float = 2.0  # requests per second per host; 0 = no limit (benchmarks)
    connect_timeout: float = 5.0
    read_timeout: float = 20.0
    total_timeout: float = 120.0  # whole download incl. redirects and retries (slow trickles)
    retries: int = 4
    backoff: float = 1.0  # first retry wait in seconds when no Retry-After; doubles per retry
    max_retry_wait: float = 60.0  # cap on any one wait, Retry-After included
    max_bytes: int = 20_000_000
    user_agent: str = "ganpipe/0.1 (+https://github.com/ganpipe/ganpipe)"
    respect_robots: bool = True
    safe_search: bool = True
    image_size_filter: Literal["any", "large", "medium", "small"] = "any"
    image_type_filter: Literal["any", "photo", "clipart", "line", "transparent"] = "any"
    max_pages: int = 20
    chromium: str = "/usr/bin/chromium"  # kind=google: browser binary
    chromedriver: str = "/usr/bin/chromedriver"  # kind=google: matching driver

    def check(self, where: str) -> None:
        _require(len(self.sources) > 0, f"{where}.sources", "at least one source is needed")
        _check_range(self, where, "workers", 1, 64)
        _require(self.per_host_rate >= 0, f"{where}.per_host_rate", "must be >= 0 (0 = no limit)")
        for name in ("connect_timeout", "read_timeout", "total_timeout"):
            _require(getattr(self, name) > 0, f"{where}.{name}", "must be > 0")
        _require(self.backoff >= 0, f"{where}.backoff", "must be >= 0")
        _require(self.max_retry_wait >= 0, f"{where}.max_retry_wait", "must be >= 0")
        _require(self.max_pages >= 1, f"{where}.max_pages", "must be >= 1")
        _require(self.retries >= 0, f"{where}.retries", "must be >= 0")
        _require(self.max_bytes > 0, f"{where}.max_bytes", "must be > 0")


@dataclass(frozen=True)
class FilterParams:
    """What counts as a usable image."""

    min_side: int = 8
    aspect_min: float = 0.25
    aspect_max: float = 4.0
    max_pixels: int = 50_000_000  # decompression-bomb cap
    blank_std: float = 2.0  # pixel std (0-255) at or below which an image is blank
    near_duplicate_hamming: int = 4  # perceptual-hash distance; -1 disables
    animated: Literal["first-frame", "reject"] = "first-frame"
    reject_list: str = "reject.txt"
    contact_sheets: bool = True
    review_per_class: int = 1000  # images per class on the contact sheets; 0 = all
    workers: int = 0  # 0 = all cores

    def check(self, where: str) -> None:
        _require(self.min_side >= 1, f"{where}.min_side", "must be >= 1")
        _require(self.review_per_class >= 0, f"{where}.review_per_class", "must be >= 0 (0 = all)")
        _require(
            0 < self.aspect_min <= 1 <= self.aspect_max,
            f"{where}.aspect_min",
            "need 0 < aspect_min <= 1 <= aspect_max",
        )
        _check_range(self, where, "near_duplicate_hamming", -1, 64)
        _check_workers(self.workers, where)


@dataclass(frozen=True)
class ReduceParams:
    """Colour handling: every image leaves as RGB or single-channel PNG."""

    mode: Literal["RGB", "L"] = "RGB"
    background: str = "#ffffff"  # alpha is composited over this
    workers: int = 0

    def check(self, where: str) -> None:
        _check_colour(self.background, f"{where}.background")
        _check_workers(self.workers, where)


@dataclass(frozen=True)
class ResizeParams:
    """Bring every image to one square size.

    Named ``image_size``, not ``size``: DVC's run cache ignores params keys called ``size``
    (it strips them as file metadata), so a changed ``size`` would restore a stale output.
    """

    image_size: int = 64
    mode: Literal["letterbox", "center-crop", "stretch"] = "letterbox"
    filter: Literal["area", "lanczos"] = "area"
    upscale: bool = False  # allow enlarging images smaller than ``image_size``
    workers: int = 0

    def check(self, where: str) -> None:
        _check_range(self, where, "image_size", 28, 512)
        _check_workers(self.workers, where)


@dataclass(frozen=True)
class AugmentParams:
    """Offline augmentation chains written in the car-logo seed's codes."""

    chains: list[str] = field(default_factory=list)  # e.g. "fliph", "rot_-45 noise_0.01"
    copies: int = 1  # copies per chain per image
    seed: int = 0
    workers: int = 0

    def check(self, where: str) -> None:
        _check_range(self, where, "copies", 1, 100)
        _check_workers(self.workers, where)
        from ganpipe.augment import ChainError, parse_chain  # the codes live with augment

        for i, chain in enumerate(self.chains):
            try:
                parse_chain(chain)
            except ChainError as err:
                raise ParamsError(f"{where}.chains[{i}]: {err}") from err


@dataclass(frozen=True)
class TrainParams:
    """The GAN, its losses and its schedule. Counts are in images, as in StyleGAN2-ADA."""

    seed: int = 0
    preset: Literal["", "seed-emnist"] = ""
    mode: Literal["acgan", "dcgan"] = "acgan"
    z_dim: int = 100
    g_channels: int = 128  # widest G layer; halves per upsampling
    d_channels: int = 64  # first D layer; doubles per downsampling
    upsample: Literal["transpose", "nearest"] = "transpose"
    conditioning: Literal["embed-mul", "onehot-concat", "cbn"] = "embed-mul"
    g_batchnorm: bool = True
    d_spectral_norm: bool = False
    d_dropout: float = 0.0
    # D's heads: "acgan" (real/fake + K classes) or "ssl", one K+1-way softmax whose last class
    # is "fake" (Salimans et al. 2016; the car-logo seed's SSL-GAN)
    d_head: Literal["acgan", "ssl"] = "acgan"
    # Share of each class's real images whose label D's class loss sees; below 1 the rest train
    # only real vs fake (semi-supervised, as SSL-GANs are meant to be used)
    labelled_fraction: float = 1.0
    leaky_slope: float = 0.2
    loss: Literal["bce", "hinge"] = "bce"
    aux_weight: float = 1.0
    d_aux_on_fake: bool = False  # original AC-GAN also trains D's class head on fakes
    label_smoothing: float = 1.0  # target for real images; 0.9 = one-sided smoothing
    d_steps: int = 1  # D updates per G update
    lr_g: float = 2e-4
    lr_d: float = 2e-4
    betas_g: list[float] = field(default_factory=lambda: [0.5, 0.999])
    betas_d: list[float] = field(default_factory=lambda: [0.5, 0.999])
    feature_matching: float = 0.0  # weight of the feature-matching term in G's loss
    ema_kimg: float = 10.0  # EMA half-life in thousands of images; 0 disables
    diffaugment: str = ""  # comma list of color, translation, cutout
    balanced_sampling: bool = False
    batch_size: int = 64
    total_kimg: float = 300.0  # training length in thousands of images
    # Stop early after this much training time (0: no limit). Summed over resumes; the result
    # then depends on the machine's speed, so it is for equal-budget comparisons.
    max_minutes: float = 0.0
    tick_kimg: float = 10.0  # status line + DVCLive step
    snapshot_kimg: float = 50.0  # grid + checkpoint
    device: Literal["auto", "cpu", "cuda", "mps"] = "auto"
    amp: bool = True  # bf16 autocast on CUDA only
    compile: bool = False
    threads: int = 0  # torch CPU threads; 0 = all cores
    sync_batchnorm: bool = False  # under torchrun: G's BatchNorm over the global batch (CUDA)

    def check(self, where: str) -> None:
        _require(self.z_dim >= 1, f"{where}.z_dim", "must be >= 1")
        _check_range(self, where, "d_dropout", 0.0, 0.95)
        _check_range(self, where, "label_smoothing", 0.5, 1.0)
        _check_range(self, where, "d_steps", 1, 10)
        _require(self.batch_size >= 2, f"{where}.batch_size", "must be >= 2")
        _require(self.total_kimg > 0, f"{where}.total_kimg", "must be > 0")
        _require(self.max_minutes >= 0, f"{where}.max_minutes", "must be >= 0 (0: no limit)")
        _require(
            0 < self.tick_kimg <= self.snapshot_kimg,
            f"{where}.tick_kimg",
            "need 0 < tick_kimg <= snapshot_kimg",
        )
        for name in ("betas_g", "betas_d"):
            betas = getattr(self, name)
            _require(
                len(betas) == 2 and all(0 <= b < 1 for b in betas),
                f"{where}.{name}",
                f"got {betas!r}; allowed: two numbers in [0, 1)",
            )
        if self.d_head == "ssl":
            _require(
                self.mode == "acgan" and not self.preset,
                f"{where}.d_head",
                "'ssl' needs classes and ganpipe's own D: train.mode acgan, no preset",
            )
            _require(
                not self.d_aux_on_fake,
                f"{where}.d_aux_on_fake",
                "must be false with d_head 'ssl': there fakes belong to the 'fake' class",
            )
        _require(
            0 < self.labelled_fraction <= 1,
            f"{where}.labelled_fraction",
            f"got {self.labelled_fraction!r}; allowed: (0, 1]",
        )
        if self.labelled_fraction < 1:
            _require(
                self.mode == "acgan" and not self.balanced_sampling,
                f"{where}.labelled_fraction",
                "below 1 needs train.mode acgan and balanced_sampling false (balancing "
                "classes needs every image's label)",
            )
        bad = {p.strip() for p in self.diffaugment.split(",") if p.strip()} - {
            "color",
            "translation",
            "cutout",
        }
        _require(
            not bad,
            f"{where}.diffaugment",
            f"unknown policy {sorted(bad)}; allowed: color, translation, cutout",
        )


@dataclass(frozen=True)
class SampleParams:
    """What the sample stage writes from the trained generator."""

    per_class: int = 100
    seed: int = 0
    grid_columns: int = 10
    interpolation_steps: int = 8
    checkpoint: Literal["ema", "best"] = "ema"

    def check(self, where: str) -> None:
        _require(self.per_class >= 1, f"{where}.per_class", "must be >= 1")
        _check_range(self, where, "grid_columns", 1, 64)


@dataclass(frozen=True)
class ClassifierParams:
    """The domain classifier that gives offline features and conditional accuracy."""

    epochs: int = 3
    batch_size: int = 128
    lr: float = 1e-3
    holdout: float = 0.1  # share of real images held out for evaluation
    seed: int = 0

    def check(self, where: str) -> None:
        _check_range(self, where, "holdout", 0.01, 0.5)
        _require(self.epochs >= 1, f"{where}.epochs", "must be >= 1")


@dataclass(frozen=True)
class EvaluateParams:
    """How generated images are scored (DESIGN.md, Evaluation)."""

    n_real: int = 10000  # cap on held-out real images
    inception: Literal["auto", "required", "off"] = "auto"
    inception_weights: str = ""
    inception_n: int = 5000  # cap on images per side for InceptionV3 (slow on a CPU)
    kid_subsets: int = 10
    kid_subset_size: int = 1000
    pr_k: int = 3
    collapse_ratio: float = 0.5  # flag a class when fake diversity < ratio x real

    def check(self, where: str) -> None:
        _require(self.n_real >= 2, f"{where}.n_real", "must be >= 2")
        _require(self.pr_k >= 1, f"{where}.pr_k", "must be >= 1")


SECTIONS: dict[str, type] = {
    "scrape": ScrapeParams,
    "filter": FilterParams,
    "reduce": ReduceParams,
    "resize": ResizeParams,
    "augment": AugmentParams,
    "train": TrainParams,
    "sample": SampleParams,
    "classifier": ClassifierParams,
    "evaluate": EvaluateParams,
}


def load_all(path: str | os.PathLike = "params.yaml") -> dict[str, Any]:
    """Read and validate every section, so a typo anywhere is caught by whichever stage runs."""
    text = Path(path).read_text()
    try:
        raw = yaml.safe_load(text) or {}
    except yaml.YAMLError as err:
        raise ParamsError(f"{path}: not valid YAML: {err}") from err
    if not isinstance(raw, dict):
        raise ParamsError(f"{path}: expected a mapping of sections")
    for key in raw:
        if key not in SECTIONS:
            close = difflib.get_close_matches(str(key), list(SECTIONS), n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            raise ParamsError(
                f"{key}: unknown section.{hint} Allowed sections: {', '.join(SECTIONS)}"
            )
    return {name: build(cls, raw.get(name), name) for name, cls in SECTIONS.items()}


def load_section(name: str, path: str | os.PathLike = "params.yaml") -> Any:
    """The validated dataclass for one section of params.yaml."""
    return load_all(path)[name]
