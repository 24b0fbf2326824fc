"""The reject list (``reject.txt``): ids and globs of images the filter stage rejects.

The filter stage reads it; ``ganpipe review`` edits it. An edit adds or removes whole lines only,
so the user's comments, globs and order survive, and it replaces the file in one step (a
temporary file, then ``os.replace``): filter never reads half a list, and a crash mid-write
leaves the previous one.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from pathlib import Path

from ganpipe.files import atomic_write
from ganpipe.manifest import Row

LISTED = "listed"  # filter's reason code for an image the list rejects: "listed:<pattern>"
GLOB_CHARS = frozenset("*?[")  # fnmatch's special characters

# A removed line and where it stood, so that undo can put it back in place.
RemovedLine = tuple[int, str]


def pattern_of(line: str) -> str:
    """The id or glob a line holds ("" for a blank or comment line)."""
    return line.split("#", 1)[0].strip()


class RejectList:
    """A reject list's patterns, compiled once: ids by lookup, globs as regular expressions.

    A pattern matches an image's id, its ``class/id`` or its origin (URL or source path).
    """

    def __init__(self, patterns: Iterable[str] = ()) -> None:
        self.patterns = tuple(patterns)
        self._index: dict[str, int] = {}
        for k, pattern in enumerate(self.patterns):
            self._index.setdefault(pattern, k)
        self._exact = {p for p in self._index if not GLOB_CHARS.intersection(p)}
        self._globs = [
            (p, re.compile(fnmatch.translate(p))) for p in self._index if p not in self._exact
        ]

    def matching(self, row: Row) -> list[str]:
        """Every pattern that rejects ``row``, in the file's order."""
        names = (row.id, f"{row.label}/{row.id}", row.origin)
        found = {n for n in names if n in self._exact}
        found.update(p for p, regex in self._globs if any(regex.match(n) for n in names))
        return sorted(found, key=self._index.__getitem__)

    def first(self, row: Row) -> str | None:
        """The first pattern rejecting ``row`` (the one filter names in its reason), or None."""
        found = self.matching(row)
        return found[0] if found else None


def read_reject_list(path: Path) -> RejectList:
    """Ids or globs, one per line; ``#`` starts a comment. A missing file rejects nothing."""
    path = Path(path)
    if not path.exists():
        return RejectList()
    return RejectList(p for p in map(pattern_of, path.read_text().splitlines()) if p)


def plain_patterns(row: Row) -> frozenset[str]:
    """The lines that name ``row`` alone: its id or ``class/id``; a click may remove these."""
    return frozenset((row.id, f"{row.label}/{row.id}"))


def append_pattern(path: Path, pattern: str) -> bool:
    """Add ``pattern`` as a line of its own unless a line holds it already; True if added."""
    text = _read(path)
    if pattern in (pattern_of(line) for line in text.splitlines()):
        return False
    newline = _newline(text)
    if text and not text.endswith(("\n", "\r")):
        text += newline
    _replace(path, text + pattern + newline)
    return True


def remove_patterns(path: Path, patterns: Iterable[str]) -> list[RemovedLine]:
    """Remove the lines holding exactly one of ``patterns`` (with their inline comments)."""
    wanted = frozenset(patterns)
    lines = _read(path).splitlines(keepends=True)
    removed = [(k, line) for k, line in enumerate(lines) if pattern_of(line) in wanted]
    if removed:
        gone = {k for k, _ in removed}
        _replace(path, "".join(line for k, line in enumerate(lines) if k not in gone))
    return removed


def restore_lines(path: Path, removed: list[RemovedLine]) -> None:
    """Put lines ``remove_patterns`` took back where they stood (at the end if the file shrank)."""
    lines = _read(path).splitlines(keepends=True)
    for index, line in removed:  # ascending, so earlier insertions keep later indexes right
        if lines and not lines[-1].endswith(("\n", "\r")):
            lines[-1] += _newline("".join(lines))
        lines.insert(min(index, len(lines)), line)
    _replace(path, "".join(lines))


def _read(path: Path) -> str:
    """The text as stored, line endings untranslated."""
    path = Path(path)
    if not path.exists():
        return ""
    with path.open(newline="") as f:
        return f.read()


def _newline(text: str) -> str:
    """The file's own line ending, so an edit does not mix styles."""
    return "\r\n" if "\r\n" in text else "\n"


def _replace(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` in one step, keeping the file's permissions."""
    with atomic_write(path, "w", newline="") as f:
        f.write(text)
