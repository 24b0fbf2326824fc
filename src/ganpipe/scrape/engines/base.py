"""What every engine hands the downloader: image URLs found for one class."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urlsplit

from ganpipe.errors import UserError
from ganpipe.params import ScrapeParams, Source

if TYPE_CHECKING:  # fetch.py imports requests: engines get their fetcher, they never make one
    from ganpipe.scrape.fetch import Fetcher

PAGE_FAILED = "page_"  # reason prefix of a result page (not an image) that could not be read


@dataclass(frozen=True)
class Credit:
    """An image's licence and attribution as a licensed-media API states it.

    Search engines know none of this, so their candidates carry the empty credit; the attribution
    file lists their images as of unknown licence.
    """

    title: str = ""
    creator: str = ""
    creator_url: str = ""
    license: str = ""  # readable name with version: "CC BY-SA 4.0", "CC0 1.0"
    license_url: str = ""
    landing_url: str = ""  # the page that credits the work and states its terms


@dataclass(frozen=True)
class Candidate:
    """One image URL to try, with where it was found.

    A candidate with a ``reason`` is a result page that failed (``page_http_429``,
    ``page_bad_json``...): nothing is downloaded, the failure is recorded under the page's URL.
    """

    label: str
    url: str
    query: str
    engine: str
    page_url: str = ""
    credit: Credit = field(default_factory=Credit)
    reason: str = ""
    detail: str = ""


class EngineError(UserError):
    """The engine gave no usable first page (blocked, changed markup, wrong base URL)."""


class Engine(ABC):
    """Turns (class, query) into candidate full-size image URLs, lazily, page by page.

    Every kind's engine is built alike, ``Engine(source, params, fetcher)``
    (``engines.make_engine``); it reads what it needs of its source (``base_url``, or
    ``default_base`` when that is empty; ``license_type``...).
    """

    name = ""
    default_base = ""

    def __init__(self, source: Source, params: ScrapeParams, fetcher: Fetcher) -> None:
        self._source = source
        self._base = (source.base_url or self.default_base).rstrip("/")
        self._p = params
        self._fetcher = fetcher

    @abstractmethod
    def candidates(self, label: str, query: str) -> Iterator[Candidate]: ...

    def close(self) -> None:  # noqa: B027 (most engines hold nothing of their own)
        """Nothing to release: pages go through the shared fetcher."""


def url_args(url: str) -> dict[str, str]:
    """The query-string arguments of ``url`` (the last value of a repeated name)."""
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))


def with_args(url: str, updates: Mapping[str, object]) -> str:
    """``url`` with some query-string arguments set: a next page, or our filters kept on it."""
    args = {**url_args(url), **{k: str(v) for k, v in updates.items()}}
    return urlsplit(url)._replace(query=urlencode(args)).geturl()
