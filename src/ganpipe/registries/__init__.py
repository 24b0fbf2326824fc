"""What can be plugged in where, as light tables: D heads, source kinds and metrics.

Params derives its ``Literal`` types from these tables, and every stage validates params, so this
package imports nothing heavy: an implementation is named by a ``"module:attribute"`` path and
imported only when it is used (:func:`resolve`). Hence Selenium loads only when Google is
scraped, and torch only where metrics run.
"""

from __future__ import annotations

import importlib
from typing import Any


def resolve(path: str) -> Any:
    """The object a ``"package.module:attribute"`` path names, its module imported on demand."""
    module, _, attribute = path.partition(":")
    if not module or not attribute:
        raise ValueError(f"not a 'module:attribute' path: {path!r}")
    return getattr(importlib.import_module(module), attribute)
