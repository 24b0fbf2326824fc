"""params.yaml validation: unknown keys and bad values name the key and what is allowed."""

import dataclasses
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, get_args

import pytest
from pydantic import ValidationError
from pydantic.fields import FieldInfo

from ganpipe.params import (
    SECTIONS,
    EvaluateParams,
    ParamsError,
    ReduceParams,
    SampleParams,
    Source,
    TrainParams,
    build,
    load_all,
    load_section,
)

REPO = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "params.yaml"
    path.write_text(text)
    return path


def test_repository_params_are_valid() -> None:
    params = load_all(REPO / "params.yaml")
    assert params["scrape"].sources[0].name == "fashion-mnist"
    assert params["resize"].image_size == 28


def test_defaults_fill_missing_sections(tmp_path: Path) -> None:
    train = load_section(
        "train", write(tmp_path, "scrape:\n  sources: [{kind: dataset, name: mnist}]\n")
    )
    assert train == TrainParams()


def test_unknown_key_is_named_with_suggestion(tmp_path: Path) -> None:
    path = write(
        tmp_path, "scrape:\n  sources: [{kind: dataset, name: mnist}]\ntrain:\n  batchsize: 32\n"
    )
    with pytest.raises(
        ParamsError,
        match=r"train\.batchsize: unknown key\. Did you mean "
        r"'batch_size'\?",
    ):
        load_all(path)


def test_unknown_section(tmp_path: Path) -> None:
    with pytest.raises(ParamsError, match=r"trian: unknown section\. Did you mean 'train'"):
        load_all(write(tmp_path, "trian: {}\n"))


def test_bad_literal_lists_allowed_values() -> None:
    with pytest.raises(
        ParamsError,
        match=r"train\.loss: got 'wasserstein'; allowed: 'bce' \| "
        r"'hinge'",
    ):
        build(TrainParams, {"loss": "wasserstein"}, "train")


def test_wrong_type_is_named() -> None:
    with pytest.raises(ParamsError, match=r"train\.batch_size: expected int, got 'big'"):
        build(TrainParams, {"batch_size": "big"}, "train")


def test_bool_is_not_an_int() -> None:
    with pytest.raises(ParamsError, match=r"train\.batch_size: expected int, got True"):
        build(TrainParams, {"batch_size": True}, "train")


def test_int_is_accepted_as_float() -> None:
    assert build(TrainParams, {"lr_g": 1}, "train").lr_g == 1.0


def test_range_check_names_bounds(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "scrape:\n  sources: [{kind: dataset, name: mnist}]\nresize:\n  image_size: 1024\n",
    )
    with pytest.raises(ParamsError, match=r"resize\.image_size: got 1024; allowed: 28 to 512"):
        load_all(path)


def test_colour_format() -> None:
    with pytest.raises(ParamsError, match=r"reduce\.background: got 'white'; allowed: a colour"):
        build(ReduceParams, {"background": "white"}, "reduce")


def test_source_requires_its_key() -> None:
    with pytest.raises(
        ParamsError,
        match=r"scrape\.sources\[0\]\.root: required when kind is "
        r"'folder'",
    ):
        build(Source, {"kind": "folder"}, "scrape.sources[0]")


def test_nested_unknown_key_has_full_path(tmp_path: Path) -> None:
    path = write(tmp_path, "scrape:\n  sources:\n    - kind: dataset\n      nmae: mnist\n")
    with pytest.raises(
        ParamsError,
        match=r"scrape\.sources\[0\]\.nmae: unknown key\. "
        r"Did you mean 'name'",
    ):
        load_all(path)


def test_diffaugment_policy_checked() -> None:
    with pytest.raises(ParamsError, match=r"train\.diffaugment: unknown policy \['flip'\]"):
        build(TrainParams, {"diffaugment": "color,flip"}, "train")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"mode": "dcgan"}, r"train\.d_head: 'ssl' needs classes and ganpipe's own D"),
        ({"preset": "seed-emnist"}, r"train\.d_head: 'ssl' needs classes and ganpipe's own D"),
        ({"d_aux_on_fake": True}, r"train\.d_aux_on_fake: must be false with d_head 'ssl'"),
    ],
)
def test_ssl_head_conflicts_named(extra: dict, message: str) -> None:
    assert build(TrainParams, {"d_head": "ssl"}, "train").d_head == "ssl"
    with pytest.raises(ParamsError, match=message):
        build(TrainParams, {"d_head": "ssl", **extra}, "train")


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"d_head": "projection", "mode": "dcgan"}, r"train\.d_head: 'projection' needs classes"),
        ({"d_head": "reacgan", "preset": "seed-emnist"}, r"train\.d_head: 'reacgan' needs"),
        (
            {"d_head": "projection", "d_aux_on_fake": True},
            r"train\.d_aux_on_fake: must be false with d_head 'projection'",
        ),
        (
            {"d_head": "projection-ac", "labelled_fraction": 0.5},
            r"train\.labelled_fraction: must be 1 with d_head 'projection-ac'",
        ),
        (
            {"d_head": "reacgan", "labelled_fraction": 0.5},
            r"train\.labelled_fraction: must be 1 with d_head 'reacgan'",
        ),
        ({"arch": "resnet", "preset": "seed-emnist"}, r"train\.arch: 'resnet' needs no preset"),
        ({"arch": "resnet", "d_dropout": 0.3}, r"train\.d_dropout: applies to arch 'dcgan'"),
        ({"d2d_margin": 1.5}, r"train\.d2d_margin"),
    ],
)
def test_architecture_and_head_conflicts_named(values: dict, message: str) -> None:
    with pytest.raises(ParamsError, match=message):
        build(TrainParams, values, "train")


