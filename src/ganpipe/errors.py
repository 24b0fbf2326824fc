"""The one exception type for failures a user can fix from the message alone.

A stage that raises :class:`UserError` (or a subclass) exits with one line naming the stage and
the problem; every other exception is a bug in ganpipe and keeps its traceback
(docs/ARCHITECTURE.md, "Where each concern lives").
"""

from __future__ import annotations


class UserError(ValueError):
    """Bad input data, a missing dataset, a blocked search engine, an unsupported setting.

    A ``ValueError``: callers that already catch bad values keep working.
    """
