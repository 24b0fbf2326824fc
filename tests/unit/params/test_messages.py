"""Error messages: the key's full path, what was given (a little of it) and what is allowed."""

import re
from pathlib import Path
from typing import Any, get_args

import pytest
from paramskit import SOURCE, write
from pydantic.fields import FieldInfo

from ganpipe.params import (
    SECTIONS,
    ParamsError,
    ReduceParams,
    Source,
    TrainParams,
    build,
    load_all,
)


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


def test_nested_unknown_key_has_full_path(tmp_path: Path) -> None:
    path = write(tmp_path, "scrape:\n  sources:\n    - kind: dataset\n      nmae: mnist\n")
    with pytest.raises(
        ParamsError,
        match=r"scrape\.sources\[0\]\.nmae: unknown key\. "
        r"Did you mean 'name'",
    ):
        load_all(path)


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
