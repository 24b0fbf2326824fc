"""What the review page shows and changes: the images filter let through, in suspicion order,
and their rejection as ``reject.txt`` says it now.

``reject.txt`` is the only state: every answer re-reads it, so edits made in an editor meanwhile
count, and a click adds or removes one plain id line (clean/reject_list.py). Undo is a stack of
those edits, each reverted exactly (a removed line goes back where it stood, comment included).
"""

from __future__ import annotations

import csv
import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ganpipe.clean import reject_list as rl
from ganpipe.errors import UserError
from ganpipe.manifest import KEPT, Row, read_manifest

SUSPECT_COLUMNS = ("id", "class", "suspicion", "suspect", "predicted_class")
REASON = "reason"  # the strongest signal in words; optional (tables from before it had none)
RANK = "rank"  # 1 = most evidence; optional, like the reason


class ReviewError(ValueError):
    """A request the page cannot carry out (unknown image, or one a glob rejects)."""


@dataclass(frozen=True)
class Suspicion:
    score: float  # in [0, 1]; higher = more likely mislabelled or off-topic; 0.5 at the cut
    suspect: bool
    predicted: str
    reason: str = ""  # why, in words: "looks like a photo", "closer to class Audi"
    rank: int | None = None  # in the whole folder, 1 = the most evidence

    @property
    def strength(self) -> str:
        """In words, how far past the suspect cut (0.5) the image lies: ``strong`` at three
        times the cut's evidence, ``suspect`` past it, ``weak`` below."""
        return "strong" if self.score >= 0.75 else "suspect" if self.score >= 0.5 else "weak"


@dataclass(frozen=True)
class Item:
    """One image on the page; ``key`` is ``class/id`` (an id may recur in another class)."""

    row: Row
    folder: Path  # the folder the row's path is relative to
    was_rejected: bool  # rejected by the list at filter's last run
    suspicion: Suspicion | None

    @property
    def key(self) -> str:
        return f"{self.row.label}/{self.row.id}"

    @property
    def file(self) -> Path:
        return self.folder / self.row.path


def load_items(filtered: Path, raw: Path, suspects: Path | None) -> list[Item]:
    """Filter's kept images plus those it rejected as listed (so a click can bring them back).

    Kept rows' paths are relative to ``filtered`` (possibly ``../raw/...``); a rejected row
    keeps the input's path, relative to ``raw``. Per class, most suspicious first, then by id.
    """
    scores = read_suspects(suspects) if suspects else {}
    filtered, raw = Path(filtered), Path(raw)
    items = []
    for row in read_manifest(filtered):
        listed = row.reason.startswith(f"{rl.LISTED}:")
        if row.status == KEPT or listed:
            folder = raw if listed else filtered
            items.append(Item(row, folder, listed, scores.get((row.label, row.id))))
    return sorted(items, key=_order)


def cap_per_class(items: list[Item], cap: int) -> tuple[list[Item], dict[str, int]]:
    """The first ``cap`` images of each class (0 = all), and how many each class leaves out:
    60,000 Fashion-MNIST digits need no hand review, a scraped class's worst 1,000 do."""
    seen: Counter[str] = Counter()
    shown: list[Item] = []
    for item in items:
        seen[item.row.label] += 1
        if not cap or seen[item.row.label] <= cap:
            shown.append(item)
    return shown, {label: n - cap for label, n in seen.items() if cap and n > cap}


def _order(item: Item) -> tuple[str, float, float, str]:
    """Per class, most evidence first: by rank where the table has it, else by suspicion."""
    found = item.suspicion
    score = found.score if found else -1.0  # unranked images last
    rank = found.rank if found and found.rank is not None else float("inf")
    return item.row.label, -score, rank, item.row.id


