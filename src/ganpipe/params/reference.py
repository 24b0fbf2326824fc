"""docs/PARAMS.md, made from the sections themselves: one table per section with every key,
its type and allowed values, its default and its description, so the reference cannot drift
from the code (tests/unit/params/test_reference.py fails when the committed file is stale).

``python -m ganpipe.params.reference > docs/PARAMS.md``
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic.fields import FieldInfo

from ganpipe.params import SECTIONS, Source
from ganpipe.params.messages import range_text

HEADER = """# params.yaml reference

<!-- Made by `python -m ganpipe.params.reference > docs/PARAMS.md`; edit the field
descriptions in src/ganpipe/params/<section>.py, not this file. -->

Every key of every section, with its type, what it allows, its default and what it does. A
stage stops at once, naming the key, when a value is outside what is allowed. Which training
options give which model: [OPTIONS.md](OPTIONS.md).
"""


def _value(value: Any) -> str:
    """A default as YAML writes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_value(v)}" for k, v in value.items()) + "}"
    return repr(value)


def _type(tp: Any) -> str:
    """``int``, ``'a' | 'b'``, ``list of float (>= 0 and < 1)``, ``mapping of str to str``."""
    args = [a for a in get_args(tp) if a is not type(None)]
    if get_origin(tp) is Annotated:  # Str, Int, ...: the strict types
        return _type(args[0])
    if get_origin(tp) is Literal:
        return " | ".join(_value(a) for a in args)
    if tp is Source:
        return "source (table below)"
    if get_origin(tp) is list:
        item = FieldInfo.from_annotation(args[0])
        bounds = range_text(item)
        return f"list of {_type(item.annotation)}" + (f" ({bounds})" if bounds else "")
    if get_origin(tp) is dict:
        return f"mapping of {_type(args[0])} to {_type(args[1])}"
    if type(None) in get_args(tp):  # X | None
        return " or ".join([_type(a) for a in args] + ["null"])
    return getattr(tp, "__name__", str(tp))


def _allowed(info: FieldInfo) -> str:
    """The field's type with its bounds and length limits."""
    text = _type(info.annotation)
    found = {type(m).__name__: m for m in info.metadata}
    extra = [range_text(info)]
    if (
        "MinLen" in found
        and "MaxLen" in found
        and found["MinLen"].min_length == (found["MaxLen"].max_length)
    ):
        extra = [f"{found['MinLen'].min_length} items"]
    elif "MaxLen" in found:
        extra.append(f"at most {found['MaxLen'].max_length} items")
    elif "MinLen" in found and found["MinLen"].min_length == 1:
        extra.append("not empty")
    return ", ".join([text, *(e for e in extra if e)])


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def table(cls: type) -> str:
    """One markdown table: key, type and allowed values, default, description."""
    rows = ["| key | type, allowed | default | description |", "|---|---|---|---|"]
    for name, info in cls.__pydantic_fields__.items():
        if info.is_required():
            default = "required"
        else:
            value = info.default_factory() if info.default_factory else info.default
            default = f"`{_cell(_value(value))}`"
        allowed = _cell(_allowed(info))
        rows.append(f"| `{name}` | {allowed} | {default} | {_cell(info.description or '')} |")
    return "\n".join(rows) + "\n"


def _summary(cls: type) -> str:
    """The first paragraph of the class's docstring, on one line."""
    return " ".join((cls.__doc__ or "").strip().split("\n\n")[0].split())


def markdown() -> str:
    """The whole reference: the sections in params.yaml's order, a source's keys after scrape."""
    parts = [HEADER]
    for name, cls in SECTIONS.items():
        parts.append(f"\n## {name}\n\n{_summary(cls)}\n\n{table(cls)}")
        if cls is SECTIONS["scrape"]:
            parts.append(f"\n### scrape.sources[]\n\n{_summary(Source)}\n\n{table(Source)}")
    return "".join(parts)


if __name__ == "__main__":
    print(markdown(), end="")
