"""Search engines and URL lists: where web image URLs for each class come from."""

from __future__ import annotations

from ganpipe.params import ScrapeParams, Source
from ganpipe.scrape.engines.base import Candidate, Engine, EngineError
from ganpipe.scrape.engines.bing import Bing
from ganpipe.scrape.engines.commons import Commons
from ganpipe.scrape.engines.duckduckgo import DuckDuckGo
from ganpipe.scrape.engines.openverse import Openverse
from ganpipe.scrape.engines.urls import UrlList
from ganpipe.scrape.fetch import Fetcher

__all__ = ["Candidate", "Engine", "EngineError", "make_engine", "queries"]


def queries(source: Source) -> dict[str, str]:
    """class -> query (search engines) or class -> URL file (``urls``)."""
    return source.url_files if source.kind == "urls" else source.queries


def make_engine(source: Source, params: ScrapeParams, fetcher: Fetcher) -> Engine:
    """The engine for a web source kind; Selenium is imported only when Google is used."""
    if source.kind == "bing":
        return Bing(source.base_url, params, fetcher)
    if source.kind == "duckduckgo":
        return DuckDuckGo(source.base_url, params, fetcher)
    if source.kind == "openverse":
        return Openverse(source.base_url, params, fetcher, ",".join(source.license_type))
    if source.kind == "commons":
        return Commons(source.base_url, params, fetcher)
    if source.kind == "urls":
        return UrlList()
    if source.kind == "google":
        from ganpipe.scrape.engines.google import Google

        return Google(source.base_url, params, fetcher)
    raise ValueError(f"not a web source kind: {source.kind!r}")
