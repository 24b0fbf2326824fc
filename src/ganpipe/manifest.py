"""The per-stage image manifest: the data contract between image stages (docs/ARCHITECTURE.md).

Each image stage writes ``<stage_dir>/images/<class>/<id>.<ext>`` and ``<stage_dir>/manifest.csv``
with one row per image that *entered* the stage, kept or rejected, so nothing is lost silently.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

import numpy as np
from PIL import Image

from ganpipe.errors import UserError

KEPT = "kept"
REJECTED = "rejected"
MANIFEST = "manifest.csv"


@dataclass(frozen=True)
class Row:
    """One image entering a stage. ``path`` is relative to the stage directory.

    ``path`` may lead out of the stage directory (``../raw/images/...``) when the stage kept the
    image unchanged; ``origin`` is the URL or source path, or ``copy-of:<id>`` for an augmented
    copy.
    """

    id: str
    label: str
    path: str
    sha256: str
    width: int
    height: int
    mode: str
    origin: str
    status: str = KEPT
    reason: str = ""

    def rejected(self, reason: str) -> Row:
        """This row marked as rejected, keeping everything known about the input."""
        return replace(self, status=REJECTED, reason=reason)


COLUMNS = [f.name if f.name != "label" else "class" for f in fields(Row)]


COPY_OF = "copy-of:"  # the origin of an augmented copy: the id of the image it was made from


def copy_origin(source_id: str) -> str:
    return COPY_OF + source_id


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def content_id(data: bytes) -> str:
    """A stable, content-derived image id (first 16 hex digits of the sha256)."""
    return sha256_bytes(data)[:16]


def encode_png(image: np.ndarray) -> bytes:
    """Lossless, byte-deterministic PNG of a uint8 array (H, W) or (H, W, 3)."""
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG", compress_level=6)
    return buffer.getvalue()


def image_relpath(label: str, image_id: str, ext: str) -> str:
    return f"images/{label}/{image_id}.{ext.lstrip('.')}"


def write_image(
    stage_dir: Path,
    label: str,
    data: bytes,
    ext: str,
    origin: str,
    size: tuple[int, int] = (0, 0),
    mode: str = "",
) -> Row:
    """Store an image's bytes under its content id; the kept row that describes it."""
    image_id = content_id(data)
    row = Row(
        id=image_id,
        label=label,
        path=image_relpath(label, image_id, ext),
        sha256=sha256_bytes(data),
        width=size[0],
        height=size[1],
        mode=mode,
        origin=origin,
    )
    store(stage_dir, row.path, data)
    return row


def store(stage_dir: Path, rel: str, data: bytes) -> None:
    """Write ``data`` at ``stage_dir/rel``, making its class folder on first use."""
    target = Path(stage_dir) / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)


def write_manifest(stage_dir: Path, rows: Iterable[Row]) -> Path:
    """Write rows sorted by class then id, so the file is byte-identical across runs."""
    out = Path(stage_dir) / MANIFEST
    out.parent.mkdir(parents=True, exist_ok=True)
    ordered = sorted(rows, key=lambda r: (r.label, r.id, r.status))
    with out.open("w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(COLUMNS)
        for row in ordered:
            writer.writerow(list(asdict(row).values()))
    return out


def read_manifest(stage_dir: Path, kept_only: bool = False) -> list[Row]:
    path = Path(stage_dir) / MANIFEST
    if not path.exists():
        raise FileNotFoundError(f"{path}: no manifest; run the stage that writes {stage_dir}")
    with path.open(newline="") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames != COLUMNS:
            raise UserError(f"{path}: columns {reader.fieldnames} differ from {COLUMNS}")
        rows = [
            Row(
                id=d["id"],
                label=d["class"],
                path=d["path"],
                sha256=d["sha256"],
                width=int(d["width"]),
                height=int(d["height"]),
                mode=d["mode"],
                origin=d["origin"],
                status=d["status"],
                reason=d["reason"],
            )
            for d in reader
        ]
    return [r for r in rows if r.status == KEPT] if kept_only else rows


def class_names(rows: Sequence[Row]) -> list[str]:
    """The sorted class list of the kept rows: the label index order everywhere downstream."""
    return sorted({r.label for r in rows if r.status == KEPT})


def stage_counts(rows: Sequence[Row]) -> dict[str, dict[str, int]]:
    """Per class: rows in, kept, rejected, and rejections per reason (in = kept + rejected)."""
    out: dict[str, dict[str, int]] = {}
    for label in sorted({r.label for r in rows}):
        mine = [r for r in rows if r.label == label]
        reasons = Counter(r.reason.split(":")[0] for r in mine if r.status == REJECTED)
        kept = sum(r.status == KEPT for r in mine)
        out[label] = {
            "in": len(mine),
            "kept": kept,
            "rejected": len(mine) - kept,
            **{f"rejected_{k}": v for k, v in sorted(reasons.items())},
        }
    return out
