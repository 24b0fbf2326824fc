"""Every source kind in one table: its group, the key it requires, and what reads it.

A local kind is read by an items function of the :class:`~ganpipe.params.Source`
(``scrape/local.py``); every other kind by an ``Engine`` class built as
``Engine(source, params, fetcher)`` (``scrape/engines/``). ``params.SourceKind``, the group
tuples below and ``engines.make_engine`` all derive from :data:`SOURCES`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Group = Literal["local", "engine", "api", "urls"]  # api: licence and credit per image


@dataclass(frozen=True)
class Kind:
    """How one ``scrape.sources[].kind`` is configured and read."""

    group: Group
    requires: str  # the Source field that must be set for this kind
    reader: str  # "module:attribute" of its items function (local) or Engine class (others)


_LOCAL = "ganpipe.scrape.local:"
_ENGINES = "ganpipe.scrape.engines."

SOURCES: dict[str, Kind] = {
    "dataset": Kind("local", "name", _LOCAL + "dataset_items"),
    "folder": Kind("local", "root", _LOCAL + "folder_items"),
    "flat-folder": Kind("local", "root", _LOCAL + "flat_folder_items"),
    "csv": Kind("local", "csv", _LOCAL + "csv_items"),
    "urls": Kind("urls", "url_files", _ENGINES + "urls:UrlList"),
    "bing": Kind("engine", "queries", _ENGINES + "bing:Bing"),
    "duckduckgo": Kind("engine", "queries", _ENGINES + "duckduckgo:DuckDuckGo"),
    "google": Kind("engine", "queries", _ENGINES + "google:Google"),
    "openverse": Kind("api", "queries", _ENGINES + "openverse:Openverse"),
    "commons": Kind("api", "queries", _ENGINES + "commons:Commons"),
}


def kinds(*groups: Group) -> tuple[str, ...]:
    """The kinds of these groups, in the table's order."""
    return tuple(name for name, kind in SOURCES.items() if kind.group in groups)


SOURCE_KINDS = tuple(SOURCES)
LOCAL_KINDS = kinds("local")
WEB_ENGINES = kinds("engine")
LICENSED_APIS = kinds("api")  # licence and credit per image; robots.txt respected
WEB_KINDS = kinds("engine", "api", "urls")  # read by an Engine through the downloader
