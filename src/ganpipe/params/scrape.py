"""``scrape``: where images come from (datasets, folders, URL lists, search engines, licensed
image APIs) and how politely the web is asked for them."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator
from pydantic.dataclasses import dataclass

from ganpipe.params.base import CONFIG, Bool, Float, Int, Str
from ganpipe.params.base import Section as _Section  # the names the Source block was written with
from ganpipe.params.base import require as _require

DatasetName = Literal["mnist", "fashion-mnist", "emnist-letters", "emnist-byclass", "cifar10"]
SourceKind = Literal[
    "dataset",
    "folder",
    "flat-folder",
    "csv",
    "urls",
    "bing",
    "duckduckgo",
    "google",
    "openverse",
    "commons",
]
WEB_ENGINES = ("bing", "duckduckgo", "google")
LICENSED_APIS = ("openverse", "commons")  # licence and credit per image; robots.txt respected


@dataclass(frozen=True, config=CONFIG)
class Source(_Section):
    """One place images come from. Which keys apply depends on ``kind``."""

    kind: SourceKind
    name: DatasetName | None = None  # kind=dataset
    root: Str = ""  # local folder: dataset IDX files, class sub-folders, CSV image folder
    split: Literal["train", "test", "both"] = "train"  # kind=dataset
    per_class: Int = Field(0, ge=0, le=10**7, description="cap per class; 0 = no cap")
    csv: Str = ""  # kind=csv
    path_column: Str = "path"
    label_column: Str = "label"
    label: Str = "all"  # kind=flat-folder: the one class every file gets
    queries: dict[Str, Str] = Field(default_factory=dict)  # web engines: class -> query
    url_files: dict[Str, Str] = Field(default_factory=dict)  # kind=urls: class -> file
    class_map: dict[Str, Str] = Field(default_factory=dict)  # source label -> class name
    base_url: Str = ""  # web engines and APIs: override the default address (tests, mirrors)
    # kind=openverse: only licences allowing these uses; empty = every open licence
    license_type: list[Literal["commercial", "modification"]] = Field(default_factory=list)

    @model_validator(mode="after")
    def _kind_has_its_key(self) -> Source:
        needs = {
            "dataset": ("name", self.name),
            "folder": ("root", self.root),
            "flat-folder": ("root", self.root),
            "csv": ("csv", self.csv),
            "urls": ("url_files", self.url_files),
        }
        if self.kind in (*WEB_ENGINES, *LICENSED_APIS):
            needs[self.kind] = ("queries", self.queries)
        key, value = needs[self.kind]
        _require(bool(value), key, f"required when kind is '{self.kind}'")
        _require(
            not self.license_type or self.kind == "openverse",
            "license_type",
            f"only kind 'openverse' filters by licence, not '{self.kind}'",
        )
        return self


@dataclass(frozen=True, config=CONFIG)
class ScrapeParams(_Section):
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
            _require(bool(data.get("sources")), "sources", "at least one source is needed")
        return data
