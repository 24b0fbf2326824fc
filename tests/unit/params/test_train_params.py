"""The train section: rules that tie keys together, and values that must hash as before."""

import dataclasses

import pytest
from pydantic import ValidationError

from ganpipe.params import (
    EvaluateParams,
    ParamsError,
    TrainParams,
    as_record,
    build,
    from_record,
)


def test_diffaugment_policy_checked() -> None:
    with pytest.raises(ParamsError, match=r"train\.diffaugment: unknown policy \['flip'\]"):
        build(TrainParams, {"diffaugment": "color,flip"}, "train")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"class_conditional": False}, r"train\.d_head: 'ssl' needs classes and ganpipe's own D"),
        ({"arch": "seed-emnist"}, r"train\.d_head: 'ssl' needs classes and ganpipe's own D"),
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
        (
            {"d_head": "projection", "class_conditional": False},
            r"train\.d_head: 'projection' needs classes",
        ),
        ({"d_head": "reacgan", "arch": "seed-emnist"}, r"train\.d_head: 'reacgan' needs"),
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
        (
            {"arch": "resnet", "preset": "seed-emnist"},
            r"train\.preset: renamed: use train\.arch: seed-emnist",
        ),
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


def test_max_minutes_is_off_by_default_and_not_negative() -> None:
    assert TrainParams().max_minutes == 0.0
    with pytest.raises(
        ParamsError, match=r"train\.max_minutes: got -1; allowed: 0 to .* \(0: no limit\)"
    ):
        build(TrainParams, {"max_minutes": -1}, "train")


def test_bare_off_that_yaml_reads_as_false_is_the_word_off() -> None:
    assert build(EvaluateParams, {"inception": False}, "evaluate").inception == "off"
    allowed = r"allowed: 'dcgan' \| 'resnet' \| 'seed-emnist'"
    with pytest.raises(ParamsError, match=r"train\.arch: got True; " + allowed):
        build(TrainParams, {"arch": True}, "train")


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"labelled_fraction": 0.0}, r"train\.labelled_fraction: got 0\.0; allowed: > 0 and <= 1"),
        ({"labelled_fraction": 1.5}, r"train\.labelled_fraction: got 1\.5; allowed: > 0 and <= 1"),
        (
            {"labelled_fraction": 0.1, "balanced_sampling": True},
            r"train\.labelled_fraction: below 1 needs train\.class_conditional true and "
            r"balanced_sampling false",
        ),
        (
            {"labelled_fraction": 0.1, "class_conditional": False},
            r"train\.labelled_fraction: below 1 needs",
        ),
    ],
)
def test_labelled_fraction_checked(values: dict, message: str) -> None:
    assert build(TrainParams, {"labelled_fraction": 0.1}, "train").labelled_fraction == 0.1
    with pytest.raises(ParamsError, match=message):
        build(TrainParams, values, "train")


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


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ({"mode": "dcgan"}, r"train\.mode: renamed: use train\.class_conditional: true \(was mode"),
        ({"preset": "seed-emnist"}, r"train\.preset: renamed: use train\.arch: seed-emnist"),
    ],
)
def test_a_renamed_key_fails_naming_its_new_key(old: dict, new: str) -> None:
    with pytest.raises(ParamsError, match=new):
        build(TrainParams, old, "train")


OLD_RECORD_KEYS = ["seed", "preset", "mode", "arch", "z_dim"]  # as generator files hold them


@pytest.mark.parametrize(
    ("values", "record"),
    [
        ({}, {"preset": "", "mode": "acgan", "arch": "dcgan"}),
        ({"class_conditional": False, "arch": "resnet"}, {"mode": "dcgan", "arch": "resnet"}),
        ({"arch": "seed-emnist"}, {"preset": "seed-emnist", "mode": "acgan", "arch": "dcgan"}),
    ],
)
def test_model_files_keep_the_old_names_and_read_back(values: dict, record: dict) -> None:
    p = TrainParams(**values)
    written = as_record(p)
    assert list(written)[:5] == OLD_RECORD_KEYS  # same keys, same order: same file bytes
    assert written.items() >= record.items()
    assert "class_conditional" not in written
    assert build(TrainParams, from_record(written), "train") == p
