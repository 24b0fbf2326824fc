"""One pydantic error as ``train.lr_g: got -1; allowed: > 0 and <= 1``: the key's full path, what
was given (never all of it: it may be an alias bomb) and what is allowed."""

from __future__ import annotations

import difflib
from functools import cache
from typing import Any, Literal, TypeVar, get_args, get_origin

from pydantic import TypeAdapter, ValidationError
from pydantic.dataclasses import is_pydantic_dataclass
from pydantic.fields import FieldInfo

from ganpipe.limits import ERROR_CHARS, brief, clip
from ganpipe.params.base import Invalid, ParamsError

T = TypeVar("T")

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
    return where + "".join(step_text(p) for p in loc)


def step_text(part: Any) -> str:
    """``[3]`` or ``.key`` (a key from the file cut short)."""
    return f"[{part}]" if isinstance(part, int) else f".{clip(str(part), 40)}"


def range_text(info: FieldInfo | None, ctx: dict[str, Any] | None = None) -> str:
    """``28 to 512``, ``> 0``, ``>= 0 and < 1``: the field's whole allowed range ("" if none;
    ``ctx``, pydantic's error context, when the bounds sit on a list's items)."""
    found = {type(m).__name__.lower(): m for m in (info.metadata if info else [])}
    limits = {k: getattr(found[k], k) for k in ("ge", "gt", "le", "lt") if k in found} or {
        k: v for k, v in (ctx or {}).items() if k in ("ge", "gt", "le", "lt")
    }
    if "ge" in limits and "le" in limits:
        return f"{limits['ge']} to {limits['le']}"
    signs = {"ge": ">=", "gt": ">", "le": "<=", "lt": "<"}
    return " and ".join(f"{signs[k]} {v}" for k, v in limits.items())


def _bounds(info: FieldInfo | None, ctx: dict[str, Any]) -> str:
    """The allowed range, and the field's description when it has one."""
    text = range_text(info, ctx)
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
    """One TypeAdapter per class: building it costs more than a validation."""
    return TypeAdapter(cls)


def build(cls: type[T], data: Any, where: str) -> T:
    """Validate ``data`` (a mapping; None = all defaults) as ``cls``; errors name ``where.key``."""
    try:
        return _adapter(cls).validate_python({} if data is None else data)
    except ValidationError as err:
        raise ParamsError(_message(cls, err.errors()[0], where)) from None
