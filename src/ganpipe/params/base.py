"""What every params section is built from: strict types, the error types, the shared fields.

Types are strict (``Int``, ``Float``, ``Str``, ``Bool``: no ``"8"`` for 8, no ``true`` for 1;
an int is fine where a float is wanted). A section module imports this and what its own keys
need (a registry's names, the chain grammar, the truncation rule), never another section's
module, so one section's code can change without touching another's.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import ConfigDict, Field, Strict, model_validator
from pydantic.dataclasses import dataclass

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


def require(ok: bool, key: str, message: str) -> None:
    """Raise :class:`Invalid` for ``key`` unless ``ok``: a rule that ties keys together."""
    if not ok:
        raise Invalid(key, message)


# YAML 1.1 reads a bare off / on as a boolean, and `dvc exp run -S` writes params.yaml back
# without the quotes that kept "off" a string: read them back as the words they were.
YAML_BOOL_WORDS = {False: "off", True: "on"}


@dataclass(frozen=True, config=CONFIG)
class Section:
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


def workers_field(default: int = 0) -> Any:
    """The ``workers`` key of the image stages: processes, 0 for one per core."""
    return Field(default, ge=0, le=256, description="0 = all cores")


def seed_field() -> Any:
    """A ``seed`` key: any unsigned 32-bit value, as numpy and torch take."""
    return Field(0, ge=0, le=2**32 - 1, description="random seed")