def read_suspects(path: Path) -> dict[tuple[str, str], Suspicion]:
    """(class, id) -> suspicion, from the suspects table; {} when it does not exist yet."""
    path = Path(path)
    if not path.exists():
        return {}
    with path.open(newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in SUSPECT_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise UserError(f"{path}: missing column(s) {', '.join(missing)}")
        try:
            return {
                (d["class"], d["id"]): Suspicion(
                    float(d["suspicion"]),
                    d["suspect"].lower() == "true",
                    d["predicted_class"],
                    d.get(REASON) or "",
                    int(d[RANK]) if d.get(RANK) else None,
                )
                for d in reader
            }
        except ValueError as err:
            raise UserError(f"{path}, line {reader.line_num}: {err}") from err


# An image's rejection as reject.txt says now: (rejected, the non-plain line that rejects it).
Mark = tuple[bool, str | None]


class Review:
    """The page's state and its two actions, toggle and undo; thread-safe."""

    def __init__(
        self,
        items: list[Item],
        reject_list: Path,
        hidden: dict[str, int] | None = None,
    ) -> None:
        self.items = items
        self.hidden = hidden or {}  # images per class left off the page
        self.by_key = {item.key: k for k, item in enumerate(items)}
        self.reject_list = Path(reject_list)
        # The curate stage writes the table's header alone when ranking is off.
        self.suspects_ranked = any(item.suspicion is not None for item in items)
        self._undo: list[tuple[str, Any]] = []
        self._lock = threading.Lock()

    def item(self, key: str) -> Item:
        if key not in self.by_key:
            raise ReviewError(f"no image {key!r} on this page")
        return self.items[self.by_key[key]]

    def state(self) -> dict[str, Any]:
        """Every image with its current status, counts per class and in total."""
        with self._lock:
            return self._summary(self._marks())

    def toggle(self, key: str) -> dict[str, Any]:
        """Reject a kept image, or keep a rejected one; a glob's rejection stays."""
        with self._lock:
            item = self.item(key)
            before = self._marks()
            rejected, locked_by = before[self.by_key[key]]
            if locked_by:
                raise ReviewError(
                    f"{key} is rejected by the line {locked_by!r} of {self.reject_list}; "
                    "edit that line to keep it"
                )
            if rejected:
                removed = rl.remove_patterns(self.reject_list, rl.plain_patterns(item.row))
                self._undo.append(("restore", removed))
            else:
                rl.append_pattern(self.reject_list, item.row.id)
                self._undo.append(("remove", item.row.id))
            return self._summary(self._marks(), before)

    def undo(self) -> dict[str, Any]:
        """Revert the last toggle of this session."""
        with self._lock:
            if not self._undo:
                raise ReviewError("nothing to undo")
            before = self._marks()
            action, what = self._undo.pop()
            if action == "remove":
                rl.remove_patterns(self.reject_list, {what})
            else:
                rl.restore_lines(self.reject_list, what)
            return self._summary(self._marks(), before)

    def _marks(self) -> list[Mark]:
        """Every image's mark, from ``reject.txt`` as it is now (edits made elsewhere count)."""
        patterns = rl.read_reject_list(self.reject_list)
        marks = []
        for item in self.items:
            found = patterns.matching(item.row)
            plain = rl.plain_patterns(item.row)
            marks.append((bool(found), next((p for p in found if p not in plain), None)))
        return marks

    def _summary(self, marks: list[Mark], before: list[Mark] | None = None) -> dict[str, Any]:
        """Counts, and the images: all, or with ``before`` those whose mark changed (a click on
        a page of thousands answers with a few)."""
        images = [
            self._image(k, mark)
            for k, mark in enumerate(marks)
            if before is None or before[k] != mark
        ]
        counts: dict[str, dict[str, int]] = {}
        for item, (rejected, _) in zip(self.items, marks, strict=True):
            label = item.row.label
            if label not in counts:
                counts[label] = dict.fromkeys(_COUNTS, 0) | {"hidden": self.hidden.get(label, 0)}
            count = counts[label]
            count["marked" if rejected else "kept"] += 1
            count["pending"] += rejected != item.was_rejected
            count["suspects"] += bool(item.suspicion and item.suspicion.suspect and not rejected)
        total = {key: sum(c[key] for c in counts.values()) for key in _COUNTS}
        return {
            "reject_list": str(self.reject_list),
            "suspects_ranked": self.suspects_ranked,
            "undo": len(self._undo),
            "images": images,
            "counts": counts,
            "total": total,
        }

    def _image(self, k: int, mark: Mark) -> dict[str, Any]:
        item, score = self.items[k], self.items[k].suspicion
        return {
            "key": item.key,
            "id": item.row.id,
            "class": item.row.label,
            "rejected": mark[0],
            "locked_by": mark[1],
            "pending": mark[0] != item.was_rejected,
            "suspicion": score.score if score else None,
            "suspect": bool(score and score.suspect),
            "predicted": score.predicted if score else None,
            "reason": score.reason if score else None,
            "rank": score.rank if score else None,
            "strength": score.strength if score else None,
            "size": f"{item.row.width}x{item.row.height}",
        }


_COUNTS = ("kept", "marked", "pending", "suspects", "hidden")
