"""``scrape``: where images come from (datasets, folders, URL lists, search engines, licensed
image APIs) and how politely the web is asked for them."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator
from pydantic.dataclasses import dataclass

from ganpipe.params.base import CONFIG, Bool, Float, Int, Section, Str, require
from ganpipe.registries.sources import LICENSED_APIS, SOURCE_KINDS, SOURCES, WEB_ENGINES

__all__ = ["LICENSED_APIS", "WEB_ENGINES", "DatasetName", "ScrapeParams", "Source", "SourceKind"]

DatasetName = Literal["mnist", "fashion-mnist", "emnist-letters", "emnist-byclass", "cifar10"]
SourceKind = Literal[SOURCE_KINDS]  # type: ignore[valid-type]  # the table: registries/sources.py


@dataclass(frozen=True, config=CONFIG)
class Source(Section):
    """One place images come from. Which keys apply depends on ``kind``."""

    kind: SourceKind = Field(description="what reads it (ganpipe.registries.sources)")
    name: DatasetName | None = Field(None, description="kind dataset: which public dataset")
    root: Str = Field(
        "", description="a local folder: dataset IDX files, class sub-folders, CSV images"
    )
    split: Literal["train", "test", "both"] = Field(
        "train", description="kind dataset: which split"
    )
    per_class: Int = Field(0, ge=0, le=10**7, description="cap per class; 0 = no cap")
    csv: Str = Field("", description="kind csv: the metadata table")
    path_column: Str = Field("path", description="kind csv: the column of image paths")
    label_column: Str = Field("label", description="kind csv: the column of labels")
    label: Str = Field("all", description="kind flat-folder: the one class every file gets")
    queries: dict[Str, Str] = Field(
        default_factory=dict, description="web engines and APIs: class -> search query"
    )
    url_files: dict[Str, Str] = Field(
        default_factory=dict, description="kind urls: class -> file of image URLs"
    )
    class_map: dict[Str, Str] = Field(
        default_factory=dict, description="source label -> class name"
    )
    base_url: Str = Field(
        "", description="web engines and APIs: another address than the default (tests, mirrors)"
    )
    license_type: list[Literal["commercial", "modification"]] = Field(
        default_factory=list,
        description="kind openverse: only licences allowing these uses; empty = every open one",
    )

    @model_validator(mode="after")
    def _kind_has_its_key(self) -> Source:
        key = SOURCES[self.kind].requires
        require(bool(getattr(self, key)), key, f"required when kind is '{self.kind}'")
        require(
            not self.license_type or self.kind == "openverse",
            "license_type",
            f"only kind 'openverse' filters by licence, not '{self.kind}'",
        )
        return self


@dataclass(frozen=True, config=CONFIG)
class ScrapeParams(Section):
    """Where images come from and how politely the web is asked for them."""

    sources: list[Source] = Field(
        default_factory=list, description="where images come from: scrape.sources[] below"
    )
    classes: list[Str] = Field(
        default_factory=list, description="keep only these classes; empty = all found"
    )
    workers: Int = Field(8, ge=1, le=64, description="download threads")
    per_host_rate: Float = Field(
        2.0, ge=0, le=1000, description="requests per second per host; 0 = no limit"
    )
    connect_timeout: Float = Field(5.0, gt=0, le=3600, description="seconds")
    read_timeout: Float = Field(20.0, gt=0, le=3600, description="seconds")
    total_timeout: Float = Field(
        120.0, gt=0, le=86400, description="seconds for a whole download incl. retries"
    )
    retries: Int = Field(4, ge=0, le=100, description="further tries of a failed request")
    backoff: Float = Field(
        1.0, ge=0, le=3600, description="first retry wait in seconds; doubles per retry"
    )
    max_retry_wait: Float = Field(60.0, ge=0, le=86400, description="cap on any one wait")
    max_bytes: Int = Field(20_000_000, gt=0, le=2**40, description="cap on one download, in bytes")
    user_agent: Str = Field(
        "ganpipe/0.1 (+https://github.com/ganpipe/ganpipe)",
        description="the User-Agent header of every request",
    )
    respect_robots: Bool = Field(True, description="skip what robots.txt disallows")
    safe_search: Bool = Field(True, description="ask search engines for safe results")
    image_size_filter: Literal["any", "large", "medium", "small"] = Field(
        "any", description="web engines: the size of images asked for"
    )
    image_type_filter: Literal["any", "photo", "clipart", "line", "transparent"] = Field(
        "any", description="web engines: the kind of images asked for"
    )
    max_pages: Int = Field(20, ge=1, le=10_000, description="result pages read per query")
    chromium: Str = Field("/usr/bin/chromium", description="kind=google: browser binary")
    chromedriver: Str = Field("/usr/bin/chromedriver", description="kind=google: matching driver")

    @model_validator(mode="before")
    @classmethod
    def _file_has_sources(cls, data: Any) -> Any:
        """A params file must name a source; code may build one for its network settings."""
        if isinstance(data, dict):
            require(bool(data.get("sources")), "sources", "at least one source is needed")
        return data
