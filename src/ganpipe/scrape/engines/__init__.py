"""Search engines, licensed-media APIs and URL lists: where web image URLs for each class come from.

Which class reads which kind is ``registries.sources.SOURCES``; an engine's module is imported
only when its kind is used (Selenium only for Google).
"""

from __future__ import annotations

from ganpipe.params import ScrapeParams, Source
from ganpipe.registries import resolve
from ganpipe.registries.sources import SOURCES, WEB_KINDS
from ganpipe.scrape.engines.base import Candidate, Engine, EngineError
from ganpipe.scrape.fetch import Fetcher

__all__ = ["Candidate", "Engine", "EngineError", "make_engine", "queries"]


def queries(source: Source) -> dict[str, str]:
    """class -> query (search engines) or class -> URL file (``urls``): the kind's required key."""
    return dict(getattr(source, SOURCES[source.kind].requires))


def make_engine(source: Source, params: ScrapeParams, fetcher: Fetcher) -> Engine:
    """The engine the table names for a web source kind, built from the source."""
    if source.kind not in WEB_KINDS:
        raise ValueError(f"not a web source kind: {source.kind!r}")
    engine: Engine = resolve(SOURCES[source.kind].reader)(source, params, fetcher)
    return engine
