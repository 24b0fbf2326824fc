"""DuckDuckGo image search through its JSON endpoint ``i.js`` (requests).

The HTML page for a query carries a ``vqd`` token that ``i.js`` requires; each JSON answer
lists ``results`` (``image`` is the full-size URL, ``thumbnail`` DDG's proxy copy) and a
``next`` path for the following page. Safe search is ``p=1`` (``-1`` turns it off), the size
and type filters go in ``f``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from urllib.parse import urlencode, urljoin

from ganpipe.scrape.engines.base import PAGE_FAILED, Candidate, Engine, EngineError
from ganpipe.scrape.fetch import PAGE_MAX_BYTES

BASE_URL = "https://duckduckgo.com"
VQD = re.compile(r"""vqd=["']?([\w-]+)""")
SIZES = {"large": "Large", "medium": "Medium", "small": "Small"}
TYPES = {"photo": "photo", "clipart": "clipart", "line": "line", "transparent": "transparent"}


def parse_results(text: str) -> tuple[list[str], str]:
    """(full-size image URLs, next-page path or "") from one ``i.js`` answer."""
    data = json.loads(text)
    images = [str(r["image"]) for r in data.get("results", []) if r.get("image")]
    return images, str(data.get("next") or "")


class DuckDuckGo(Engine):
    """Paginated DuckDuckGo image results for a query."""

    name = "duckduckgo"
    default_base = BASE_URL

    @property
    def _root(self) -> str:
        """The base URL with its slash: DuckDuckGo's pages hang off its root."""
        return self._base + "/"

    def _token(self, query: str) -> str:
        url = f"{self._root}?{urlencode({'q': query, 'iax': 'images', 'ia': 'images'})}"
        answer = self._fetcher.get(url, max_bytes=PAGE_MAX_BYTES)
        if answer.reason:
            raise EngineError(f"duckduckgo: {url}: {answer.reason} {answer.detail}".strip())
        match = VQD.search(answer.body.decode("utf-8", "replace"))
        if not match:
            raise EngineError(f"duckduckgo: {url}: no vqd token in the page (markup changed?)")
        return match.group(1)

    def first_url(self, query: str, vqd: str) -> str:
        size = SIZES.get(self._p.image_size_filter)
        kind = TYPES.get(self._p.image_type_filter)
        filters = ",".join(
            [f"size:{size}" if size else "", "", f"type:{kind}" if kind else "", "", ""]
        )
        args = {
            "l": "wt-wt",
            "o": "json",
            "q": query,
            "vqd": vqd,
            "f": filters,
            "p": "1" if self._p.safe_search else "-1",
        }
        return f"{self._root}i.js?{urlencode(args)}"

    def candidates(self, label: str, query: str) -> Iterator[Candidate]:
        vqd = self._token(query)
        url = self.first_url(query, vqd)
        headers = {"Referer": self._root, "Accept": "application/json"}
        for page in range(self._p.max_pages):
            answer = self._fetcher.get(url, headers, max_bytes=PAGE_MAX_BYTES)
            try:
                if answer.reason:
                    raise ValueError(f"{answer.reason} {answer.detail}".strip())
                images, following = parse_results(answer.body.decode("utf-8", "replace"))
            except ValueError as err:
                if page == 0:
                    raise EngineError(f"duckduckgo: {url}: {err}") from err
                reason = PAGE_FAILED + (answer.reason or "not_json")  # recorded; the class keeps
                yield Candidate(label, url, query, self.name, url, reason=reason, detail=str(err))
                return
            for img in images:
                yield Candidate(label, img, query, self.name, url)
            if not following or not images:
                return
            url = urljoin(self._root, following)
            if "vqd=" not in url:
                url += f"&vqd={vqd}"
