"""Typed, validated view of ``params.yaml``: one frozen pydantic dataclass per section.

Every stage calls :func:`load_section` for the sections it reads; :func:`load_all` validates
every section, so a typo or a bad value anywhere stops the stage before it does any work, with
a message that starts with the key's full path (``train.lr_g: got -1; allowed: > 0``).

Types are strict (``Int``, ``Float``, ``Str``, ``Bool``: no ``"8"`` for 8, no ``true`` for 1;
an int is fine where a float is wanted) and every number has ``Field`` bounds. Sections are
plain dataclasses to the rest of the code: ``dataclasses.asdict`` and ``replace`` work (and
``replace`` validates). Rules that tie several keys together are ``model_validator``s that raise
:class:`Invalid` naming the key.
"""

from __future__ import annotations

import difflib
import os
from functools import cache
from typing import Annotated, Any, Literal, TypeVar, get_args, get_origin

import yaml
from pydantic import (
    ConfigDict,
    Field,
    Strict,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.dataclasses import dataclass, is_pydantic_dataclass
from pydantic.fields import FieldInfo

from ganpipe.chains import ChainError, parse_chain
from ganpipe.limits import (
    ERROR_CHARS,
    MAX_IMAGE_SIDE,
    PARAMS_MAX_BYTES,
    PARAMS_MAX_DEPTH,
    PARAMS_MAX_VALUES,
    brief,
    clip,
)
from ganpipe.registries.metrics import METRIC_NAMES
from ganpipe.registries.sources import SOURCE_KINDS, SOURCES

T = TypeVar("T")

Int = Annotated[int, Strict()]
Float = Annotated[float, Strict()]  # strict still takes an int (as a float: hashes stay equal)
Str = Annotated[str, Strict()]
Bool = Annotated[bool, Strict()]
CONFIG = ConfigDict(extra="forbid")


class ParamsError(ValueError):
    """A params.yaml key is unknown or holds a value outside what is allowed."""


class Invalid(ValueError):
    """Raised by a section's validators: ``key`` (relative to the section) breaks a rule."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key, self.message = key, message


def _require(ok: bool, key: str, message: str) -> None:
    if not ok:
        raise Invalid(key, message)


# YAML 1.1 reads a bare off / on as a boolean, and `dvc exp run -S` writes params.yaml back
# without the quotes that kept "off" a string: read them back as the words they were.
YAML_BOOL_WORDS = {False: "off", True: "on"}


@dataclass(frozen=True, config=CONFIG)
class _Section:
    """What every section (and a source) shares: YAML's off/on read back as words."""

    @model_validator(mode="before")
    @classmethod
    def _yaml_words(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        fields = getattr(cls, "__pydantic_fields__", {})
        out = dict(data)
        for name, value in data.items():
            if isinstance(value, bool) and name in fields:
                choices = get_args(fields[name].annotation)
                if get_origin(fields[name].annotation) is Literal and (
                    YAML_BOOL_WORDS[value] in choices
                ):
                    out[name] = YAML_BOOL_WORDS[value]
        return out


def _workers(default: int = 0) -> Any:
    return Field(default, ge=0, le=256, description="0 = all cores")


def _seed() -> Any:
    return Field(0, ge=0, le=2**32 - 1)


# --------------------------------------------------------------------------- sections

DatasetName = Literal["mnist", "fashion-mnist", "emnist-letters", "emnist-byclass", "cifar10"]
SourceKind = Literal[SOURCE_KINDS]  # the table of kinds: ganpipe/registries/sources.py


@dataclass(frozen=True, config=CONFIG)
class Source(_Section):
    """One place images come from. Which keys apply depends on ``kind``."""

    kind: SourceKind
    name: DatasetName | None = None  # kind=dataset
    root: Str = ""  # local folder: dataset IDX files, class sub-folders, CSV image folder
    split: Literal["train", "test", "both"] = "train"  # kind=dataset
    per_class: Int = Field(0, ge=0, le=10**7, description="cap per class; 0 = no cap")
    csv: Str = ""  # kind=csv
    path_column: Str = "path"
    label_column: Str = "label"
    label: Str = "all"  # kind=flat-folder: the one class every file gets
    queries: dict[Str, Str] = Field(default_factory=dict)  # web engines: class -> query
    url_files: dict[Str, Str] = Field(default_factory=dict)  # kind=urls: class -> file
    class_map: dict[Str, Str] = Field(default_factory=dict)  # source label -> class name
    base_url: Str = ""  # web engines and APIs: override the default address (tests, mirrors)
    # kind=openverse: only licences allowing these uses; empty = every open licence
    license_type: list[Literal["commercial", "modification"]] = Field(default_factory=list)

    @model_validator(mode="after")
    def _kind_has_its_key(self) -> Source:
        key = SOURCES[self.kind].requires
        _require(bool(getattr(self, key)), key, f"required when kind is '{self.kind}'")
        _require(
            not self.license_type or self.kind == "openverse",
            "license_type",
            f"only kind 'openverse' filters by licence, not '{self.kind}'",
        )
        return self


@dataclass(frozen=True, config=CONFIG)
class ScrapeParams(_Section):
    """Where images come from and how politely the web is asked for them."""

    sources: list[Source] = Field(default_factory=list)
    classes: list[Str] = Field(default_factory=list)  # keep only these; empty = all found
    workers: Int = Field(8, ge=1, le=64, description="download threads")
    per_host_rate: Float = Field(
        2.0, ge=0, le=1000, description="requests per second per host; 0 = no limit"
    )
    connect_timeout: Float = Field(5.0, gt=0, le=3600, description="seconds")
    read_timeout: Float = Field(20.0, gt=0, le=3600, description="seconds")
    total_timeout: Float = Field(
        120.0, gt=0, le=86400, description="seconds for a whole download incl. retries"
    )
    retries: Int = Field(4, ge=0, le=100)
    backoff: Float = Field(
        1.0, ge=0, le=3600, description="first retry wait in seconds; doubles per retry"
    )
    max_retry_wait: Float = Field(60.0, ge=0, le=86400, description="cap on any one wait")
    max_bytes: Int = Field(20_000_000, gt=0, le=2**40)
    user_agent: Str = "ganpipe/0.1 (+https://github.com/ganpipe/ganpipe)"
    respect_robots: Bool = True
    safe_search: Bool = True
    image_size_filter: Literal["any", "large", "medium", "small"] = "any"
    image_type_filter: Literal["any", "photo", "clipart", "line", "transparent"] = "any"
    max_pages: Int = Field(20, ge=1, le=10_000)
    chromium: Str = "/usr/bin/chromium"  # kind=google: browser binary
    chromedriver: Str = "/usr/bin/chromedriver"  # kind=google: matching driver

    @model_validator(mode="before")
    @classmethod
    def _file_has_sources(cls, data: Any) -> Any:
        """A params file must name a source; code may build one for its network settings."""
        if isinstance(data, dict):
            _require(bool(data.get("sources")), "sources", "at least one source is needed")
        return data


@dataclass(frozen=True, config=CONFIG)
class FilterParams(_Section):
    """What counts as a usable image."""

    min_side: Int = Field(8, ge=1, le=100_000, description="pixels")
    aspect_min: Float = Field(0.25, gt=0, le=1, description="width / height")
    aspect_max: Float = Field(4.0, ge=1, le=1000, description="width / height")
    max_pixels: Int = Field(50_000_000, gt=0, le=2**40, description="decompression-bomb cap")
    blank_std: Float = Field(
        2.0, ge=0, le=255, description="pixel std (0-255) at or below which an image is blank"
    )
    near_duplicate_distance: Float = Field(
        0.12,
        ge=-1,
        le=10,
        description="standardised-thumbnail distance (ganpipe.clean.dedupe); -1 disables",
    )
    animated: Literal["first-frame", "reject"] = "first-frame"
    contact_sheets: Bool = True
    review_per_class: Int = Field(
        1000, ge=0, le=10**7, description="images per class on the contact sheets; 0 = all"
    )
    workers: Int = _workers()


@dataclass(frozen=True, config=CONFIG)
class ReduceParams(_Section):
    """Colour handling: every image leaves as RGB or single-channel PNG."""

    mode: Literal["RGB", "L"] = "RGB"
    background: Str = Field(
        "#ffffff",
        pattern=r"^#[0-9a-fA-F]{6}$",
        description="a colour written as '#rrggbb'; alpha is composited over it",
    )
    workers: Int = _workers()


@dataclass(frozen=True, config=CONFIG)
class ResizeParams(_Section):
    """Bring every image to one square size.

    Named ``image_size``, not ``size``: DVC's run cache ignores params keys called ``size``
    (it strips them as file metadata), so a changed ``size`` would restore a stale output.
    """

    image_size: Int = Field(64, ge=28, le=MAX_IMAGE_SIDE, description="pixels")
    mode: Literal["letterbox", "center-crop", "stretch"] = "letterbox"
    filter: Literal["area", "lanczos"] = "area"
    upscale: Bool = False  # allow enlarging images smaller than ``image_size``
    workers: Int = _workers()


@dataclass(frozen=True, config=CONFIG)
class AugmentParams(_Section):
    """Offline augmentation chains written in the car-logo seed's codes (ganpipe.chains)."""

    chains: list[Str] = Field(default_factory=list)  # e.g. "fliph", "rot_-45 noise_0.01"
    copies: Int = Field(1, ge=1, le=100, description="copies per chain per image")
    seed: Int = _seed()
    workers: Int = _workers()

    @model_validator(mode="after")
    def _chains_parse(self) -> AugmentParams:
        for i, chain in enumerate(self.chains):
            try:
                parse_chain(chain)
            except ChainError as err:
                raise Invalid(f"chains[{i}]", str(err)) from err
        return self


Beta = Annotated[float, Strict(), Field(ge=0, lt=1)]
DIFFAUGMENT_POLICIES = ("color", "translation", "cutout")
# ADA's ops (ganpipe.train.ada), each applied per image with probability p
ADA_OPS = ("xflip", "rotate90", "translation", "scale", "rotate", "aniso", "color", "cutout")


@dataclass(frozen=True, config=CONFIG)
class CurateParams(_Section):
    """Suspect ranking: a classifier cross-validated on the data itself scores every image.

    Off for curated datasets (nothing to find, and 60,000 images cost minutes); on for scraped
    ones. The classifier sees 32 px: on 64 px hand photos (benchmarks/suspects.py) it ranked
    better than at 64 px (recall 0.951 vs 0.937) for a quarter of the CPU time. ``relevance``
    follows ``evaluate.inception``'s contract: ``auto`` uses a pretrained image-text model,
    downloading its weights once when online, and records why not otherwise; ``required``
    fails without them.
    """

    enabled: Bool = True
    folds: Int = Field(5, ge=2, le=20, description="cross-validation folds")
    epochs: Int = Field(6, ge=1, le=1000, description="passes over each fold's training images")
    batch_size: Int = Field(64, ge=2, le=65536)
    lr: Float = Field(3e-3, gt=0, le=1)
    image_size: Int = Field(
        32, ge=8, le=512, description="side the classifier sees (area-downscaled; pixels)"
    )
    neighbours: Int = Field(
        10, ge=1, le=1000, description="nearest neighbours of the outlier score"
    )
    suspect_fraction: Float = Field(
        0.1, ge=0, le=1, description="share of images flagged as suspects, most suspicious first"
    )
    drop: Bool = False  # reject images at or above drop_threshold (reason 'suspect')
    drop_threshold: Float = Field(0.9, ge=0, le=1, description="suspicion that drops an image")
    seed: Int = _seed()
    # torch CPU threads; 0 = all cores. One by default: this small net gains little from more,
    # and on a busy machine two spinning threads ran 7x slower than one (benchmarks/suspects.py)
    threads: Int = Field(1, ge=0, le=256)
    relevance: Literal["auto", "required", "off"] = "auto"
    relevance_model: Str = "ViT-B-32"  # an open_clip model name, or hf-hub:org/repo
    relevance_weights: Str = Field(
        "openai", min_length=1, description="an open_clip tag (fetched into the HF cache) or file"
    )
    # Prompts an image may match better than its class's query: off-topic search results
    relevance_off_topic: list[Str] = Field(
        default_factory=lambda: [
            "a photo of a car",
            "a product photo",
            "a photo of a shop front",
            "text",
        ],
        max_length=100,
    )


@dataclass(frozen=True, config=CONFIG)
class TrainParams(_Section):
    """The GAN, its losses and its schedule. Counts are in images, as in StyleGAN2-ADA."""

    seed: Int = _seed()
    preset: Literal["", "seed-emnist"] = ""
    mode: Literal["acgan", "dcgan"] = "acgan"
    arch: Literal["dcgan", "resnet"] = "dcgan"  # G and D: DCGAN stacks or SNGAN residual blocks
    z_dim: Int = Field(100, ge=1, le=4096)
    g_channels: Int = Field(128, ge=1, le=4096, description="widest G layer; halves per step")
    d_channels: Int = Field(64, ge=1, le=4096, description="first D layer; doubles per step")
    upsample: Literal["transpose", "nearest", "bilinear"] = "transpose"
    conditioning: Literal["embed-mul", "onehot-concat", "cbn"] = "embed-mul"
    g_batchnorm: Bool = True
    # FastGAN's generator blocks (Liu et al. 2021; arch dcgan): skip-layer excitation, each map
    # gated channel-wise by the map three doublings lower; GLU in place of ReLU in up-blocks
    g_skip_excite: Bool = False
    g_glu: Bool = False
    d_spectral_norm: Bool = False
    d_dropout: Float = Field(0.0, ge=0, le=0.95)
    # Anti-aliased D (arch dcgan): a [1, 2, 1] blur before each strided convolution, so D sees
    # pixel-pitch patterns (checkerboards) instead of their aliases
    d_blur: Bool = False
    # D's minibatch standard deviation (StyleGAN; arch dcgan): fakes too alike are visible to D
    d_mbstd: Bool = False
    # LeCam regularisation (Tseng et al. 2021): weight of the pull of D's real and fake logits
    # towards each other's moving averages, against D overfitting a small real set (paper: 0.3
    # with DiffAugment); 0 = off
    lecam: Float = Field(0.0, ge=0, le=100)
    # D's heads: "acgan" (real/fake + K classes); "ssl", one K+1-way softmax whose last class
    # is "fake" (Salimans et al. 2016; the car-logo seed's SSL-GAN); "projection" (Miyato &
    # Koyama 2018); "projection-ac", projection whose class scores are also trained as AC-GAN's
    # class logits (P2GAN, Han et al. 2021); "reacgan", data-to-data cross-entropy (Kang et al.
    # 2021)
    d_head: Literal["acgan", "ssl", "projection", "projection-ac", "reacgan"] = "acgan"
    d_embed_dim: Int = Field(512, ge=1, le=4096, description="reacgan: embedding size")
    d2d_temperature: Float = Field(0.5, ge=0.01, le=10, description="reacgan: temperature")
    d2d_margin: Float = Field(
        0.98, ge=0, le=1, description="reacgan: positive margin m_p (negatives: 1 - m_p)"
    )
    # Share of each class's real images whose label D's class loss sees; below 1 the rest train
    # only real vs fake (semi-supervised, as SSL-GANs are meant to be used)
    labelled_fraction: Float = Field(1.0, gt=0, le=1)
    leaky_slope: Float = Field(0.2, ge=0, lt=1)
    loss: Literal["bce", "hinge"] = "bce"
    aux_weight: Float = Field(1.0, ge=0, le=1000)
    d_aux_on_fake: Bool = False  # original AC-GAN also trains D's class head on fakes
    label_smoothing: Float = Field(
        1.0, ge=0.5, le=1, description="target for real images; 0.9 = one-sided smoothing"
    )
    d_steps: Int = Field(1, ge=1, le=10, description="D updates per G update")
    # G's step reuses the fakes of the last D step (one G forward per step, as in PyTorch's
    # DCGAN example) instead of generating a fresh batch: ~10% faster on a CPU
    # (benchmarks/train.py); false: a second G forward on new latents, as before
    reuse_fakes: Bool = True
    lr_g: Float = Field(2e-4, gt=0, le=1)
    lr_d: Float = Field(2e-4, gt=0, le=1)
    betas_g: list[Beta] = Field(default_factory=lambda: [0.5, 0.999], min_length=2, max_length=2)
    betas_d: list[Beta] = Field(default_factory=lambda: [0.5, 0.999], min_length=2, max_length=2)
    feature_matching: Float = Field(
        0.0, ge=0, le=1000, description="weight of the feature-matching term in G's loss"
    )
    ema_kimg: Float = Field(
        10.0, ge=0, le=10**6, description="EMA half-life in thousands of images; 0 disables"
    )
    ema_rampup: Float = Field(
        0.05,
        ge=0,
        le=1,
        description="EMA half-life at most this share of the images so far; 0: off",
    )
    diffaugment: Str = ""  # comma list of color, translation, cutout
    ada_target: Float = Field(
        0.0, ge=0, lt=1, description="ADA: target of E[sign(D(real))]; 0 = off (paper: 0.6)"
    )
    ada_kimg: Float = Field(500.0, gt=0, le=10**6, description="ADA: kimg for p to go 0 -> 1")
    ada_interval: Int = Field(4, ge=1, le=10**4, description="ADA: D steps between adjustments")
    ada_ops: Str = "xflip,rotate90,translation,scale,rotate,aniso,color"
    balanced_sampling: Bool = False
    batch_size: Int = Field(64, ge=2, le=65536)
    total_kimg: Float = Field(
        300.0, gt=0, le=10**6, description="training length in thousands of images"
    )
    # Stop early after this much training time (0: no limit). Summed over resumes; the result
    # then depends on the machine's speed, so it is for equal-budget comparisons.
    max_minutes: Float = Field(0.0, ge=0, le=10**6, description="0: no limit")
    # what max_minutes counts: wall-clock time, or the process's CPU time (all its threads;
    # for equal budgets on a machine shared with other jobs)
    max_minutes_clock: Literal["wall", "cpu"] = "wall"
    tick_kimg: Float = Field(10.0, gt=0, le=10**6, description="status line + DVCLive step")
    snapshot_kimg: Float = Field(50.0, gt=0, le=10**6, description="grid + checkpoint")
    device: Literal["auto", "cpu", "cuda", "mps"] = "auto"
    amp: Bool = True  # bf16 autocast on CUDA and on CPUs with native bf16 (AVX512-BF16, AMX)
    compile: Bool = False
    threads: Int = Field(0, ge=0, le=1024, description="torch CPU threads; 0 = all cores")
    sync_batchnorm: Bool = False  # under torchrun: G's BatchNorm over the global batch (CUDA)

    @field_validator("diffaugment")
    @classmethod
    def _known_policies(cls, value: str) -> str:
        bad = {p.strip() for p in value.split(",") if p.strip()} - set(DIFFAUGMENT_POLICIES)
        if bad:
            allowed = ", ".join(DIFFAUGMENT_POLICIES)
            raise ValueError(f"unknown policy {sorted(bad)}; allowed: {allowed}")
        return value

    @field_validator("ada_ops")
    @classmethod
    def _known_ada_ops(cls, value: str) -> str:
        bad = {o.strip() for o in value.split(",") if o.strip()} - set(ADA_OPS)
        if bad:
            raise ValueError(f"unknown op {sorted(bad)}; allowed: {', '.join(ADA_OPS)}")
        return value

    @model_validator(mode="after")
    def _keys_agree(self) -> TrainParams:
        _require(
            self.tick_kimg <= self.snapshot_kimg, "tick_kimg", "need tick_kimg <= snapshot_kimg"
        )
        self._heads_agree()
        if self.ada_target:
            _require(
                not self.diffaugment,
                "ada_target",
                "ADA and diffaugment both augment what D sees: use one (diffaugment: '' or "
                "ada_target: 0)",
            )
        for key in ("g_skip_excite", "g_glu", "d_blur", "d_mbstd"):  # DCGAN-style G and D only
            _require(
                not getattr(self, key) or (self.arch == "dcgan" and not self.preset),
                key,
                "applies to arch 'dcgan' with no preset only",
            )
        if self.arch == "resnet":
            _require(not self.preset, "arch", "'resnet' needs no preset (it has its own D)")
            _require(
                self.d_dropout == 0,
                "d_dropout",
                "applies to arch 'dcgan' only (the residual D has no dropout)",
            )
        if self.labelled_fraction < 1:
            _require(
                self.mode == "acgan" and not self.balanced_sampling,
                "labelled_fraction",
                "below 1 needs train.mode acgan and balanced_sampling false (balancing "
                "classes needs every image's label)",
            )
        return self

    def _heads_agree(self) -> None:
        if self.d_head != "acgan":
            _require(
                self.mode == "acgan" and not self.preset,
                "d_head",
                f"'{self.d_head}' needs classes and ganpipe's own D: train.mode acgan, no preset",
            )
        no_fake_class_loss = {
            "ssl": "there fakes belong to the 'fake' class",
            "projection": "its class term is inside the real/fake logit",
        }
        if self.d_head in no_fake_class_loss:
            _require(
                not self.d_aux_on_fake,
                "d_aux_on_fake",
                f"must be false with d_head '{self.d_head}': {no_fake_class_loss[self.d_head]}",
            )
        if self.d_head in ("projection", "projection-ac", "reacgan"):
            _require(
                self.labelled_fraction == 1,
                "labelled_fraction",
                f"must be 1 with d_head '{self.d_head}': its head reads every image's label",
            )


# The truncation trick (BigGAN): components of z ~ N(0, I) with |z_i| above the threshold are
# drawn again (ganpipe.generate.truncate). 0 is off; below MIN_TRUNCATION the redraws would
# take too long (at 0.1, 8% of draws land inside) for a difference no one can see.
MIN_TRUNCATION, MAX_TRUNCATION = 0.1, 10.0
TRUNCATION_NOTE = "BigGAN threshold: |z_i| above it are redrawn; 0 = off"
Truncation = Annotated[float, Strict(), Field(ge=0, le=MAX_TRUNCATION)]


def truncation_problem(value: float) -> str | None:
    """Why ``value`` is no truncation threshold (None when it is one): the one rule for
    ``sample.truncation``, ``evaluate.truncation_curve`` and ``ganpipe sample --truncation``."""
    if value == 0 or MIN_TRUNCATION <= value <= MAX_TRUNCATION:
        return None
    allowed = f"0 (off) or {MIN_TRUNCATION} to {MAX_TRUNCATION}"
    return f"got {value!r}; allowed: {allowed} ({TRUNCATION_NOTE})"


@dataclass(frozen=True, config=CONFIG)
class SampleParams(_Section):
    """What the sample stage writes from the trained generator."""

    per_class: Int = Field(100, ge=1, le=10**6)
    seed: Int = _seed()
    grid_columns: Int = Field(10, ge=1, le=64)
    interpolation_steps: Int = Field(8, ge=2, le=256, description="images from z_a to z_b")
    checkpoint: Literal["ema", "best"] = "ema"
    truncation: Float = Field(0.0, ge=0, le=MAX_TRUNCATION, description=TRUNCATION_NOTE)

    @model_validator(mode="after")
    def _truncation_allowed(self) -> SampleParams:
        problem = truncation_problem(self.truncation)
        _require(problem is None, "truncation", str(problem))
        return self


@dataclass(frozen=True, config=CONFIG)
class ClassifierParams(_Section):
    """The domain classifier that gives offline features and conditional accuracy."""

    epochs: Int = Field(
        3, ge=1, le=1000, description="most passes; the one best on validation is kept"
    )
    min_steps: Int = Field(
        1000, ge=0, le=10**7, description="at least this many batches: more passes on small sets"
    )
    patience: Int = Field(
        10, ge=1, le=1000, description="stop after this many passes without a better one"
    )
    validation: Float = Field(
        0.1, ge=0.01, le=0.5, description="share of the training split that chooses the pass"
    )
    width: Int = Field(16, ge=4, le=512, description="channels of the judge's first block")
    augment: Bool = True  # random shifts; brightness and contrast on colour images
    flip: Bool = False  # mirror images too: for classes a mirror does not change
    batch_size: Int = Field(128, ge=1, le=65536)
    lr: Float = Field(1e-3, gt=0, le=1)
    holdout: Float = Field(
        0.1, ge=0.01, le=0.5, description="share of real images held out for evaluation"
    )
    seed: Int = _seed()


@dataclass(frozen=True, config=CONFIG)
class EvaluateParams(_Section):
    """How generated images are scored (docs/ARCHITECTURE.md)."""

    # the metrics to run (ganpipe/registries/metrics.py; they run in its order); default all
    metrics: list[Literal[METRIC_NAMES]] = Field(default_factory=lambda: list(METRIC_NAMES))
    n_real: Int = Field(10000, ge=2, le=10**7, description="cap on held-out real images")
    inception: Literal["auto", "required", "off"] = "auto"
    inception_weights: Str = ""
    inception_n: Int = Field(
        5000, ge=2, le=10**7, description="cap on images per side for InceptionV3"
    )
    kid_subsets: Int = Field(10, ge=1, le=10_000)
    kid_subset_size: Int = Field(1000, ge=2, le=10**6)
    pr_k: Int = Field(3, ge=1, le=1000, description="neighbours for precision/recall")
    collapse_ratio: Float = Field(
        0.5, ge=0, le=1, description="flag a class when fake diversity < ratio x real"
    )
    min_judge_accuracy: Float = Field(
        0.8,
        ge=0,
        le=1,
        description="below this held-out accuracy the domain classifier is too weak to judge",
    )
    # The fidelity-diversity curve: these truncation thresholds (0 = none), each scored on
    # truncation_per_class fresh fakes per class; [] = no curve
    truncation_curve: list[Truncation] = Field(
        default_factory=lambda: [0.0, 0.5, 1.0, 1.5, 2.0], max_length=20
    )
    truncation_per_class: Int = Field(
        200, ge=1, le=10**5, description="generated images per class and threshold"
    )
    # Downstream use: the domain classifier's net trained on the real training split, on it
    # plus synthetic images, and on synthetic ones only, each tested on the held-out reals
    downstream: Bool = True  # false: only CAS, one classifier over the samples as before
    downstream_steps: Int = Field(
        100, ge=1, le=10**6, description="training steps of each classifier (classifier.batch_size)"
    )
    downstream_passes: Int = Field(
        4,
        ge=1,
        le=10**4,
        description="at most this many passes over the real training images (fewer steps on "
        "a small set)",
    )
    downstream_seeds: Int = Field(3, ge=2, le=100, description="classifiers per training set")
    downstream_per_class: Int = Field(
        0, ge=0, le=10**6, description="synthetic images per class, from the samples; 0 = all"
    )
    downstream_real_per_class: Int = Field(
        0, ge=0, le=10**7, description="cap on real training images per class; 0 = all"
    )

    @model_validator(mode="after")
    def _curve_allowed(self) -> EvaluateParams:
        for i, value in enumerate(self.truncation_curve):
            problem = truncation_problem(value)
            _require(problem is None, f"truncation_curve[{i}]", str(problem))
        _require(
            not self.truncation_curve or self.truncation_per_class > self.pr_k,
            "truncation_per_class",
            f"got {self.truncation_per_class}; needs more than pr_k ({self.pr_k}) images "
            "for the k-nearest-neighbour balls of precision and recall",
        )
        return self


SECTIONS: dict[str, type] = {
    "scrape": ScrapeParams,
    "filter": FilterParams,
    "reduce": ReduceParams,
    "resize": ResizeParams,
    "curate": CurateParams,
    "augment": AugmentParams,
    "train": TrainParams,
    "sample": SampleParams,
    "classifier": ClassifierParams,
    "evaluate": EvaluateParams,
}


# --------------------------------------------------------------------------- messages

TYPE_NAMES = {
    "int_type": "int",
    "float_type": "float",
    "string_type": "str",
    "bool_type": "bool",
    "list_type": "a list",
    "dict_type": "a mapping",
    "dataclass_type": "a mapping of keys",
    "dataclass_args_type": "a mapping of keys",
}
BOUND_TYPES = {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}


def _step(tp: Any, part: str | int) -> tuple[Any, FieldInfo | None]:
    """The annotation (and field, when a dataclass field) one location step below ``tp``."""
    if is_pydantic_dataclass(tp):
        info = tp.__pydantic_fields__.get(part)
        return (info.annotation, info) if info else (None, None)
    args = [a for a in get_args(tp) if a is not type(None)]
    if not args:
        return None, None
    item = args[-1]  # list[X] -> X, dict[K, V] -> V
    return item, FieldInfo.from_annotation(item)


def _at(cls: type, loc: tuple[str | int, ...]) -> tuple[Any, FieldInfo | None]:
    """What sits at pydantic's error location ``loc`` inside section ``cls``."""
    tp: Any = cls
    info: FieldInfo | None = None
    for part in loc:
        tp, info = _step(tp, part)
    return tp, info


def _path(where: str, loc: tuple[str | int, ...]) -> str:
    return where + "".join(_step_text(p) for p in loc)


def _step_text(part: Any) -> str:
    """``[3]`` or ``.key`` (a key from the file cut short)."""
    return f"[{part}]" if isinstance(part, int) else f".{clip(str(part), 40)}"


def _bounds(info: FieldInfo | None, ctx: dict[str, Any]) -> str:
    """``28 to 512``, ``> 0``, ``>= 0 and < 1``: the field's whole allowed range."""
    found = {type(m).__name__.lower(): m for m in (info.metadata if info else [])}
    limits = {k: getattr(found[k], k) for k in ("ge", "gt", "le", "lt") if k in found} or {
        k: v for k, v in ctx.items() if k in ("ge", "gt", "le", "lt")
    }
    if "ge" in limits and "le" in limits:
        text = f"{limits['ge']} to {limits['le']}"
    else:
        signs = {"ge": ">=", "gt": ">", "le": "<=", "lt": "<"}
        text = " and ".join(f"{signs[k]} {v}" for k, v in limits.items())
    note = info.description if info and info.description else ""
    return f"{text} ({note})" if note else text


def _unknown_key(cls: type, loc: tuple[str | int, ...], where: str) -> str:
    owner, _ = _at(cls, loc[:-1])
    names = list(getattr(owner, "__pydantic_fields__", {}))
    close = difflib.get_close_matches(clip(str(loc[-1]), 40), names, n=1)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    return f"{_path(where, loc)}: unknown key.{hint} Allowed keys: {', '.join(sorted(names))}"


def _choices(info: FieldInfo | None) -> tuple[Any, ...]:
    """The words a Literal field (optional or not) allows."""
    tp = info.annotation if info else None
    literals = [a for a in (tp, *get_args(tp)) if get_origin(a) is Literal]
    return get_args(literals[0]) if literals else ()


def _message(cls: type, error: Any, where: str) -> str:
    """One pydantic error as ``full.key.path: what is wrong; what is allowed``."""
    kind, loc, ctx = error["type"], tuple(error["loc"]), error.get("ctx", {})
    got = f"got {brief(error['input'])}"  # never the whole input: it may be an alias bomb
    cause = ctx.get("error")
    if isinstance(cause, Invalid):
        return f"{_path(where, loc)}.{cause.key}: {clip(cause.message, ERROR_CHARS)}"
    if kind == "unexpected_keyword_argument":
        return _unknown_key(cls, loc, where)
    _, info = _at(cls, loc)
    if kind == "value_error":
        text = clip(str(cause), ERROR_CHARS)
    elif kind == "missing" or kind == "missing_argument":
        text = "required"
    elif kind in TYPE_NAMES:
        text = f"expected {TYPE_NAMES[kind]}, {got}"
    elif kind == "literal_error":
        text = f"{got}; allowed: {' | '.join(map(repr, _choices(info)))}"
    elif kind in BOUND_TYPES:
        text = f"{got}; allowed: {_bounds(info, ctx)}"
    elif kind == "string_pattern_mismatch" and info and info.description:
        text = f"{got}; allowed: {info.description}"
    else:
        text = f"{got}; {error['msg'][0].lower()}{error['msg'][1:]}"
    return f"{_path(where, loc)}: {text}"


@cache
def _adapter(cls: type) -> TypeAdapter:
    return TypeAdapter(cls)


def build(cls: type[T], data: Any, where: str) -> T:
    """Validate ``data`` (a mapping; None = all defaults) as ``cls``; errors name ``where.key``."""
    try:
        return _adapter(cls).validate_python({} if data is None else data)
    except ValidationError as err:
        raise ParamsError(_message(cls, err.errors()[0], where)) from None


def _read_yaml(path: str | os.PathLike) -> Any:
    """The file's YAML, read only if it is of a params file's size and nesting."""
    with open(path, "rb") as f:
        data = f.read(PARAMS_MAX_BYTES + 1)
    if len(data) > PARAMS_MAX_BYTES:
        raise ParamsError(
            f"{path}: larger than {PARAMS_MAX_BYTES // 1024} kB; a params file has a few kB"
        )
    try:
        return yaml.safe_load(data)
    except yaml.YAMLError as err:
        raise ParamsError(f"{path}: not valid YAML: {clip(str(err), ERROR_CHARS)}") from err
    except RecursionError:  # PyYAML composes nested nodes recursively
        raise ParamsError(f"{path}: nested too deep for YAML to read") from None


def _measure(
    node: Any, where: str, depth: int, seen: dict[int, tuple[int, int] | None]
) -> tuple[int, int]:
    """(values, levels) of ``node`` with YAML aliases expanded; a ParamsError naming ``where``
    when its nesting or its count of values (an alias bomb's grows ninefold a level) is over
    the bounds, or an alias holds itself. A node that aliases share is walked once."""
    if not isinstance(node, dict | list):
        return 1, 0
    if depth > PARAMS_MAX_DEPTH:
        raise ParamsError(f"{where}: nested more than {PARAMS_MAX_DEPTH} levels deep")
    if id(node) not in seen:
        seen[id(node)] = None  # being walked: met again inside, it holds itself
        values, levels = 1, 0
        for key, child in node.items() if isinstance(node, dict) else enumerate(node):
            below = _measure(child, where + _step_text(key), depth + 1, seen)
            values, levels = values + below[0], max(levels, below[1] + 1)
            if values > PARAMS_MAX_VALUES:
                raise ParamsError(
                    f"{where}: more than {PARAMS_MAX_VALUES:,} values once YAML aliases are "
                    "expanded (an alias bomb?); a params file has a few hundred"
                )
        seen[id(node)] = values, levels
    known = seen[id(node)]
    if known is None:
        raise ParamsError(f"{where}: a YAML alias inside its own anchor (it holds itself)")
    if depth + known[1] > PARAMS_MAX_DEPTH:
        raise ParamsError(f"{where}: nested more than {PARAMS_MAX_DEPTH} levels deep")
    return known


def load_all(path: str | os.PathLike = "params.yaml") -> dict[str, Any]:
    """Read and validate every section, so a typo anywhere is caught by whichever stage runs."""
    raw = _read_yaml(path) or {}
    if not isinstance(raw, dict):
        raise ParamsError(f"{path}: expected a mapping of sections")
    seen: dict[int, tuple[int, int] | None] = {}
    for key, value in raw.items():
        if key not in SECTIONS:
            name = clip(str(key), 40)
            close = difflib.get_close_matches(name, list(SECTIONS), n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            raise ParamsError(
                f"{name}: unknown section.{hint} Allowed sections: {', '.join(SECTIONS)}"
            )
        _measure(value, key, 1, seen)
    return {name: build(cls, raw.get(name), name) for name, cls in SECTIONS.items()}


def load_section(name: str, path: str | os.PathLike = "params.yaml") -> Any:
    """The validated dataclass for one section of params.yaml."""
    return load_all(path)[name]