def test_residual_architecture_and_every_head_build() -> None:
    for head in ("acgan", "ssl", "projection", "projection-ac", "reacgan"):
        p = build(TrainParams, {"arch": "resnet", "d_head": head, "d_aux_on_fake": False}, "t")
        assert (p.arch, p.d_head) == ("resnet", head)
    assert build(TrainParams, {"d_head": "reacgan", "d_aux_on_fake": True}, "t").d_aux_on_fake


def test_new_train_keys_default_to_the_old_behaviour() -> None:
    assert TrainParams().d_head == "acgan" and TrainParams().sync_batchnorm is False
    with pytest.raises(ParamsError, match=r"train\.d_head: got 'k\+1'; allowed: 'acgan' \| 'ssl'"):
        build(TrainParams, {"d_head": "k+1"}, "train")


def test_truncation_is_off_by_default_and_the_curve_may_be_empty() -> None:
    assert SampleParams().truncation == 0.0
    assert build(SampleParams, {"truncation": 1}, "sample").truncation == 1.0
    assert build(EvaluateParams, {"truncation_curve": [], "pr_k": 50}, "e").truncation_curve == []
    with pytest.raises(ParamsError, match=r"^evaluate\.truncation_per_class: got 200; needs"):
        build(EvaluateParams, {"pr_k": 500}, "evaluate")


def test_max_minutes_is_off_by_default_and_not_negative() -> None:
    assert TrainParams().max_minutes == 0.0
    with pytest.raises(
        ParamsError, match=r"train\.max_minutes: got -1; allowed: 0 to .* \(0: no limit\)"
    ):
        build(TrainParams, {"max_minutes": -1}, "train")


def test_bare_off_that_yaml_reads_as_false_is_the_word_off() -> None:
    assert build(EvaluateParams, {"inception": False}, "evaluate").inception == "off"
    with pytest.raises(ParamsError, match=r"train\.mode: got True; allowed: 'acgan' \| 'dcgan'"):
        build(TrainParams, {"mode": True}, "train")


def test_invalid_yaml(tmp_path: Path) -> None:
    with pytest.raises(ParamsError, match="not valid YAML"):
        load_all(write(tmp_path, "train: [unclosed\n"))


def test_stage_reports_params_error_in_one_line(tmp_path: Path) -> None:
    path = write(
        tmp_path, "scrape:\n  sources: [{kind: dataset, name: mnist}]\ntrain:\n  lr_d: fast\n"
    )
    proc = subprocess.run(
        [sys.executable, str(REPO / "stages" / "train.py"), "--params", str(path)]
        + [f"--{name}={tmp_path / name}" for name in ("inp", "classifier", "models", "live")]
        + [f"--metrics={tmp_path / 'train.json'}"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    assert proc.stderr.strip() == "train: error: train.lr_d: expected float, got 'fast'"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"labelled_fraction": 0.0}, r"train\.labelled_fraction: got 0\.0; allowed: > 0 and <= 1"),
        ({"labelled_fraction": 1.5}, r"train\.labelled_fraction: got 1\.5; allowed: > 0 and <= 1"),
        (
            {"labelled_fraction": 0.1, "balanced_sampling": True},
            r"train\.labelled_fraction: below 1 needs train\.mode acgan and "
            r"balanced_sampling false",
        ),
        ({"labelled_fraction": 0.1, "mode": "dcgan"}, r"train\.labelled_fraction: below 1 needs"),
    ],
)
def test_labelled_fraction_checked(values: dict, message: str) -> None:
    assert build(TrainParams, {"labelled_fraction": 0.1}, "train").labelled_fraction == 0.1
    with pytest.raises(ParamsError, match=message):
        build(TrainParams, values, "train")


