"""The source-kind table is the one place kinds are named: everything else agrees with it."""

from __future__ import annotations

import inspect
import subprocess
import sys
from typing import get_args

import pytest

from ganpipe.params import ParamsError, ScrapeParams, Source, SourceKind, build
from ganpipe.registries import resolve
from ganpipe.registries.sources import (
    LICENSED_APIS,
    LOCAL_KINDS,
    SOURCES,
    WEB_ENGINES,
    WEB_KINDS,
    kinds,
)
from ganpipe.scrape.engines import Engine, make_engine
from ganpipe.scrape.fetch import Fetcher


def test_the_literal_and_the_group_tuples_come_from_the_table() -> None:
    assert get_args(SourceKind) == tuple(SOURCES)
    assert LOCAL_KINDS == ("dataset", "folder", "flat-folder", "csv")
    assert WEB_ENGINES == ("bing", "duckduckgo", "google")
    assert LICENSED_APIS == ("openverse", "commons")
    assert set(WEB_KINDS) == {*WEB_ENGINES, *LICENSED_APIS, "urls"}
    assert set(LOCAL_KINDS) | set(WEB_KINDS) == set(SOURCES)
    assert not set(LOCAL_KINDS) & set(WEB_KINDS)
    assert kinds("urls") == ("urls",)


@pytest.mark.parametrize("kind", WEB_KINDS)
def test_every_web_kind_names_an_engine_that_make_engine_builds(kind: str) -> None:
    engine_class = resolve(SOURCES[kind].reader)
    assert inspect.isclass(engine_class) and issubclass(engine_class, Engine), kind
    assert not inspect.isabstract(engine_class), kind
    params = ScrapeParams()
    source = build(Source, {"kind": kind, SOURCES[kind].requires: {"a": "a"}}, "s")
    engine = make_engine(source, params, Fetcher(params))
    try:
        assert type(engine) is engine_class and engine.name == kind
    finally:
        engine.close()


@pytest.mark.parametrize("kind", LOCAL_KINDS)
def test_every_local_kind_names_an_items_function(kind: str) -> None:
    reader = resolve(SOURCES[kind].reader)
    assert inspect.isfunction(reader) and list(inspect.signature(reader).parameters) == ["source"]


def test_make_engine_refuses_a_local_kind() -> None:
    params = ScrapeParams()
    with pytest.raises(ValueError, match="not a web source kind"):
        make_engine(build(Source, {"kind": "folder", "root": "x"}, "s"), params, Fetcher(params))


@pytest.mark.parametrize("kind", tuple(SOURCES))
def test_a_source_without_its_required_key_fails_naming_it(kind: str) -> None:
    key = SOURCES[kind].requires
    with pytest.raises(ParamsError, match=rf"s\.{key}: required when kind is '{kind}'"):
        build(Source, {"kind": kind}, "s")


def test_loading_params_imports_no_engine_nor_network_library() -> None:
    code = (
        "import sys, ganpipe.params, ganpipe.scrape; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('requests', 'selenium', 'bs4', 'torch') or m.startswith('ganpipe.scrape.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
