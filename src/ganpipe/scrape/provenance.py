"""The web provenance log: one JSON line per finished URL, the resume state of a scrape.

Lines are appended as each URL finishes (one ``write`` of a whole line on an O_APPEND file,
so a kill loses at most the line being written, which is then ignored). At the end of a run
the file is rewritten sorted and deduplicated, so apart from the ``time`` column it is the
same for the same outcomes.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, fields
from pathlib import Path

from ganpipe.files import atomic_write
from ganpipe.manifest import KEPT, REJECTED, Row
from ganpipe.scrape.fetch import is_transient

PROVENANCE = "provenance.jsonl"


@dataclass(frozen=True)
class Record:
    """Everything known about one image URL tried for one class by one source."""

    label: str  # written as "class"
    source: str  # source kind: bing, duckduckgo, google, openverse, commons, urls
    query: str  # search query, or the URL-list file
    engine: str
    page_url: str  # result page the URL was found on ("" for URL lists)
    image_url: str  # the image, or for a page_* reason the result page that failed
    final_url: str = ""
    http_status: int = 0
    content_type: str = ""
    bytes: int = 0
    sha256: str = ""
    id: str = ""
    path: str = ""
    width: int = 0
    height: int = 0
    mode: str = ""
    status: str = REJECTED
    reason: str = ""
    detail: str = ""
    time: str = ""
    # Licence and attribution, from the licensed-media APIs (engines.base.Credit)
    title: str = ""
    creator: str = ""
    creator_url: str = ""
    license: str = ""
    license_url: str = ""
    landing_url: str = ""

    def key(self) -> tuple[str, str, str, str, bool]:
        """Identity for resume: the same URL for the same class, query and source."""
        return (self.label, self.source, self.query, self.image_url, self.reason == "duplicate_url")

    def row(self) -> Row:
        return Row(
            id=self.id,
            label=self.label,
            path=self.path,
            sha256=self.sha256,
            width=self.width,
            height=self.height,
            mode=self.mode,
            origin=self.final_url or self.image_url,
            status=self.status,
            reason=self.reason,
        )

    @property
    def kept(self) -> bool:
        return self.status == KEPT

    def to_json(self) -> str:
        data = {"class": self.label, **vars(self)}
        del data["label"]
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, line: str) -> Record:
        data = json.loads(line)
        data["label"] = data.pop("class")
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


def _ends_with_newline(path: Path) -> bool:
    with path.open("rb") as f:
        if f.seek(0, os.SEEK_END) == 0:
            return True
        f.seek(-1, os.SEEK_END)
        return f.read(1) == b"\n"


class ProvenanceLog:
    """The records of ``raw_dir/provenance.jsonl``, later lines winning per key."""

    def __init__(self, raw_dir: Path) -> None:
        self.path = Path(raw_dir) / PROVENANCE
        self.records: dict[tuple[str, str, str, str, bool], Record] = {}
        if self.path.exists():
            for line in self.path.read_text(encoding="utf-8").splitlines():
                try:
                    record = Record.from_json(line)
                except (ValueError, KeyError, TypeError):
                    continue  # the torn last line of a killed run
                self.records[record.key()] = record
        self._fd: int | None = None

    def add(self, record: Record) -> None:
        """Remember ``record`` and append it to the file at once (resume state)."""
        if record.reason == "duplicate_url":  # a retried URL now owned by another class
            first = self.records.get((*record.key()[:4], False))
            if first is not None and is_transient(first.reason):
                del self.records[first.key()]
        self.records[record.key()] = record
        if self._fd is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            if not _ends_with_newline(self.path):
                os.write(self._fd, b"\n")  # terminate a torn line before appending
        os.write(self._fd, (record.to_json() + "\n").encode("utf-8"))

    def forget(self, record: Record) -> None:
        """Drop ``record`` (its URL will be tried again); the file is rewritten on close."""
        self.records.pop(record.key(), None)

    def close(self) -> None:
        """Rewrite the file sorted and deduplicated (atomically), and stop appending."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        ordered = sorted(self.records.values(), key=lambda r: r.key())
        with atomic_write(self.path, "w", encoding="utf-8") as f:
            f.write("".join(r.to_json() + "\n" for r in ordered))