# --------------------------------------------------------------------------- every bad value

MNIST = "scrape:\n  sources: [{kind: dataset, name: mnist}]\n"


@pytest.mark.parametrize(
    ("section", "line", "message"),
    [
        # the values the issue found accepted, or failing only when training started
        ("train", "lr_g: -1", r"train\.lr_g: got -1; allowed: > 0 and <= 1"),
        ("train", "lr_d: 0", r"train\.lr_d: got 0; allowed: > 0 and <= 1"),
        ("classifier", "batch_size: 0", r"classifier\.batch_size: got 0; allowed: 1 to 65536"),
        ("evaluate", "kid_subsets: 0", r"evaluate\.kid_subsets: got 0; allowed: 1 to 10000"),
        (
            "sample",
            "interpolation_steps: 0",
            r"sample\.interpolation_steps: got 0; allowed: 2 to 256 \(images from z_a to z_b\)",
        ),
        # and what was checked before stays checked, with the allowed range
        ("train", "batch_size: 1", r"train\.batch_size: got 1; allowed: 2 to 65536"),
        ("train", "tick_kimg: 0", r"train\.tick_kimg: got 0; allowed: > 0 and <= 1000000"),
        ("train", "tick_kimg: 60", r"train\.tick_kimg: need tick_kimg <= snapshot_kimg"),
        ("train", "betas_g: [0.5, 1.0]", r"train\.betas_g\[1\]: got 1\.0; allowed: >= 0 and < 1"),
        ("train", "betas_d: [0.5]", r"train\.betas_d: got \[0\.5\]; list should have at least 2"),
        ("train", "d_dropout: 0.99", r"train\.d_dropout: got 0\.99; allowed: 0 to 0\.95"),
        ("filter", "workers: -1", r"filter\.workers: got -1; allowed: 0 to 256 \(0 = all cores\)"),
        ("filter", "aspect_min: 0", r"filter\.aspect_min: got 0; allowed: > 0 and <= 1"),
        ("scrape", "read_timeout: 0", r"scrape\.read_timeout: got 0; allowed: > 0 and <= 3600"),
        ("evaluate", "inception: maybe", r"evaluate\.inception: got 'maybe'; allowed: 'auto' \|"),
        ("evaluate", "pr_k: 0", r"evaluate\.pr_k: got 0; allowed: 1 to 1000"),
        ("augment", "chains: [rot_q]", r"augment\.chains\[0\]: augment code 'rot_q'"),
        # the truncation trick and the downstream classifiers (issue 21)
        (
            "sample",
            "truncation: 0.05",
            r"sample\.truncation: got 0\.05; allowed: 0 \(off\) or 0\.1 to 10\.0 \(BigGAN",
        ),
        ("sample", "truncation: 11", r"sample\.truncation: got 11; allowed: 0 to 10\.0"),
        ("sample", "truncation: '1'", r"sample\.truncation: expected float, got '1'"),
        (
            "evaluate",
            "truncation_curve: [0, 0.5, 0.01]",
            r"evaluate\.truncation_curve\[2\]: got 0\.01; allowed: 0 \(off\) or 0\.1",
        ),
        ("evaluate", "truncation_curve: [-1]", r"evaluate\.truncation_curve\[0\]: got -1; allowed"),
        (
            "evaluate",
            "truncation_per_class: 3",
            r"evaluate\.truncation_per_class: got 3; needs more than pr_k \(3\)",
        ),
        ("evaluate", "downstream: 'no'", r"evaluate\.downstream: expected bool, got 'no'"),
        (
            "evaluate",
            "downstream_seeds: 1",
            r"evaluate\.downstream_seeds: got 1; allowed: 2 to 100 \(classifiers per training",
        ),
        ("evaluate", "downstream_steps: 0", r"evaluate\.downstream_steps: got 0; allowed: 1 to"),
        (
            "evaluate",
            "downstream_per_class: -1",
            r"evaluate\.downstream_per_class: got -1; allowed: 0 to 1000000 \(synthetic",
        ),
        (
            "evaluate",
            "downstream_real_per_class: -5",
            r"evaluate\.downstream_real_per_class: got -5; allowed: 0 to 10000000 \(cap",
        ),
        ("resize", "image_size: '64'", r"resize\.image_size: expected int, got '64'"),
        ("reduce", "mode: 1", r"reduce\.mode: got 1; allowed: 'RGB' \| 'L'"),
        ("sample", "per_class: 1.5", r"sample\.per_class: expected int, got 1\.5"),
        ("scrape", "user_agent: 7", r"scrape\.user_agent: expected str, got 7"),
        ("scrape", "sources: {kind: dataset}", r"scrape\.sources: expected a list, got \{"),
        ("train", "[1, 2]", r"train: expected a mapping of keys, got \[1, 2\]"),
    ],
)
def test_bad_value_fails_at_load_naming_the_key(
    tmp_path: Path, section: str, line: str, message: str
) -> None:
    body = f"  {line}\n" if ":" in line else f" {line}\n"
    if section == "scrape":
        text = f"scrape:\n  sources: [{{kind: dataset, name: mnist}}]\n{body}"
    else:
        text = f"{MNIST}{section}:{chr(10) if ':' in line else ''}{body}"
    with pytest.raises(ParamsError, match="^" + message):
        load_all(write(tmp_path, text))


