"""What every engine hands the downloader: image URLs found for one class."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Candidate:
    """One image URL to try, with where it was found."""

    label: str
    url: str
    query: str
    engine: str
    page_url: str = ""


class EngineError(RuntimeError):
    """The engine gave no usable first page (blocked, changed markup, wrong base URL)."""


class Engine(Protocol):
    """Turns (class, query) into candidate full-size image URLs, lazily, page by page."""

    name: str

    def candidates(self, label: str, query: str) -> Iterator[Candidate]: ...

    def close(self) -> None: ...
