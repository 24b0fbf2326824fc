"""Openverse and Wikimedia Commons against local stand-ins of their documented JSON."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import API_PAGE, CLASSES, PER_CLASS, Site

from ganpipe.manifest import KEPT, read_manifest
from ganpipe.params import ParamsError, ScrapeParams, Source, build
from ganpipe.scrape.engines import make_engine
from ganpipe.scrape.engines.base import url_args
from ganpipe.scrape.engines.commons import html_text
from ganpipe.scrape.engines.openverse import license_name
from ganpipe.scrape.fetch import Fetcher
from ganpipe.scrape.provenance import PROVENANCE
from ganpipe.scrape.web import collect_web
from ganpipe.stages.scrape import ScrapePaths, run_scrape

API_PATH = {"openverse": "/v1/images/", "commons": "/w/api.php"}
CREDIT_KEYS = ("title", "creator", "creator_url", "license", "license_url", "landing_url")


@pytest.fixture
def params(params: ScrapeParams) -> ScrapeParams:
    """Patient timeouts: these tests count images, and a loaded CI machine is slow."""
    return replace(params, connect_timeout=10.0, read_timeout=10.0, total_timeout=30.0)


def _source(kind: str, site: Site, per_class: int, **changes: object) -> Source:
    base = site.base + ("/w/api.php" if kind == "commons" else "")
    source = Source(kind=kind, queries=dict(CLASSES), base_url=base, per_class=per_class)
    return replace(source, **changes)


def _records(raw_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (raw_dir / PROVENANCE).read_text().splitlines()]


def _pages(site: Site, kind: str, query: str = "cat photo") -> list[dict[str, str]]:
    pages = [url_args(p) for p in site.hits(API_PATH[kind])]
    return [p for p in pages if query in (p.get("q"), p.get("gsrsearch"))]


@pytest.mark.parametrize("kind", ["openverse", "commons"])
def test_n_images_per_class_with_licence_and_attribution_in_provenance(
    kind: str, fresh_site: Site, params: ScrapeParams, raw_dir: Path
) -> None:
    rows = collect_web(_source(kind, fresh_site, per_class=30), params, raw_dir)

    kept = [r for r in rows if r.status == KEPT]
    assert len(kept) == len(rows) == 3 * 30
    records = _records(raw_dir)
    assert {r["class"] for r in records} == set(CLASSES)
    for record in records:
        assert record["source"] == record["engine"] == kind
        assert all(record[key] for key in CREDIT_KEYS), record
        assert record["page_url"].startswith(fresh_site.url(API_PATH[kind]))
    by_url = {r["image_url"]: r for r in records}
    first = by_url[fresh_site.results["cat photo"][0]]
    if kind == "openverse":
        assert (first["title"], first["creator"], first["license"]) == (
            "Picture [0]",
            "Creator 0",
            "CC BY 2.0",
        )
        assert first["license_url"] == "https://creativecommons.org/licenses/by/2.0/"
        assert first["landing_url"] == fresh_site.url("/photos/0")
    else:  # extmetadata HTML stripped to text; protocol-relative link made absolute
        assert (first["title"], first["creator"], first["license"]) == (
            "Picture 0",
            "Artist 0",
            "CC BY-SA 4.0",
        )
        assert first["creator_url"] == "http://people.example/wiki/User:A0"
        assert first["landing_url"] == fresh_site.url("/wiki/File:Picture_0.png")
    assert fresh_site.agents == {params.user_agent}  # Wikimedia's User-Agent policy
    assert not fresh_site.hits("/thumb/")


def test_openverse_pages_until_page_count_with_documented_parameters(
    fresh_site: Site, params: ScrapeParams, raw_dir: Path
) -> None:
    changed = replace(params, image_size_filter="large", image_type_filter="clipart")
    rows = collect_web(_source("openverse", fresh_site, per_class=0), changed, raw_dir)

    assert sum(r.status == KEPT for r in rows) == 3 * PER_CLASS
    pages = _pages(fresh_site, "openverse")
    assert [p["page"] for p in pages] == ["1", "2", "3"]  # page_count is 3: no 4th request
    assert {p["page_size"] for p in pages} == {str(API_PAGE)}
    assert all(p["mature"] == "false" for p in pages)
    assert (pages[0]["size"], pages[0]["category"]) == ("large", "illustration")
    assert "license_type" not in pages[0]

    source = _source("openverse", fresh_site, 0, license_type=["commercial", "modification"])
    engine = make_engine(source, params, Fetcher(params))
    first = engine.first_url("x")  # type: ignore[attr-defined]
    assert url_args(first)["license_type"] == "commercial,modification"


def test_commons_follows_continue_and_takes_svg_renderings_not_pdfs(
    fresh_site: Site, params: ScrapeParams, raw_dir: Path
) -> None:
    source = replace(_source("commons", fresh_site, per_class=0), queries={"cat": "cat photo"})
    rows = collect_web(source, params, raw_dir)

    kept = [r for r in rows if r.status == KEPT]
    assert len(kept) == len(rows) == PER_CLASS + 1  # 50 images and 1 SVG's PNG; the PDF skipped
    urls = [r["image_url"] for r in sorted(_records(raw_dir), key=lambda r: r["time"])]
    assert fresh_site.url("/img/render/cat-photo.png") in urls
    assert not fresh_site.hits("/files/")
    pages = _pages(fresh_site, "commons")
    assert [p.get("gsroffset", "0") for p in pages] == ["0", "20", "40"]
    assert all(p["continue"] == "gsroffset||" for p in pages[1:])
    assert {p["iiprop"] for p in pages} == {"url|extmetadata|mime|size"}
    assert {(p["gsrnamespace"], p["formatversion"]) for p in pages} == {("6", "2")}


def test_commons_keeps_search_rank_of_unordered_pages(params: ScrapeParams) -> None:
    engine = make_engine(
        Source(kind="commons", queries={"a": "q"}, base_url="http://x/w/api.php"),
        params,
        Fetcher(params),
    )
    info = {"url": "http://x/{}.png", "mime": "image/png", "descriptionurl": "http://x/d"}
    data = {
        "query": {
            "pages": [
                {"title": f"File:{i}.png", "index": i, "imageinfo": [{**info, "url": f"u{i}"}]}
                for i in (3, 1, 2)
            ]
        }
    }
    found, following = engine.read_page("a", "q", "http://x/w/api.php?x=1", data)  # type: ignore[attr-defined]
    assert [c.url for c in found] == ["u1", "u2", "u3"] and following == ""
    assert found[0].credit.title == "1.png"


@pytest.mark.parametrize("kind", ["openverse", "commons"])
def test_a_429_with_retry_after_is_waited_out_then_succeeds(
    kind: str, fresh_site: Site, params: ScrapeParams, raw_dir: Path
) -> None:
    fresh_site.traps[("cat photo", 2)] = "429-once"
    patient = replace(params, max_retry_wait=5.0)
    source = replace(_source(kind, fresh_site, per_class=30), queries={"cat": "cat photo"})
    start = time.monotonic()
    rows = collect_web(source, patient, raw_dir)

    assert time.monotonic() - start >= 1.0  # the server's Retry-After: 1, not our 0.01 s backoff
    assert sum(r.status == KEPT for r in rows) == len(rows) == 30
    assert len(_pages(fresh_site, kind)) == 3  # page 1, page 2 refused, page 2 again


@pytest.mark.parametrize(
    ("kind", "trap", "page", "reason"),
    [
        ("openverse", "429", 2, "page_http_429"),
        ("commons", "429", 2, "page_http_429"),
        ("openverse", "bad-json", 1, "page_not_json"),
        ("commons", "bad-json", 2, "page_not_json"),
        ("openverse", "wrong-shape", 2, "page_bad_answer"),
        ("commons", "api-error", 1, "page_api_error"),
    ],
)
def test_failed_pages_are_recorded_reasons_and_a_rerun_asks_again(
    kind: str,
    trap: str,
    page: int,
    reason: str,
    fresh_site: Site,
    params: ScrapeParams,
    raw_dir: Path,
) -> None:
    fresh_site.traps[("fox photo", page)] = trap  # the last class: a 429 stops the API's run
    metrics = raw_dir.parent / "scrape.json"
    rows = run_scrape(
        ScrapePaths(raw_dir, metrics),
        params=replace(params, sources=[_source(kind, fresh_site, per_class=PER_CLASS)]),
    )

    counts = json.loads(metrics.read_text())["per_class"]
    per_page = API_PAGE - (kind == "commons")  # Commons' first page holds a PDF, skipped
    assert counts["fox"] == {
        "in": (page - 1) * per_page + 1,
        "kept": (page - 1) * per_page,
        "rejected": 1,
        f"rejected_{reason}": 1,
    }
    assert counts["cat"]["kept"] == counts["dog"]["kept"] == PER_CLASS
    failed = [r for r in rows if r.reason == reason]
    assert len(failed) == 1 and failed[0].label == "fox" and failed[0].path == ""
    asked = _pages(fresh_site, kind, "fox photo")
    assert url_args(failed[0].origin) == asked[-1] and len(asked) >= page  # the page that failed
    assert reason in {r.reason for r in read_manifest(raw_dir)}

    fresh_site.traps.clear()  # the API recovered: the page is asked again, the failure forgotten
    rows = run_scrape(
        ScrapePaths(raw_dir, metrics),
        params=replace(params, sources=[_source(kind, fresh_site, per_class=PER_CLASS)]),
    )
    assert sum(r.status == KEPT for r in rows) == len(rows) == 3 * PER_CLASS, [
        r for r in rows if r.status != KEPT
    ]


@pytest.mark.parametrize("kind", ["openverse", "commons"])
def test_after_a_429_outlasting_the_retries_the_api_is_not_asked_again(
    kind: str, fresh_site: Site, params: ScrapeParams, raw_dir: Path
) -> None:
    fresh_site.traps[("cat photo", 1)] = "429"  # a spent quota: the first class's first page
    rows = collect_web(_source(kind, fresh_site, per_class=PER_CLASS), params, raw_dir)

    assert sorted((r.label, r.reason) for r in rows) == [
        (label, "page_http_429") for label in sorted(CLASSES)
    ]
    assert len(_pages(fresh_site, kind)) == params.retries + 1
    assert not _pages(fresh_site, kind, "dog photo") and not _pages(fresh_site, kind, "fox photo")
    details = {r["class"]: r["detail"] for r in _records(raw_dir)}
    assert details["dog"].startswith("not asked: ") and details["cat"] == "after 3 tries"


def test_api_pages_skip_robots_but_images_obey_it(
    fresh_site: Site, params: ScrapeParams, raw_dir: Path
) -> None:
    source = Source(
        kind="openverse",
        queries={"secret": "private things", "cat": "cat photo"},
        base_url=fresh_site.url("/private"),  # robots.txt disallows /private/
        per_class=5,
    )
    rows = collect_web(source, params, raw_dir)

    assert {(r.label, r.status, r.reason) for r in rows} == {
        ("secret", "rejected", "robots"),
        ("cat", KEPT, ""),
    }
    assert fresh_site.hits("/private/v1/images/")
    assert not fresh_site.hits("/private/secret.png")


def test_openverse_takes_the_raster_thumbnail_of_svg_files(params: ScrapeParams) -> None:
    source = Source(kind="openverse", queries={"a": "q"}, base_url="http://x")
    engine = make_engine(source, params, Fetcher(params))
    result = {"license": "by", "license_version": "4.0", "thumbnail": "http://x/t/"}
    data = {
        "page_count": 1,
        "results": [
            {**result, "url": "http://e/logo.svg", "filetype": "svg"},
            {**result, "url": "http://e/logo.png", "filetype": "png"},
            {**result, "url": ""},
        ],
    }
    found, following = engine.read_page("a", "q", "http://x/v1/images/?page=1", data)  # type: ignore[attr-defined]
    assert [c.url for c in found] == ["http://x/t/", "http://e/logo.png"] and following == ""
    assert found[0].credit.license == "CC BY 4.0"


def test_licence_names_and_html_text() -> None:
    assert license_name("by-nc-sa", "3.0") == "CC BY-NC-SA 3.0"
    assert license_name("cc0", "1.0") == "CC0 1.0"
    assert license_name("pdm", "") == "Public Domain Mark"
    html = '<bdi><a href="/wiki/User:Z" class="new">Zoë</a> &amp; <span>Bo</span>\n</bdi>'
    assert html_text(html, "https://commons.wikimedia.org/wiki/File:X.png") == (
        "Zoë & Bo",
        "https://commons.wikimedia.org/wiki/User:Z",
    )
    assert html_text("", "https://c/") == ("", "")


def test_api_source_params_name_the_missing_or_misplaced_key() -> None:
    with pytest.raises(ParamsError, match=r"scrape\.sources\[0\]\.queries: required when kind is "):
        build(Source, {"kind": "commons"}, "scrape.sources[0]")
    with pytest.raises(ParamsError, match=r"\.license_type: only kind 'openverse' filters"):
        build(
            Source, {"kind": "commons", "queries": {"a": "b"}, "license_type": ["commercial"]}, "s"
        )
    with pytest.raises(ParamsError, match=r"license_type"):
        build(Source, {"kind": "openverse", "queries": {"a": "b"}, "license_type": ["free"]}, "s")
    source = build(Source, {"kind": "openverse", "queries": {"a": "b"}}, "s")
    assert source.license_type == [] and source.base_url == ""
