"""The dataset's credits file, written by the scrape stage from the provenance log."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import Site, make_image

from ganpipe.manifest import KEPT
from ganpipe.params import ScrapeParams, Source
from ganpipe.scrape.attribution import ATTRIBUTION_CSV, ATTRIBUTION_MD, COLUMNS
from ganpipe.stages.scrape import ScrapePaths, run_scrape


@pytest.fixture
def params(params: ScrapeParams) -> ScrapeParams:
    return replace(params, connect_timeout=10.0, read_timeout=10.0, total_timeout=30.0)


def test_credits_of_licensed_images_and_unknown_licences_from_search_engines(
    fresh_site: Site, params: ScrapeParams, raw_dir: Path
) -> None:
    sources = [
        Source(
            kind="openverse", queries={"cat": "cat photo"}, base_url=fresh_site.base, per_class=4
        ),
        Source(kind="bing", queries={"dog": "dog photo"}, base_url=fresh_site.base, per_class=2),
    ]
    metrics = raw_dir.parent / "scrape.json"
    rows = run_scrape(ScrapePaths(raw_dir, metrics), params=replace(params, sources=sources))

    kept = {r.origin: r for r in rows if r.status == KEPT}
    with (raw_dir / ATTRIBUTION_CSV).open(newline="") as f:
        table = list(csv.DictReader(f))
    assert list(table[0]) == COLUMNS
    assert len(table) == len(kept) == 6
    assert {r["path"] for r in table} == {r.path for r in kept.values()}
    first = next(r for r in table if r["image_url"] == fresh_site.results["cat photo"][0])
    assert first == {
        "class": "cat",
        "id": kept[first["image_url"]].id,
        "path": kept[first["image_url"]].path,
        "title": "Picture [0]",
        "creator": "Creator 0",
        "creator_url": fresh_site.url("/people/0"),
        "license": "CC BY 2.0",
        "license_url": "https://creativecommons.org/licenses/by/2.0/",
        "landing_url": fresh_site.url("/photos/0"),
        "source": "openverse",
        "image_url": fresh_site.results["cat photo"][0],
    }
    assert [r["license"] for r in table if r["class"] == "dog"] == ["unknown", "unknown"]

    text = (raw_dir / ATTRIBUTION_MD).read_text()
    assert text.startswith("# Image credits\n")
    assert (
        f"- `{first['path']}`: [“Picture \\[0\\]”](<{fresh_site.url('/photos/0')}>) by "
        f"[Creator 0](<{fresh_site.url('/people/0')}>), "
        "[CC BY 2.0](<https://creativecommons.org/licenses/by/2.0/>), via openverse\n"
    ) in text
    assert "\n## cat\n" in text and "\n## dog\n" in text
    assert text.count("licence unknown, from <") == 2
    assert json.loads(metrics.read_text())["licenses"] == {
        "CC BY 2.0": 1,
        "CC BY-SA 4.0": 1,
        "CC0 1.0": 1,
        "Public Domain Mark 1.0": 1,
        "unknown": 2,
    }


def test_no_web_images_no_credits_file(
    fresh_site: Site, params: ScrapeParams, raw_dir: Path, tmp_path: Path
) -> None:
    web = Source(kind="openverse", queries={"cat": "cat photo"}, base_url=fresh_site.base)
    paths = ScrapePaths(raw_dir, tmp_path / "m.json")
    run_scrape(paths, params=replace(params, sources=[replace(web, per_class=1)]))
    assert (raw_dir / ATTRIBUTION_MD).exists()

    folder = tmp_path / "own" / "cat"
    folder.mkdir(parents=True)
    (folder / "a.png").write_bytes(make_image(1, "PNG"))
    local = Source(kind="folder", root=str(folder.parent))
    run_scrape(paths, params=replace(params, sources=[local]))
    assert not (raw_dir / ATTRIBUTION_MD).exists() and not (raw_dir / ATTRIBUTION_CSV).exists()
    assert json.loads((tmp_path / "m.json").read_text())["licenses"] == {}
