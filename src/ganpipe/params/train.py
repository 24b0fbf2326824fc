"""``train``: the GAN, its losses and its schedule.

:func:`as_record` of the params is embedded in every generator file and hashed into the
checkpoint, so the fields' order, types and defaults are part of the file format: a renamed
key keeps its old name there (``RENAMED``).
"""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any, Literal

from pydantic import Field, Strict, field_validator, model_validator
from pydantic.dataclasses import dataclass

from ganpipe.params.base import CONFIG, Bool, Float, Int, Section, Str, require, seed_field
from ganpipe.registries.heads import D_HEADS, DHeadName

Beta = Annotated[float, Strict(), Field(ge=0, lt=1)]
DIFFAUGMENT_POLICIES = ("color", "translation", "cutout")
# ADA's ops (ganpipe.train.ada), each applied per image with probability p
ADA_OPS = ("xflip", "rotate90", "translation", "scale", "rotate", "aniso", "color", "cutout")


@dataclass(frozen=True, config=CONFIG)
class TrainParams(Section):
    """The GAN, its losses and its schedule. Counts are in images, as in StyleGAN2-ADA."""

    seed: Int = seed_field()
    class_conditional: Bool = Field(
        True, description="G and D see the labels; false: an unconditional GAN"
    )
    # seed-emnist: the E/F-MNIST seed's exact layer table (28 px, conditional), with its z_dim
    # 90, label smoothing 0.9 and one-hot conditioning (ganpipe.models.ARCH_SETTINGS)
    arch: Literal["dcgan", "resnet", "seed-emnist"] = Field(
        "dcgan",
        description="G and D: DCGAN stacks, SNGAN residual blocks, or the E/F-MNIST seed's",
    )
    z_dim: Int = Field(100, ge=1, le=4096, description="size of the latent vector z")
    g_channels: Int = Field(128, ge=1, le=4096, description="widest G layer; halves per step")
    d_channels: Int = Field(64, ge=1, le=4096, description="first D layer; doubles per step")
    upsample: Literal["transpose", "nearest", "bilinear"] = Field(
        "transpose", description="G's upsampling: transposed convolution, or resize + convolution"
    )
    conditioning: Literal["embed-mul", "onehot-concat", "cbn"] = Field(
        "embed-mul",
        description="how G sees the class: embedding times z, one-hot beside z, or conditional "
        "BatchNorm",
    )
    g_batchnorm: Bool = Field(True, description="BatchNorm in G")
    # FastGAN's generator blocks (Liu et al. 2021; arch dcgan): skip-layer excitation, each map
    # gated channel-wise by the map three doublings lower; GLU in place of ReLU in up-blocks
    g_skip_excite: Bool = Field(False, description="FastGAN's skip-layer excitation (arch dcgan)")
    g_glu: Bool = Field(False, description="FastGAN's GLU in place of ReLU in G (arch dcgan)")
    d_spectral_norm: Bool = Field(False, description="spectral normalisation of D's layers")
    d_dropout: Float = Field(0.0, ge=0, le=0.95, description="dropout in D (arch dcgan)")
    # Anti-aliased D (arch dcgan): a [1, 2, 1] blur before each strided convolution, so D sees
    # pixel-pitch patterns (checkerboards) instead of their aliases
    d_blur: Bool = Field(False, description="blur before D's strided convolutions (arch dcgan)")
    # Minibatch standard deviation: fakes too alike are visible to D
    d_mbstd: Bool = Field(
        False, description="D's minibatch standard deviation (StyleGAN; arch dcgan)"
    )
    # LeCam regularisation (Tseng et al. 2021): weight of the pull of D's real and fake logits
    # towards each other's moving averages, against D overfitting a small real set (paper: 0.3
    # with DiffAugment)
    lecam: Float = Field(0.0, ge=0, le=100, description="LeCam regularisation weight; 0 = off")
    # D's heads: "acgan" (real/fake + K classes); "ssl", one K+1-way softmax whose last class
    # is "fake" (Salimans et al. 2016; the car-logo seed's SSL-GAN); "projection" (Miyato &
    # Koyama 2018); "projection-ac", projection whose class scores are also trained as AC-GAN's
    # class logits (P2GAN, Han et al. 2021); "reacgan", data-to-data cross-entropy (Kang et al.
    # 2021)
    d_head: DHeadName = Field(
        "acgan", description="D's class head (ganpipe.registries.heads.D_HEADS, docs/OPTIONS.md)"
    )
    d_embed_dim: Int = Field(512, ge=1, le=4096, description="reacgan: embedding size")
    d2d_temperature: Float = Field(0.5, ge=0.01, le=10, description="reacgan: temperature")
    d2d_margin: Float = Field(
        0.98, ge=0, le=1, description="reacgan: positive margin m_p (negatives: 1 - m_p)"
    )
    # Share of each class's real images whose label D's class loss sees; below 1 the rest train
    # only real vs fake (semi-supervised, as SSL-GANs are meant to be used)
    labelled_fraction: Float = Field(
        1.0, gt=0, le=1, description="share of real images whose label D's class loss sees"
    )
    leaky_slope: Float = Field(0.2, ge=0, lt=1, description="negative slope of LeakyReLU")
    loss: Literal["bce", "hinge"] = Field("bce", description="the adversarial loss")
    aux_weight: Float = Field(1.0, ge=0, le=1000, description="weight of the class loss")
    d_aux_on_fake: Bool = Field(
        False, description="train D's class head on fakes too (the original AC-GAN)"
    )
    label_smoothing: Float = Field(
        1.0, ge=0.5, le=1, description="target for real images; 0.9 = one-sided smoothing"
    )
    d_steps: Int = Field(1, ge=1, le=10, description="D updates per G update")
    # G's step reuses the fakes of the last D step (one G forward per step, as in PyTorch's
    # DCGAN example) instead of generating a fresh batch: ~10% faster on a CPU
    # (benchmarks/train.py); false: a second G forward on new latents, as before
    reuse_fakes: Bool = Field(True, description="G's step reuses the last D step's fakes")
    lr_g: Float = Field(2e-4, gt=0, le=1, description="G's learning rate")
    lr_d: Float = Field(2e-4, gt=0, le=1, description="D's learning rate")
    betas_g: list[Beta] = Field(
        default_factory=lambda: [0.5, 0.999],
        min_length=2,
        max_length=2,
        description="G's Adam betas",
    )
    betas_d: list[Beta] = Field(
        default_factory=lambda: [0.5, 0.999],
        min_length=2,
        max_length=2,
        description="D's Adam betas",
    )
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
    diffaugment: Str = Field("", description="comma list of color, translation, cutout")
    ada_target: Float = Field(
        0.0, ge=0, lt=1, description="ADA: target of E[sign(D(real))]; 0 = off (paper: 0.6)"
    )
    ada_kimg: Float = Field(500.0, gt=0, le=10**6, description="ADA: kimg for p to go 0 -> 1")
    ada_interval: Int = Field(4, ge=1, le=10**4, description="ADA: D steps between adjustments")
    ada_ops: Str = Field(
        "xflip,rotate90,translation,scale,rotate,aniso,color",
        description="ADA: comma list of the ops it applies",
    )
    balanced_sampling: Bool = Field(False, description="draw every class equally often")
    batch_size: Int = Field(64, ge=2, le=65536, description="images per step")
    total_kimg: Float = Field(
        300.0, gt=0, le=10**6, description="training length in thousands of images"
    )
    # Stop early after this much training time (0: no limit). Summed over resumes; the result
    # then depends on the machine's speed, so it is for equal-budget comparisons.
    max_minutes: Float = Field(0.0, ge=0, le=10**6, description="0: no limit")
    # CPU time (all the process's threads): equal budgets on a machine shared with other jobs
    max_minutes_clock: Literal["wall", "cpu"] = Field(
        "wall", description="what max_minutes counts: wall-clock or the process's CPU time"
    )
    tick_kimg: Float = Field(10.0, gt=0, le=10**6, description="status line + DVCLive step")
    snapshot_kimg: Float = Field(50.0, gt=0, le=10**6, description="grid + checkpoint")
    device: Literal["auto", "cpu", "cuda", "mps"] = Field(
        "auto", description="where to train; auto: CUDA, then MPS, then the CPU"
    )
    amp: Bool = Field(
        True, description="bf16 autocast on CUDA and on CPUs with native bf16 (AVX512-BF16, AMX)"
    )
    compile: Bool = Field(False, description="torch.compile G and D")
    threads: Int = Field(0, ge=0, le=1024, description="torch CPU threads; 0 = all cores")
    sync_batchnorm: Bool = Field(
        False, description="under torchrun: G's BatchNorm over the global batch (CUDA)"
    )

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

    @model_validator(mode="before")
    @classmethod
    def _renamed(cls, data: Any) -> Any:
        """An old params file names the key that replaced a renamed one."""
        for old, new in RENAMED.items():
            require(not (isinstance(data, dict) and old in data), old, f"renamed: use {new}")
        return data

    @model_validator(mode="after")
    def _keys_agree(self) -> TrainParams:
        require(
            self.tick_kimg <= self.snapshot_kimg, "tick_kimg", "need tick_kimg <= snapshot_kimg"
        )
        self._heads_agree()
        if self.ada_target:
            require(
                not self.diffaugment,
                "ada_target",
                "ADA and diffaugment both augment what D sees: use one (diffaugment: '' or "
                "ada_target: 0)",
            )
        for key in ("g_skip_excite", "g_glu", "d_blur", "d_mbstd"):  # DCGAN-style G and D only
            require(
                not getattr(self, key) or self.arch == "dcgan",
                key,
                "applies to arch 'dcgan' only",
            )
        require(
            self.d_dropout == 0 or self.arch == "dcgan",
            "d_dropout",
            f"applies to arch 'dcgan' only (the {self.arch} D has no dropout)",
        )
        if self.labelled_fraction < 1:
            require(
                self.class_conditional and not self.balanced_sampling,
                "labelled_fraction",
                "below 1 needs train.class_conditional true and balanced_sampling false "
                "(balancing classes needs every image's label)",
            )
        return self

    def _heads_agree(self) -> None:
        """The cross-key rules of ``d_head``'s row of D_HEADS."""
        head = D_HEADS[self.d_head]
        if head.conditional_only:
            require(
                self.class_conditional and self.arch != "seed-emnist",
                "d_head",
                f"'{self.d_head}' needs classes and ganpipe's own D: train.class_conditional "
                "true, arch not 'seed-emnist'",
            )
        if head.no_class_loss_on_fakes:
            require(
                not self.d_aux_on_fake,
                "d_aux_on_fake",
                f"must be false with d_head '{self.d_head}': {head.no_class_loss_on_fakes}",
            )
        if head.reads_labels:
            require(
                self.labelled_fraction == 1,
                "labelled_fraction",
                f"must be 1 with d_head '{self.d_head}': its head reads every image's label",
            )