def _sections() -> list[tuple[str, type]]:
    return [*SECTIONS.items(), ("scrape.sources[0]", Source)]


def _numeric_fields() -> list[tuple[str, type, str, Any]]:
    """(where, class, field name, pydantic FieldInfo) for every int or float field."""
    return [
        (where, cls, name, info)
        for where, cls in _sections()
        for name, info in cls.__pydantic_fields__.items()
        if info.annotation in (int, float)
    ]


def _limits(metadata: list[Any]) -> dict[str, float]:
    return {k: getattr(m, k) for m in metadata for k in ("ge", "gt", "le", "lt") if hasattr(m, k)}


def test_every_number_has_bounds() -> None:
    fields = _numeric_fields()
    assert len(fields) >= 60  # the walk sees them all (60 when pydantic params landed)
    for where, _, name, info in fields:
        limits = _limits(info.metadata)
        assert {"ge", "gt"} & set(limits) and {"le", "lt"} & set(limits), f"{where}.{name}"
    (beta,) = get_args(TrainParams.__pydantic_fields__["betas_g"].annotation)
    assert _limits(FieldInfo.from_annotation(beta).metadata) == {"ge": 0, "lt": 1}


def _outside(info: Any) -> list[float]:
    """A value just below the lowest and just above the highest the field allows."""
    limits = _limits(info.metadata)
    step = 1 if info.annotation is int else 0.5
    low = limits["gt"] if "gt" in limits else limits["ge"] - step
    high = limits["lt"] if "lt" in limits else limits["le"] + step
    return [low, high]


def _required(cls: type) -> dict[str, Any]:
    """The least a section needs besides defaults."""
    if cls is Source:
        return {"kind": "folder", "root": "x"}
    return {"sources": [{"kind": "dataset", "name": "mnist"}]} if cls is SECTIONS["scrape"] else {}


@pytest.mark.parametrize(("where", "cls", "name", "info"), _numeric_fields())
def test_every_bound_is_enforced_naming_the_key(
    where: str, cls: type, name: str, info: Any
) -> None:
    for value in _outside(info):
        key = re.escape(f"{where}.{name}")
        with pytest.raises(ParamsError, match=rf"^{key}: got {re.escape(repr(value))}; allowed: "):
            build(cls, {**_required(cls), name: value}, where)


@pytest.mark.parametrize(("where", "cls"), _sections())
def test_types_are_strict(where: str, cls: type) -> None:
    wrong = {int: "1", float: "1.0", str: 1, bool: 1}
    for name, info in cls.__pydantic_fields__.items():
        if info.annotation in wrong:
            with pytest.raises(ParamsError, match=rf"^{re.escape(where)}\.{name}: expected "):
                build(cls, {**_required(cls), name: wrong[info.annotation]}, where)


def test_sections_are_frozen_dataclasses_and_replace_validates() -> None:
    p = TrainParams()
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.lr_g = 1.0  # type: ignore[misc]
    assert dataclasses.replace(p, lr_g=0.5).lr_g == 0.5
    with pytest.raises(ValidationError, match="lr_g"):
        dataclasses.replace(p, lr_g=-1.0)


def test_floats_written_as_ints_are_floats_so_params_hashes_do_not_change() -> None:
    """ckpt.params_hash hashes asdict(train): YAML's 250 must read as 250.0, as it always did."""
    p = build(TrainParams, {"total_kimg": 250, "lr_g": 1, "betas_g": [0, 0]}, "train")
    values = dataclasses.asdict(p)
    assert repr(values["total_kimg"]) == "250.0" and repr(values["lr_g"]) == "1.0"
    assert [repr(b) for b in values["betas_g"]] == ["0.0", "0.0"]


def test_params_import_no_image_or_torch_library() -> None:
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import ganpipe.params"],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    loaded = {line.split("|")[-1].strip().split(".")[0] for line in out.splitlines()}
    assert not loaded & {"cv2", "PIL", "albumentations", "torch", "numpy"}
