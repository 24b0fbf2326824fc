"""atomic_write replaces a file in one step or not at all; write_json gives stable bytes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ganpipe.files import atomic_write, write_json


def test_atomic_write_replaces_and_leaves_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "f.bin"
    with atomic_write(path) as handle:
        handle.write(b"new")
    assert path.read_bytes() == b"new"
    assert os.listdir(path.parent) == ["f.bin"]
    assert path.stat().st_mode & 0o777 == 0o666 & ~_umask()


def test_a_failed_write_keeps_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "f.txt"
    path.write_text("old")
    with pytest.raises(RuntimeError, match="disk full"), atomic_write(path, "w") as handle:
        handle.write("half of the new")
        raise RuntimeError("disk full")
    assert path.read_text() == "old"
    assert os.listdir(tmp_path) == ["f.txt"]


def test_write_json_is_sorted_indented_and_ends_in_a_newline(tmp_path: Path) -> None:
    write_json(tmp_path / "m.json", {"b": 1, "a": {"d": 2.5, "c": None}})
    assert (tmp_path / "m.json").read_text() == (
        '{\n  "a": {\n    "c": null,\n    "d": 2.5\n  },\n  "b": 1\n}\n'
    )


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
