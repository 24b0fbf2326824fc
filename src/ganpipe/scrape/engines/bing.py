"""Bing image search through its HTML result pages (requests + BeautifulSoup).

Each result is an ``a.iusc`` element whose ``m`` attribute holds JSON; ``murl`` is the
full-size image (``turl`` would be Bing's thumbnail, ``purl`` the page it sits on). Pages come
from ``/images/async`` with ``first``/``count``; safe search is ``adlt=strict``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from urllib.parse import urlencode

from bs4 import BeautifulSoup

from ganpipe.params import ScrapeParams
from ganpipe.scrape.engines.base import Candidate, EngineError
from ganpipe.scrape.fetch import PAGE_MAX_BYTES, Fetcher

BASE_URL = "https://www.bing.com"
PAGE_SIZE = 35
SIZES = {"large": "imagesize-large", "medium": "imagesize-medium", "small": "imagesize-small"}
TYPES = {
    "photo": "photo-photo",
    "clipart": "photo-clipart",
    "line": "photo-linedrawing",
    "transparent": "photo-transparent",
}
log = logging.getLogger(__name__)


def parse_page(html: str) -> list[str]:
    """The full-size image URL of every result on a Bing result page."""
    found = []
    for anchor in BeautifulSoup(html, "html.parser").select("a.iusc[m]"):
        try:
            meta = json.loads(str(anchor["m"]))
        except ValueError:
            continue
        if isinstance(meta, dict) and meta.get("murl"):
            found.append(str(meta["murl"]))
    return found


class Bing:
    """Paginated Bing results for a query."""

    name = "bing"

    def __init__(self, base_url: str, params: ScrapeParams, fetcher: Fetcher) -> None:
        self._base = (base_url or BASE_URL).rstrip("/")
        self._p = params
        self._fetcher = fetcher

    def page_url(self, query: str, first: int) -> str:
        filters = [
            f"+filterui:{f}"
            for f in (SIZES.get(self._p.image_size_filter), TYPES.get(self._p.image_type_filter))
            if f
        ]
        args = {
            "q": query,
            "first": first,
            "count": PAGE_SIZE,
            "async": 1,
            "adlt": "strict" if self._p.safe_search else "off",
        }
        if filters:
            args["qft"] = "".join(filters)
        return f"{self._base}/images/async?{urlencode(args)}"

    def candidates(self, label: str, query: str) -> Iterator[Candidate]:
        seen: set[str] = set()
        first = 1
        for page in range(self._p.max_pages):
            url = self.page_url(query, first)
            answer = self._fetcher.get(url, max_bytes=PAGE_MAX_BYTES)
            if answer.reason:
                if page == 0:
                    raise EngineError(f"bing: {url}: {answer.reason} {answer.detail}".strip())
                log.warning("bing: stopping at %s: %s", url, answer.reason)
                return
            results = parse_page(answer.body.decode("utf-8", "replace"))
            if not set(results) - seen:
                return  # past the last page: nothing new (Bing repeats its tail)
            seen.update(results)
            for img in results:
                yield Candidate(label, img, query, self.name, url)
            first += len(results)

    def close(self) -> None:
        """Nothing to release: pages go through the shared fetcher."""
