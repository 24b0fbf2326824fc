"""params.yaml validation: unknown keys and bad values name the key and what is allowed."""

import dataclasses
import json
import os
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
    as_record,
    build,
    from_record,
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
    allowed = r"allowed: 'dcgan' \| 'resnet' \| 'seed-emnist'"
    with pytest.raises(ParamsError, match=r"train\.arch: got True; " + allowed):
        build(TrainParams, {"arch": True}, "train")


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


# ------------------------------------------------------------------ hostile files: bounded
def alias_bomb(levels: int = 9, width: int = 9) -> str:
    """YAML of ``width ** levels`` strings in a few hundred bytes: each level an anchor that
    the next repeats ``width`` times (the issue's 9 levels of 9: 387 million values)."""
    text = "[" + ", ".join(['"lol"'] * width) + "]"
    for level in range(levels - 1):
        text = f"[&a{level} {text}" + f", *a{level}" * (width - 1) + "]"
    return text


SOURCE = "scrape:\n  sources: [{kind: folder, root: x}]\n"
BOMBS = {  # where the bomb sits: (params.yaml, the key its message starts with)
    "an unknown train key": (SOURCE + f"train:\n  junk: {alias_bomb()}\n", "train.junk"),
    "scrape.sources": (f"scrape:\n  sources: {alias_bomb()}\n", "scrape.sources"),
    "a source's queries": (
        f"scrape:\n  sources: [{{kind: bing, queries: {{cat: {alias_bomb()}}}}}]\n",
        "scrape.sources[0].queries.cat",
    ),
    "anchors as keys of their own": (
        SOURCE
        + "augment:\n  a0: &a0 [x, x, x, x, x, x, x, x, x]\n"
        + "".join(f"  a{k}: &a{k} [{', '.join([f'*a{k - 1}'] * 9)}]\n" for k in range(1, 9)),
        "augment.a5",  # 9**6 values: the first level over 100,000
    ),
}
# Run in a child with an address-space cap, so that a regression fails instead of eating the
# machine; it reports the seconds load_all took and its peak resident memory.
# (VmHWM, not getrusage: a child's ru_maxrss starts at its parent's, pytest's hundreds of MB)
BOMB_PROBE = """
import json, re, sys, time
from pathlib import Path
from ganpipe.params import ParamsError, load_all
start = time.monotonic()
try:
    load_all(sys.argv[1])
    message = None
except ParamsError as err:
    message = str(err)
seconds = time.monotonic() - start
peak_kb = re.search(r"VmHWM:\\s+(\\d+) kB", Path("/proc/self/status").read_text())[1]
print(json.dumps({"seconds": seconds, "peak_mb": int(peak_kb) / 1024, "message": message}))
"""


def _cap_memory() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30))


@pytest.mark.parametrize("where", BOMBS)
def test_an_alias_bomb_fails_at_once_in_one_short_line_naming_the_key(
    tmp_path: Path, where: str
) -> None:
    text, key = BOMBS[where]
    assert len(text) < 1000
    proc = subprocess.run(
        [sys.executable, "-c", BOMB_PROBE, str(write(tmp_path, text))],
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=_cap_memory,
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout)
    assert result["seconds"] < 2 and result["peak_mb"] < 200, result  # the whole process
    message = result["message"]
    assert message.startswith(key) and "more than 100,000 values once YAML aliases" in message
    assert "\n" not in message and len(message) < 200


def test_an_alias_that_holds_itself_is_named(tmp_path: Path) -> None:
    with pytest.raises(ParamsError, match=r"^train\.junk\[1\]: a YAML alias inside its own"):
        load_all(write(tmp_path, SOURCE + "train:\n  junk: &a [1, *a]\n"))


def test_nesting_is_bounded_with_the_key_named(tmp_path: Path) -> None:
    deep = "[" * 20 + "]" * 20
    with pytest.raises(ParamsError, match=r"^train\.junk(\[0\]){15}: nested more than 16 levels"):
        load_all(write(tmp_path, SOURCE + f"train:\n  junk: {deep}\n"))
    aliased = "train:\n  a: &a " + "[" * 10 + "]" * 10 + "\n  b: " + "[" * 8 + "*a" + "]" * 8
    with pytest.raises(ParamsError, match=r"^train\.b(\[0\])+: nested more than 16 levels"):
        load_all(write(tmp_path, SOURCE + aliased + "\n"))
    with pytest.raises(ParamsError, match=r"params\.yaml: nested too deep for YAML to read$"):
        load_all(write(tmp_path, SOURCE + "train:\n  junk: " + "[" * 5000 + "]" * 5000 + "\n"))


def test_the_file_size_is_bounded(tmp_path: Path) -> None:
    path = write(tmp_path, SOURCE + "# padding\n" * 30_000)
    with pytest.raises(ParamsError, match=r"params\.yaml: larger than 256 kB; a params file has"):
        load_all(path)


def test_shared_anchors_of_a_real_size_still_load(tmp_path: Path) -> None:
    text = "scrape:\n  sources: [&s {kind: folder, root: x}, *s]\n  classes: &c [a, b]\n"
    assert load_all(write(tmp_path, text))["scrape"].classes == ["a", "b"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("train:\n  z_dim: " + "x" * 100_000, r"^train\.z_dim: expected int, got 'x+\.\.\.x+'$"),
        ("train:\n  arch: [" + ", ".join(["[a, b, c, d, e]"] * 9) + "]", r"got \[\[.*\.\.\.\]"),
        ("train:\n  ? " + "k" * 100_000 + "\n  : 1", r"^train\.k{39}…: unknown key\."),
        ("? " + "k" * 100_000 + "\n: 1", r"^k{39}…: unknown section\."),
        ("augment:\n  chains: ['" + "x" * 100_000 + "']", r"^augment\.chains\[0\]: augment code"),
        ("train: {lr_g: [1, }\n" + "x" * 100_000, r"^\S+params\.yaml: not valid YAML: "),
        ("train: !!python/object/apply:os.system [touch ran]", r"constructor for the tag"),
    ],
    ids=["long-value", "deep-value", "long-key", "long-section", "long-chain", "bad-yaml", "code"],
)
def test_messages_show_at_most_a_little_of_the_input(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(ParamsError, match=message) as caught:
        load_all(write(tmp_path, SOURCE + text))
    assert len(str(caught.value)) < 1000 and "\n" not in str(caught.value)


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
