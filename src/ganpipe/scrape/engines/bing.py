"""Bing image search through its HTML result pages (requests + BeautifulSoup).

Each result is an ``a.iusc`` element whose ``m`` attribute holds JSON; ``murl`` is the
full-size image (``turl`` would be Bing's thumbnail, ``purl`` the page it sits on). Pages come
from ``/images/async``; safe search is ``adlt=strict``. A page names the next one in a
``data-nextUrl`` attribute (``first``, ``count``, ``mmasync=1`` and Bing's layout state), which
is followed, with our safe search and filters kept on it; a page without one gets the next
``first`` counted from the results seen.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import urlencode, urljoin, urlsplit

from bs4 import BeautifulSoup

from ganpipe.scrape.engines.base import PAGE_FAILED, Candidate, Engine, EngineError, with_args
from ganpipe.scrape.fetch import PAGE_MAX_BYTES

BASE_URL = "https://www.bing.com"
PAGE_SIZE = 35
SIZES = {"large": "imagesize-large", "medium": "imagesize-medium", "small": "imagesize-small"}
TYPES = {
    "photo": "photo-photo",
    "clipart": "photo-clipart",
    "line": "photo-linedrawing",
    "transparent": "photo-transparent",
}


def parse_page(html: str) -> tuple[list[str], str]:
    """(the full-size image URL of every result, the ``data-nextUrl`` or "") of a result page."""
    soup = BeautifulSoup(html, "html.parser")  # lower-cases attribute names: data-nexturl
    found = []
    for anchor in soup.select("a.iusc[m]"):
        try:
            meta = json.loads(str(anchor["m"]))
        except ValueError:
            continue
        if isinstance(meta, dict) and meta.get("murl"):
            found.append(str(meta["murl"]))
    following = soup.select_one("[data-nexturl]")
    return found, str(following["data-nexturl"]) if following else ""


class Bing(Engine):
    """Paginated Bing results for a query."""

    name = "bing"
    default_base = BASE_URL

    def _filters(self) -> dict[str, str]:
        """Safe search and the size/type filters, sent with every page."""
        filters = [
            f"+filterui:{f}"
            for f in (SIZES.get(self._p.image_size_filter), TYPES.get(self._p.image_type_filter))
            if f
        ]
        args = {"adlt": "strict" if self._p.safe_search else "off"}
        if filters:
            args["qft"] = "".join(filters)
        return args

    def page_url(self, query: str, first: int) -> str:
        args = {"q": query, "first": first, "count": PAGE_SIZE, "async": 1, **self._filters()}
        return f"{self._base}/images/async?{urlencode(args)}"

    def next_url(self, following: str, query: str, first: int) -> str:
        """Bing's own link to the next page when it gave one (on its host), else ``first``."""
        if following:
            target = urljoin(self._base + "/", following)
            if urlsplit(target).netloc == urlsplit(self._base).netloc:
                return with_args(target, self._filters())
        return self.page_url(query, first)

    def candidates(self, label: str, query: str) -> Iterator[Candidate]:
        seen: set[str] = set()
        first = 1
        url = self.page_url(query, first)
        for page in range(self._p.max_pages):
            answer = self._fetcher.get(url, max_bytes=PAGE_MAX_BYTES)
            if answer.reason:
                if page == 0:
                    raise EngineError(f"bing: {url}: {answer.reason} {answer.detail}".strip())
                reason = PAGE_FAILED + answer.reason  # recorded; the class keeps what it has
                yield Candidate(label, url, query, self.name, url, reason=reason)
                return
            results, following = parse_page(answer.body.decode("utf-8", "replace"))
            if not set(results) - seen:
                return  # past the last page: nothing new (Bing repeats its tail)
            seen.update(results)
            for img in results:
                yield Candidate(label, img, query, self.name, url)
            first += len(results)
            url = self.next_url(following, query, first)

    def close(self) -> None:
        """Nothing to release: pages go through the shared fetcher."""
