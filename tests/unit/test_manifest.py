"""The data contract: manifest round trip, deterministic order, per-class accounting."""

from pathlib import Path

import pytest

from ganpipe.manifest import (
    Row,
    class_names,
    content_id,
    read_manifest,
    stage_counts,
    write_manifest,
)


def row(label: str, image_id: str, status: str = "kept", reason: str = "") -> Row:
    return Row(
        id=image_id,
        label=label,
        path=f"images/{label}/{image_id}.png",
        sha256="0" * 64,
        width=28,
        height=28,
        mode="L",
        origin="test",
        status=status,
        reason=reason,
    )


def test_round_trip_is_sorted_and_byte_stable(tmp_path: Path) -> None:
    rows = [row("b", "2"), row("a", "9"), row("a", "1", "rejected", "blank")]
    write_manifest(tmp_path, rows)
    first = (tmp_path / "manifest.csv").read_bytes()
    write_manifest(tmp_path, list(reversed(rows)))
    assert (tmp_path / "manifest.csv").read_bytes() == first
    back = read_manifest(tmp_path)
    assert [(r.label, r.id) for r in back] == [("a", "1"), ("a", "9"), ("b", "2")]
    assert read_manifest(tmp_path, kept_only=True) == [row("a", "9"), row("b", "2")]


def test_counts_in_equals_kept_plus_rejected() -> None:
    rows = [
        row("a", "1"),
        row("a", "2", "rejected", "blank"),
        row("a", "3", "rejected", "corrupt: truncated"),
        row("b", "4"),
    ]
    counts = stage_counts(rows)
    assert counts["a"] == {
        "in": 3,
        "kept": 1,
        "rejected": 2,
        "rejected_blank": 1,
        "rejected_corrupt": 1,
    }
    assert class_names(rows) == ["a", "b"]


def test_missing_manifest_names_the_stage_dir(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no manifest; run the stage"):
        read_manifest(tmp_path)


def test_content_id_is_stable() -> None:
    assert content_id(b"abc") == "ba7816bf8f01cfea"
