"""``write_stage``: lay generated files (see ``imagecases``) out as a stage with a manifest."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ganpipe.manifest import Row, content_id, image_relpath, sha256_bytes, write_manifest

StageWriter = Callable[..., tuple[Path, dict[str, str]]]


@pytest.fixture
def write_stage(tmp_path: Path) -> StageWriter:
    """``write_stage({class: {name: bytes}})`` -> (stage dir, {name: id}), manifest included.

    Ids come from class and name, so two names may hold the same bytes (exact duplicates).
    """

    def write(
        files: dict[str, dict[str, bytes]], name: str = "raw", ext: str = "jpg"
    ) -> tuple[Path, dict[str, str]]:
        stage = tmp_path / name
        rows, ids = [], {}
        for label, members in files.items():
            for key, data in members.items():
                image_id = content_id(f"{label}/{key}".encode())
                rel = image_relpath(label, image_id, ext)
                (stage / rel).parent.mkdir(parents=True, exist_ok=True)
                (stage / rel).write_bytes(data)
                rows.append(
                    Row(
                        image_id,
                        label,
                        rel,
                        sha256_bytes(data),
                        0,
                        0,
                        "",
                        f"https://example.com/{key}.jpg",
                    )
                )
                ids[key] = image_id
        write_manifest(stage, rows)
        return stage, ids

    return write
