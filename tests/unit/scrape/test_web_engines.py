"""Bing and DuckDuckGo against result pages in their markup on the local site."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import CLASSES, Site

from ganpipe.params import ScrapeParams, Source
from ganpipe.scrape.engines import EngineError, make_engine
from ganpipe.scrape.engines.bing import parse_page
from ganpipe.scrape.engines.duckduckgo import parse_results
from ganpipe.scrape.fetch import Fetcher
from ganpipe.scrape.web import collect_web


def _args(path: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(path).query).items()}


def _urls(
    kind: str, site: Site, params: ScrapeParams, query: str = "cat photo", base: str = ""
) -> list[str]:
    source = Source(kind=kind, queries={"cat": query}, base_url=base or site.base)
    engine = make_engine(source, params, Fetcher(params))
    return [c.url for c in engine.candidates("cat", query)]


def test_bing_reads_full_size_urls_across_pages_with_safe_search(
    fresh_site: Site, params: ScrapeParams
) -> None:
    assert _urls("bing", fresh_site, params) == fresh_site.results["cat photo"]
    pages = [_args(p) for p in fresh_site.hits("/images/async")]
    assert [p["first"] for p in pages] == ["1", "21", "41", "51"]  # the 4th repeats: stop
    assert all(p["adlt"] == "strict" and p["q"] == "cat photo" for p in pages)
    assert "qft" not in pages[0]
    assert not fresh_site.hits("/thumb/")


def test_bing_filters_safe_search_off_and_page_limit(
    fresh_site: Site, params: ScrapeParams
) -> None:
    changed = replace(
        params,
        safe_search=False,
        image_size_filter="large",
        image_type_filter="transparent",
        max_pages=2,
    )
    assert len(_urls("bing", fresh_site, changed)) == 40
    pages = [_args(p) for p in fresh_site.hits("/images/async")]
    assert len(pages) == 2 and pages[0]["adlt"] == "off"
    assert pages[0]["qft"] == "+filterui:imagesize-large+filterui:photo-transparent"


def test_bing_markup_parser_takes_murl_not_thumbnails() -> None:
    html = """<a class="iusc" m='{"murl":"https://e.org/full.png","turl":"https://t/1"}'></a>
              <a class="iusc" m='not json'></a><a class="iusc"></a>
              <a class="iusc" m='{"purl":"https://e.org/page"}'></a>"""
    assert parse_page(html) == (["https://e.org/full.png"], "")
    paged = (
        html + '<div id="mmComponent_images_1" data-nextUrl="/images/async?first=36&amp;mmasync=1">'
    )
    assert parse_page(paged)[1] == "/images/async?first=36&mmasync=1"


def test_duckduckgo_uses_the_vqd_token_and_follows_next(
    fresh_site: Site, params: ScrapeParams
) -> None:
    changed = replace(params, image_size_filter="medium", image_type_filter="photo")
    assert _urls("duckduckgo", fresh_site, changed) == fresh_site.results["cat photo"]
    pages = [_args(p) for p in fresh_site.hits("/i.js")]
    assert [p.get("s", "0") for p in pages] == ["0", "20", "40"]
    assert all(p["vqd"].startswith("4-") for p in pages)
    assert pages[0]["p"] == "1" and pages[0]["f"] == "size:Medium,,type:photo,,"


def test_duckduckgo_parser_and_safe_search_off(fresh_site: Site, params: ScrapeParams) -> None:
    images, following = parse_results(
        '{"results": [{"image": "https://e/1.jpg"}, {}], "next": "i.js?s=100"}'
    )
    assert (images, following) == (["https://e/1.jpg"], "i.js?s=100")
    _urls("duckduckgo", fresh_site, replace(params, safe_search=False, max_pages=1))
    assert [_args(p)["p"] for p in fresh_site.hits("/i.js")] == ["-1"]


@pytest.mark.parametrize(
    ("kind", "base", "message"),
    [
        ("bing", "/h", r"^bing: .*/h/images/async\?.*: http_404"),
        ("bing", "/private", r"^bing: .*: robots disallowed for 'ganpipe/0\.1"),
        ("duckduckgo", "/h", r"^duckduckgo: .*/h/\?q=.*: http_404"),
        ("duckduckgo", "/novqd", r"^duckduckgo: .*: no vqd token in the page"),
    ],
)
def test_an_unusable_first_page_fails_loudly(
    fresh_site: Site, params: ScrapeParams, kind: str, base: str, message: str
) -> None:
    with pytest.raises(EngineError, match=message):
        _urls(kind, fresh_site, params, base=fresh_site.url(base))


def test_unknown_query_gives_an_empty_class(fresh_site: Site, params: ScrapeParams) -> None:
    assert _urls("bing", fresh_site, params, query="nothing here") == []
    assert _urls("duckduckgo", fresh_site, params, query="nothing here") == []


def test_url_list_skips_comments_and_blank_lines(tmp_path: Path, params: ScrapeParams) -> None:
    listing = tmp_path / "a.txt"
    listing.write_text("# header\n\nhttp://e/1.png\n  http://e/2.png#frag  \n")
    engine = make_engine(
        Source(kind="urls", url_files={"a": str(listing)}), params, Fetcher(params)
    )
    assert [c.url for c in engine.candidates("a", str(listing))] == [
        "http://e/1.png",
        "http://e/2.png#frag",
    ]
    with pytest.raises(FileNotFoundError, match="URL list for class 'b' not found"):
        list(engine.candidates("b", str(tmp_path / "missing.txt")))


def test_classes_filter_and_class_map(
    fresh_site: Site, params: ScrapeParams, raw_dir: Path
) -> None:
    source = Source(
        kind="bing",
        queries=dict(CLASSES),
        base_url=fresh_site.base,
        per_class=2,
        class_map={"cat": "kitten"},
    )
    rows = collect_web(source, replace(params, classes=["kitten", "dog"]), raw_dir)
    assert sorted({r.label for r in rows}) == ["dog", "kitten"]
    assert len(rows) == 4


def test_bing_follows_data_next_url_keeping_safe_search(
    fresh_site: Site, params: ScrapeParams
) -> None:
    fresh_site.bing_next.add("cat photo")
    try:
        urls = _urls("bing", fresh_site, replace(params, image_type_filter="photo"))
    finally:
        fresh_site.bing_next.discard("cat photo")
    assert set(urls) == set(fresh_site.results["cat photo"])
    pages = [_args(p) for p in fresh_site.hits("/images/async")]
    # Bing's links (3 results of overlap), not first + 20 counted: 1, 21, 41 would be asked
    assert [p["first"] for p in pages] == ["1", "18", "35", "52"]  # the 4th repeats: stop
    assert all(p["mmasync"] == "1" and p["dgState"] for p in pages[1:])
    assert all(p["adlt"] == "strict" for p in pages)  # added to links that lack it
    assert {p["qft"] for p in pages} == {"+filterui:photo-photo"}


@pytest.mark.parametrize("kind", ["bing", "duckduckgo"])
def test_a_later_page_that_fails_is_recorded_and_the_class_keeps_its_images(
    kind: str, fresh_site: Site, params: ScrapeParams, raw_dir: Path
) -> None:
    fresh_site.traps[("cat photo", 2)] = "429"
    source = Source(kind=kind, queries={"cat": "cat photo"}, base_url=fresh_site.base)
    rows = collect_web(source, replace(params, connect_timeout=10.0, read_timeout=10.0), raw_dir)
    assert sorted((r.status, r.reason) for r in rows) == [("kept", "")] * 20 + [
        ("rejected", "page_http_429")
    ]
