"""Loading params.yaml: every section validated, a bad value stops the stage naming its key."""

import subprocess
import sys
from pathlib import Path

import pytest
from paramskit import MNIST, REPO, write

from ganpipe.params import (
    ParamsError,
    TrainParams,
    load_all,
    load_section,
)


def test_repository_params_are_valid() -> None:
    params = load_all(REPO / "params.yaml")
    assert params["scrape"].sources[0].name == "fashion-mnist"
    assert params["resize"].image_size == 28


def test_defaults_fill_missing_sections(tmp_path: Path) -> None:
    train = load_section(
        "train", write(tmp_path, "scrape:\n  sources: [{kind: dataset, name: mnist}]\n")
    )
    assert train == TrainParams()


def test_unknown_section(tmp_path: Path) -> None:
    with pytest.raises(ParamsError, match=r"trian: unknown section\. Did you mean 'train'"):
        load_all(write(tmp_path, "trian: {}\n"))


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


def test_params_import_no_image_or_torch_library() -> None:
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import ganpipe.params"],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    loaded = {line.split("|")[-1].strip().split(".")[0] for line in out.splitlines()}
    assert not loaded & {"cv2", "PIL", "albumentations", "torch", "numpy"}
