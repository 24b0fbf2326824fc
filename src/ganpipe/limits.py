"""Bounds on what ganpipe reads from files and requests it did not write: one place for them.

A hostile or broken input (an alias bomb in params.yaml, a model file of random bytes, a
request to the review page with a body of terabytes) must meet a clear answer at once, never
a hang, a traceback or a message the size of the input. Values from such inputs go into
messages through :func:`brief`, never whole.
"""

from __future__ import annotations

import reprlib
from typing import Any

# params.yaml: a real one is a few kB, a few levels deep, a few hundred values.
PARAMS_MAX_BYTES = 256 * 1024
PARAMS_MAX_DEPTH = 16  # mappings and lists inside one another, aliases followed
PARAMS_MAX_VALUES = 100_000  # values once YAML's aliases are expanded

# Images and model files: the largest side resize writes; classes a model file may name.
MAX_IMAGE_SIDE = 512
MODEL_MAX_CLASSES = 10_000

# The review server: its requests are small JSON objects ({"key": "class/id"}).
REVIEW_MAX_BODY = 4096  # bytes; above: 413
REVIEW_MAX_JSON_DEPTH = 4  # nesting of [ and {; above: 400
REVIEW_SOCKET_TIMEOUT = 10.0  # seconds a connection may stay silent
REVIEW_BACKLOG = 128  # connections waiting to be accepted (a page's burst of clicks)

MESSAGE_CHARS = 80  # characters of an input value shown in a message
ERROR_CHARS = 400  # characters of a whole message built from input (an answer's error too)

_REPR = reprlib.Repr()
_REPR.maxlevel = 2
_REPR.maxlist = _REPR.maxtuple = _REPR.maxset = _REPR.maxfrozenset = _REPR.maxdict = 4
_REPR.maxstring = _REPR.maxother = _REPR.maxlong = MESSAGE_CHARS


def clip(text: str, chars: int = MESSAGE_CHARS) -> str:
    """``text`` cut to ``chars`` characters (an ellipsis marks the cut), on one line."""
    text = " ".join(text.split("\n"))
    return text if len(text) <= chars else text[: chars - 1] + "…"


def brief(value: Any, chars: int = MESSAGE_CHARS) -> str:
    """``repr(value)`` for a message, at any size of value: two levels deep, four items per
    container, ``chars`` characters (reprlib, so a shared-reference bomb is never walked)."""
    return clip(_REPR.repr(value), chars)
