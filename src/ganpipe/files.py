"""Writing files so that a reader or a kill never sees half of one.

Every output a later run or stage reads back (checkpoints, feature caches, metrics JSON, the
provenance log, reject.txt) goes through :func:`atomic_write`: a temporary file in the same
folder, flushed and fsynced, then renamed over the target in one step.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any


def _read_umask() -> int:
    """The process umask (read once, at import: setting it is process-wide, unsafe in threads)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _read_umask()


@contextmanager
def atomic_write(
    path: Path, mode: str = "wb", encoding: str | None = None, newline: str | None = None
) -> Iterator[IO[Any]]:
    """A file to write ``path``'s new content to; it replaces ``path`` only when the block ends.

    An exception inside the block removes the temporary file and leaves ``path`` as it was. The
    file keeps its permissions (a new one gets those ``open`` would give, not mkstemp's 0600).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    permissions = path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_UMASK
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, mode, encoding=encoding, newline=newline) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, permissions)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json(path: Path, data: Any) -> None:
    """``data`` as indented JSON with sorted keys and a final newline: stable bytes for git/DVC."""
    with atomic_write(path, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(data, indent=2, sort_keys=True) + "\n")
