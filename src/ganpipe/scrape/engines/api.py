"""What the licensed-media APIs (Openverse, Wikimedia Commons) share: paginated JSON pages.

They are official APIs for programs, so their pages are fetched without consulting robots.txt:
robots.txt addresses crawlers of a site's HTML (Wikimedia's disallows ``/w/``, where ``api.php``
lives, while its API etiquette invites programs that send a descriptive User-Agent). The images
they point to are downloaded like every other source's, robots.txt included. A page that fails
(429 or 5xx after the retries, not JSON, not the documented shape, an API error object) ends that
class's pagination and is recorded as a rejected row with reason ``page_<why>``: the scrape goes
on with the next class instead of stopping. After a 429 that outlasted the retries (a daily
quota spent), the API is not asked again in this run: the remaining classes are recorded as
``page_http_429`` at once instead of each waiting out the retries.
"""

from __future__ import annotations

import json
from abc import abstractmethod
from collections.abc import Iterator
from typing import Any

from ganpipe.params import ScrapeParams, Source
from ganpipe.scrape.engines.base import PAGE_FAILED, Candidate, Engine
from ganpipe.scrape.fetch import PAGE_MAX_BYTES, Fetcher

JSON_HEADERS = {"Accept": "application/json"}


class PageFailure(Exception):
    """A result page that gave no usable answer; ``reason`` goes into the manifest."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class JsonApi(Engine):
    """Pagination, failure recording and JSON decoding; subclasses build and read the pages."""

    def __init__(self, source: Source, params: ScrapeParams, fetcher: Fetcher) -> None:
        super().__init__(source, params, fetcher)
        self._throttled = ""  # the page the API refused with 429 after every retry

    @abstractmethod
    def first_url(self, query: str) -> str: ...

    @abstractmethod
    def read_page(self, label: str, query: str, url: str, data: Any) -> tuple[list[Candidate], str]:
        """(candidates on the page, URL of the next page or "" at the end)."""

    def candidates(self, label: str, query: str) -> Iterator[Candidate]:
        url = self.first_url(query)
        for _ in range(self._p.max_pages):
            try:
                if self._throttled:
                    raise PageFailure("http_429", f"not asked: {self._throttled} was refused")
                found, following = self._page(label, query, url)
            except PageFailure as err:
                if err.reason == "http_429" and not self._throttled:
                    self._throttled = url
                failed = PAGE_FAILED + err.reason
                yield Candidate(label, url, query, self.name, url, reason=failed, detail=err.detail)
                return
            yield from found
            if not following:
                return
            url = following

    def _page(self, label: str, query: str, url: str) -> tuple[list[Candidate], str]:
        answer = self._fetcher.get(url, JSON_HEADERS, robots=False, max_bytes=PAGE_MAX_BYTES)
        if answer.reason:
            raise PageFailure(answer.reason, answer.detail)
        try:
            data = json.loads(answer.body)
        except ValueError as err:
            raise PageFailure("not_json", f"{answer.content_type}: {err}") from err
        try:
            return self.read_page(label, query, url, data)
        except (KeyError, TypeError, AttributeError, ValueError) as err:
            raise PageFailure("bad_answer", f"{type(err).__name__}: {err}") from err
