"""params.yaml validation: unknown keys and bad values name the key and what is allowed."""

from pathlib import Path

import pytest

from ganpipe.params import ParamsError, Source, TrainParams, build, load_all, load_section

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
    from ganpipe.params import ReduceParams

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


def test_new_train_keys_default_to_the_old_behaviour() -> None:
    assert TrainParams().d_head == "acgan" and TrainParams().sync_batchnorm is False
    with pytest.raises(ParamsError, match=r"train\.d_head: got 'k\+1'; allowed: 'acgan' \| 'ssl'"):
        build(TrainParams, {"d_head": "k+1"}, "train")


def test_max_minutes_is_off_by_default_and_not_negative() -> None:
    assert TrainParams().max_minutes == 0.0
    with pytest.raises(ParamsError, match=r"train\.max_minutes: must be >= 0 \(0: no limit\)"):
        build(TrainParams, {"max_minutes": -1}, "train")


def test_bare_off_that_yaml_reads_as_false_is_the_word_off() -> None:
    from ganpipe.params import EvaluateParams

    assert build(EvaluateParams, {"inception": False}, "evaluate").inception == "off"
    with pytest.raises(ParamsError, match=r"train\.mode: got True; allowed: 'acgan' \| 'dcgan'"):
        build(TrainParams, {"mode": True}, "train")


def test_invalid_yaml(tmp_path: Path) -> None:
    with pytest.raises(ParamsError, match="not valid YAML"):
        load_all(write(tmp_path, "train: [unclosed\n"))


def test_stage_reports_params_error_in_one_line(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = write(
        tmp_path, "scrape:\n  sources: [{kind: dataset, name: mnist}]\ntrain:\n  lr_d: fast\n"
    )
    proc = subprocess.run(
        [sys.executable, str(REPO / "stages" / "train.py"), "--params", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    assert proc.stderr.strip() == "train: error: train.lr_d: expected float, got 'fast'"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"labelled_fraction": 0.0}, r"train\.labelled_fraction: got 0\.0; allowed: \(0, 1\]"),
        ({"labelled_fraction": 1.5}, r"train\.labelled_fraction: got 1\.5; allowed: \(0, 1\]"),
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
