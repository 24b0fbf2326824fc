"""Sources already on disk: public-dataset arrays, class folders, flat folders and CSV metadata.

Files are copied byte for byte (never re-encoded); dataset arrays, which have no file of their
own, are written as lossless PNG. Whether a file is really an image is the filter stage's call.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from ganpipe.errors import UserError
from ganpipe.manifest import Row, content_id, encode_png, image_relpath, sha256_bytes, write_image
from ganpipe.params import Source
from ganpipe.registries import resolve
from ganpipe.registries.sources import LOCAL_KINDS, SOURCES
from ganpipe.scrape.datasets import iter_samples

Item = tuple[str, bytes, str, str]  # (class, raw bytes, file extension, origin)


def dataset_items(source: Source) -> Iterator[Item]:
    assert source.name is not None
    for label, image, origin in iter_samples(
        source.name, source.split, source.root, source.per_class
    ):
        yield label, encode_png(image), "png", origin


def _file_item(label: str, path: Path) -> Item:
    ext = path.suffix.lower().lstrip(".") or "bin"
    return label, path.read_bytes(), ext, str(path)


def _capped(items: Iterator[Item], per_class: int) -> Iterator[Item]:
    counts: dict[str, int] = {}
    for item in items:
        counts[item[0]] = counts.get(item[0], 0) + 1
        if not per_class or counts[item[0]] <= per_class:
            yield item


def folder_items(source: Source) -> Iterator[Item]:
    root = Path(source.root)
    if not root.is_dir():
        raise FileNotFoundError(f"scrape source folder {root} does not exist")
    for class_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        for path in sorted(p for p in class_dir.rglob("*") if p.is_file()):
            yield _file_item(class_dir.name, path)


def flat_folder_items(source: Source) -> Iterator[Item]:
    root = Path(source.root)
    if not root.is_dir():
        raise FileNotFoundError(f"scrape source folder {root} does not exist")
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        yield _file_item(source.label, path)


def csv_items(source: Source) -> Iterator[Item]:
    table = Path(source.csv)
    base = Path(source.root) if source.root else table.parent
    with table.open(newline="") as f:
        reader = csv.DictReader(f)
        for column in (source.path_column, source.label_column):
            if column not in (reader.fieldnames or []):
                raise UserError(f"{table}: no column '{column}' (columns: {reader.fieldnames})")
        for record in reader:
            yield _file_item(record[source.label_column], base / record[source.path_column])


def collect_local(source: Source, raw_dir: Path) -> list[Row]:
    """Copy every item of a local source into ``raw_dir``; one row per item offered."""
    if source.kind not in LOCAL_KINDS:
        raise ValueError(f"not a local source kind: {source.kind!r}")
    items = resolve(SOURCES[source.kind].reader)(source)
    rows: list[Row] = []
    seen: set[tuple[str, str]] = set()
    for label, data, ext, origin in _capped(items, source.per_class):
        label = source.class_map.get(label, label)
        image_id = content_id(data)
        if (label, image_id) in seen:
            rows.append(
                Row(
                    id=image_id,
                    label=label,
                    path=image_relpath(label, image_id, ext),
                    sha256=sha256_bytes(data),
                    width=0,
                    height=0,
                    mode="",
                    origin=origin,
                ).rejected("duplicate_sha256")
            )
            continue
        seen.add((label, image_id))
        rows.append(write_image(raw_dir, label, data, ext, origin))
    return rows
