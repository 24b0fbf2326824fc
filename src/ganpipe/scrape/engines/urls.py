"""The ``urls`` kind: one text file of image URLs per class (lines starting ``#`` are comments)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ganpipe.scrape.engines.base import Candidate, Engine


class UrlList(Engine):
    """Reads the class's URL file; the "query" recorded is the file's path."""

    name = "urls"

    def candidates(self, label: str, query: str) -> Iterator[Candidate]:
        path = Path(query)
        if not path.is_file():
            raise FileNotFoundError(f"URL list for class '{label}' not found: {path}")
        for line in path.read_text(encoding="utf-8").splitlines():
            url = line.strip()
            if url and not url.startswith("#"):
                yield Candidate(label, url, query, self.name)