# Train keys renamed, and what replaced them. An old params file fails naming the new key; the
# params that model files and checkpoints embed keep the old names (as_record, from_record),
# so files written before the rename still load, and an unchanged run writes the same bytes.
RENAMED = {
    "mode": "train.class_conditional: true (was mode: acgan) or false (was mode: dcgan)",
    "preset": "train.arch: seed-emnist (was preset: seed-emnist)",
}


def as_record(p: TrainParams) -> dict[str, Any]:
    """``p`` as model files and checkpoints embed it: under the names before RENAMED."""
    record: dict[str, Any] = {}
    for key, value in dataclasses.asdict(p).items():
        if key == "class_conditional":
            record["preset"] = "seed-emnist" if p.arch == "seed-emnist" else ""
            record["mode"] = "acgan" if value else "dcgan"
        else:
            record[key] = "dcgan" if key == "arch" and value == "seed-emnist" else value
    return record


def from_record(record: dict[str, Any]) -> dict[str, Any]:
    """A model file's embedded params under today's names: what :func:`as_record` undoes."""
    out = dict(record)
    preset, mode = out.pop("preset", ""), out.pop("mode", "acgan")
    renamed = {"class_conditional": {"acgan": True, "dcgan": False}.get(mode, mode)}
    if preset:
        out["arch"] = preset
    return {**renamed, **out}
