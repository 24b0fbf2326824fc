"""reject.txt: what filter reads, and edits that keep the user's comments, globs and order."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from ganpipe.clean import reject_list as rl
from ganpipe.manifest import Row

USER_TEXT = (
    "# hand review, 2026-11-23\n"
    "aaaa000000000001  # blurry\n"
    "\n"
    "BMW/3fa9*\n"
    "# the dealer photos\n"
    "https://example.com/dealer.jpg\n"
)


def row(image_id: str, label: str = "BMW", origin: str = "https://example.com/x.jpg") -> Row:
    return Row(image_id, label, f"images/{label}/{image_id}.jpg", "", 1, 1, "RGB", origin)


@pytest.fixture
def listed(tmp_path: Path) -> Path:
    path = tmp_path / "reject.txt"
    path.write_text(USER_TEXT)
    return path


def test_read_ids_globs_and_urls_without_comments(listed: Path, tmp_path: Path) -> None:
    assert rl.read_reject_list(listed).patterns == (
        "aaaa000000000001",
        "BMW/3fa9*",
        "https://example.com/dealer.jpg",
    )
    assert rl.read_reject_list(tmp_path / "missing.txt").patterns == ()


def test_matching_names_id_class_id_and_origin(listed: Path) -> None:
    patterns = rl.read_reject_list(listed)
    assert patterns.matching(row("aaaa000000000001")) == ["aaaa000000000001"]
    assert patterns.first(row("3fa9000000000002")) == "BMW/3fa9*"
    assert patterns.first(row("3fa9000000000002", label="Audi")) is None
    dealer = row("bbbb000000000003", origin="https://example.com/dealer.jpg")
    assert patterns.matching(dealer) == ["https://example.com/dealer.jpg"]
    both = rl.RejectList(["BMW/*", "x", "aaaa000000000001", "BMW/*"])
    assert both.matching(row("aaaa000000000001")) == ["BMW/*", "aaaa000000000001"]  # file order
    assert rl.RejectList(["BMW/[ab]*"]).first(row("aaaa000000000001")) == "BMW/[ab]*"
    assert rl.plain_patterns(dealer) == {"bbbb000000000003", "BMW/bbbb000000000003"}


def test_append_then_remove_gives_back_the_same_bytes(listed: Path) -> None:
    assert rl.append_pattern(listed, "cccc000000000004")
    assert listed.read_text() == USER_TEXT + "cccc000000000004\n"
    assert not rl.append_pattern(listed, "cccc000000000004")  # idempotent
    assert rl.remove_patterns(listed, {"cccc000000000004"}) == [(6, "cccc000000000004\n")]
    assert listed.read_text() == USER_TEXT
    assert rl.remove_patterns(listed, {"cccc000000000004"}) == []
    assert listed.read_text() == USER_TEXT


def test_remove_then_restore_puts_the_line_and_its_comment_back(listed: Path) -> None:
    removed = rl.remove_patterns(listed, {"aaaa000000000001", "BMW/aaaa000000000001"})
    assert removed == [(1, "aaaa000000000001  # blurry\n")]
    assert "aaaa" not in listed.read_text() and "BMW/3fa9*" in listed.read_text()
    rl.restore_lines(listed, removed)
    assert listed.read_text() == USER_TEXT


def test_globs_are_never_removed_by_an_id(listed: Path) -> None:
    assert rl.remove_patterns(listed, {"3fa9000000000002", "BMW/3fa9000000000002"}) == []
    assert listed.read_text() == USER_TEXT


def test_missing_file_unterminated_last_line_and_crlf(tmp_path: Path) -> None:
    fresh = tmp_path / "new.txt"
    assert rl.append_pattern(fresh, "dddd000000000005")
    assert fresh.read_text() == "dddd000000000005\n"
    open_end = tmp_path / "open.txt"
    open_end.write_text("# no newline at the end")
    rl.append_pattern(open_end, "dddd000000000005")
    assert open_end.read_text() == "# no newline at the end\ndddd000000000005\n"
    windows = tmp_path / "crlf.txt"
    windows.write_bytes(b"# from notepad\r\nBMW/*\r\n")
    rl.append_pattern(windows, "dddd000000000005")
    assert windows.read_bytes() == b"# from notepad\r\nBMW/*\r\ndddd000000000005\r\n"


def test_edit_is_atomic_and_keeps_permissions(listed: Path, monkeypatch) -> None:
    os.chmod(listed, 0o664)
    rl.append_pattern(listed, "eeee000000000006")
    assert stat.S_IMODE(listed.stat().st_mode) == 0o664
    assert [p.name for p in listed.parent.iterdir()] == ["reject.txt"]  # no temporary left

    def crash(src: str, dst: str) -> None:
        raise OSError("disk full")

    before = listed.read_text()
    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        rl.append_pattern(listed, "ffff000000000007")
    assert listed.read_text() == before  # the old list, whole
    assert [p.name for p in listed.parent.iterdir()] == ["reject.txt"]
