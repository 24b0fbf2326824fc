"""Google through real headless Chromium against a local page in Google's result markup."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import PER_CLASS, Site

from ganpipe.manifest import KEPT
from ganpipe.params import ScrapeParams, Source
from ganpipe.scrape.engines import EngineError, make_engine
from ganpipe.scrape.fetch import Fetcher
from ganpipe.scrape.web import collect_web

DRIVER = Path(ScrapeParams().chromedriver)
pytestmark = pytest.mark.skipif(
    not DRIVER.exists(),
    reason=f"{DRIVER} is missing: install Debian's chromium and chromium-driver (.ci/run does)",
)


@pytest.fixture
def google_params(params: ScrapeParams) -> ScrapeParams:
    return replace(params, read_timeout=2.0, total_timeout=20.0)


def test_scrolls_clicks_and_collects_full_size_urls(
    fresh_site: Site, google_params: ScrapeParams, raw_dir: Path
) -> None:
    source = Source(
        kind="google", queries={"dog": "dog photo"}, base_url=fresh_site.base, per_class=PER_CLASS
    )
    start = time.monotonic()
    rows = collect_web(source, google_params, raw_dir)
    assert time.monotonic() - start < 30
    kept = [r for r in rows if r.status == KEPT]
    # 20 at load, 20 more on scroll, the rest behind "show more results": all 50, full size.
    assert len(kept) == PER_CLASS == len(rows)
    assert {r.origin for r in kept} == set(fresh_site.results["dog photo"])
    (page,) = fresh_site.hits("/search")
    assert parse_qs(urlsplit(page).query) == {
        "q": ["dog photo"],
        "tbm": ["isch"],
        "safe": ["active"],
    }


def test_filters_in_the_url_and_no_thumbnails_fails_loudly(
    fresh_site: Site, google_params: ScrapeParams
) -> None:
    changed = replace(
        google_params,
        safe_search=False,
        image_size_filter="large",
        image_type_filter="photo",
        max_pages=1,
    )
    engine = make_engine(
        Source(kind="google", queries={"x": "q"}, base_url=fresh_site.base),
        changed,
        Fetcher(changed),
    )
    try:
        assert len(list(engine.candidates("cat", "cat photo"))) == 20  # one screen, no scroll
        query = parse_qs(urlsplit(fresh_site.hits("/search")[0]).query)
        assert query["safe"] == ["off"] and query["tbs"] == ["isz:l,itp:photo"]
        with pytest.raises(EngineError, match="no thumbnails found"):
            list(engine.candidates("none", "nothing here"))
    finally:
        engine.close()


def test_robots_txt_is_checked_before_the_browser_starts(
    fresh_site: Site, google_params: ScrapeParams
) -> None:
    base = fresh_site.url("/private")  # robots.txt disallows /private/
    engine = make_engine(
        Source(kind="google", queries={"x": "q"}, base_url=base),
        google_params,
        Fetcher(google_params),
    )
    with pytest.raises(EngineError, match=r"^google: .*/private/search\?.*: robots: "):
        list(engine.candidates("cat", "cat photo"))
    assert not fresh_site.hits("/private/")
    engine.close()
