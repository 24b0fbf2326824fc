"""collect_web end to end against the local site: counts, provenance, resume, hostile set."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import CLASSES, PER_CLASS, Site, class_urls

from ganpipe.manifest import KEPT
from ganpipe.params import ScrapeParams, Source
from ganpipe.scrape.provenance import PROVENANCE
from ganpipe.scrape.web import collect_web

PROVENANCE_KEYS = {
    "class",
    "source",
    "query",
    "engine",
    "page_url",
    "image_url",
    "final_url",
    "http_status",
    "content_type",
    "bytes",
    "sha256",
    "time",
}


def _records(raw_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (raw_dir / PROVENANCE).read_text().splitlines()]


def _url_files(site: Site, tmp_path: Path) -> dict[str, str]:
    files = {}
    for label, query in CLASSES.items():
        path = tmp_path / f"{label}.txt"
        path.write_text("# image URLs\n" + "\n".join(site.results[query]) + "\n")
        files[label] = str(path)
    return files


def _source(kind: str, site: Site, tmp_path: Path, per_class: int = PER_CLASS) -> Source:
    if kind == "urls":
        return Source(kind="urls", url_files=_url_files(site, tmp_path), per_class=per_class)
    return Source(kind=kind, queries=dict(CLASSES), base_url=site.base, per_class=per_class)


@pytest.mark.parametrize("kind", ["bing", "duckduckgo", "urls"])
def test_three_classes_of_fifty_then_rerun_downloads_nothing(
    kind: str, fresh_site: Site, params: ScrapeParams, raw_dir: Path, tmp_path: Path
) -> None:
    source = _source(kind, fresh_site, tmp_path)
    rows = collect_web(source, params, raw_dir)

    kept = [r for r in rows if r.status == KEPT]
    assert len(kept) == 3 * PER_CLASS == len(rows)
    assert len({r.sha256 for r in kept}) == 150
    assert {r.label for r in kept} == set(CLASSES)
    for row in kept:
        data = (raw_dir / row.path).read_bytes()  # raw bytes, named by content
        assert hashlib.sha256(data).hexdigest() == row.sha256
        assert row.path == f"images/{row.label}/{row.id}.{Path(row.path).suffix[1:]}"
        assert row.origin.startswith(fresh_site.url("/img/"))
    assert {Path(r.path).suffix for r in kept} == {".png", ".jpg", ".gif", ".webp", ".bmp", ".tiff"}
    assert not fresh_site.hits("/thumb/"), "thumbnails must never be downloaded"

    records = _records(raw_dir)
    assert len(records) == 150
    for record in records:
        assert record.keys() >= PROVENANCE_KEYS
        assert record["http_status"] == 200 and record["bytes"] > 0 and record["time"]
        assert record["engine"] == kind and record["source"] == kind
        assert record["image_url"] == record["final_url"]
    assert all(r["page_url"] for r in records) == (kind != "urls")
    order = [(r["class"], r["source"], r["query"], r["image_url"]) for r in records]
    assert order == sorted(order)

    fresh_site.reset()
    again = collect_web(source, params, raw_dir)
    assert not fresh_site.requests, "a rerun with everything present asks the server nothing"
    assert again == rows
    strip = [{k: v for k, v in r.items() if k != "time"} for r in records]
    assert [{k: v for k, v in r.items() if k != "time"} for r in _records(raw_dir)] == strip


def test_per_class_cap_and_growing_it_fetches_only_the_rest(
    fresh_site: Site, params: ScrapeParams, raw_dir: Path, tmp_path: Path
) -> None:
    rows = collect_web(_source("bing", fresh_site, tmp_path, per_class=10), params, raw_dir)
    assert len(rows) == 30 and all(r.status == KEPT for r in rows)
    assert len(fresh_site.hits("/img/")) == 30

    fresh_site.reset()
    rows = collect_web(_source("bing", fresh_site, tmp_path, per_class=25), params, raw_dir)
    assert len([r for r in rows if r.status == KEPT]) == 75
    assert len(fresh_site.hits("/img/")) == 45


def test_a_deleted_file_is_fetched_again(
    fresh_site: Site, params: ScrapeParams, raw_dir: Path, tmp_path: Path
) -> None:
    source = _source("urls", fresh_site, tmp_path, per_class=5)
    rows = collect_web(source, params, raw_dir)
    (raw_dir / rows[0].path).unlink()  # e.g. pruned while the class was filtered out
    fresh_site.reset()
    assert collect_web(source, params, raw_dir) == rows
    assert [fresh_site.url(p) for p in fresh_site.hits("/img/")] == [rows[0].origin]


def test_hostile_set_no_crash_bounded_time_every_failure_recorded(
    fresh_site: Site, params: ScrapeParams, raw_dir: Path, tmp_path: Path
) -> None:
    good = class_urls(fresh_site, "mixed", 3)
    expected = {
        "/h/once-429": "",
        "/h/once-503": "",
        "/h/to-image": "",
        "/h/always-429": "http_429",
        "/h/always-500": "http_500",
        "/h/stall": "timeout",
        "/h/trickle": "timeout",
        "/h/loop-a": "redirect_loop",
        "/h/to-file": "bad_scheme",
        "/h/html-as-jpeg": "not_an_image",
        "/h/big-declared": "too_large",
        "/h/big-undeclared": "too_large",
        "/h/truncated": "truncated",
        "/h/corrupt-png": "corrupt_image",
        "/h/missing": "http_404",
        "/private/secret.png": "robots",
    }
    urls = [fresh_site.url(p) for p in expected]
    lines = [*good, *urls, good[0], "file:///etc/passwd", "ftp://example.org/a.png"]
    fresh_site.files["/img/copy.png"] = fresh_site.files[good[0].removeprefix(fresh_site.base)]
    lines.append(fresh_site.url("/img/copy.png"))  # same bytes, other URL
    (tmp_path / "mixed.txt").write_text("\n".join(lines))
    source = Source(kind="urls", url_files={"mixed": str(tmp_path / "mixed.txt")})

    start = time.monotonic()
    rows = collect_web(source, params, raw_dir)
    assert time.monotonic() - start < 10

    records = _records(raw_dir)
    assert sorted((r.id, r.status, r.reason) for r in rows) == sorted(
        (r["id"], r["status"], r["reason"]) for r in records
    )
    by_url = {r["image_url"]: r for r in records if r["reason"] != "duplicate_url"}
    for path, reason in expected.items():
        url = fresh_site.url(path)
        record = by_url[url]
        assert (record["status"], record["reason"]) == (
            (KEPT, "") if not reason else ("rejected", reason)
        ), path
        if reason:
            assert record["path"] == ""
            assert record["id"] == hashlib.sha256(url.encode()).hexdigest()[:16]
    assert by_url[fresh_site.url("/h/to-image")]["final_url"] == fresh_site.url(
        "/img/redirected.png"
    )
    assert by_url[fresh_site.url("/h/to-file")]["final_url"] == "file:///etc/passwd"
    reasons = sorted(r.reason for r in rows if r.status != KEPT)
    assert reasons.count("duplicate_url") == 1
    assert reasons.count("duplicate_sha256") == 1
    assert reasons.count("bad_scheme") == 3  # file:// redirect, file:// and ftp:// listed
    assert len(rows) == len(lines)  # one row per URL offered: nothing dropped silently
    assert sum(r.status == KEPT for r in rows) == 6 and reasons.count("timeout") == 2
    assert not list((raw_dir / "images").rglob("*.part"))
    loop = next(r for r in records if r["image_url"].endswith("/h/loop-a"))
    assert "loop-b" in loop["detail"] and loop["http_status"] == 302
    html = next(r for r in records if r["image_url"].endswith("/h/html-as-jpeg"))
    assert html["content_type"] == "image/jpeg" and html["http_status"] == 200

    # A rerun retries only the transient failures (429, 5xx, timeouts, truncation).
    fresh_site.reset()
    collect_web(source, params, raw_dir)
    asked = {p.split("?")[0] for p in fresh_site.requests} - {"/robots.txt"}
    assert asked == {"/h/always-429", "/h/always-500", "/h/stall", "/h/trickle", "/h/truncated"}


def test_duplicate_url_across_classes_is_recorded_not_refetched(
    fresh_site: Site, params: ScrapeParams, raw_dir: Path, tmp_path: Path
) -> None:
    shared = class_urls(fresh_site, "shared", 2)
    (tmp_path / "a.txt").write_text("\n".join(shared))
    (tmp_path / "b.txt").write_text(shared[1])
    source = Source(
        kind="urls", url_files={"a": str(tmp_path / "a.txt"), "b": str(tmp_path / "b.txt")}
    )
    rows = collect_web(source, params, raw_dir)
    assert [(r.label, r.status, r.reason) for r in sorted(rows, key=lambda r: r.label)] == [
        ("a", KEPT, ""),
        ("a", KEPT, ""),
        ("b", "rejected", "duplicate_url"),
    ]
    assert len(fresh_site.hits("/img/")) == 2


def test_unsafe_class_name_is_refused(params: ScrapeParams, raw_dir: Path) -> None:
    source = Source(kind="urls", url_files={"../escape": "x.txt"})
    with pytest.raises(ValueError, match="cannot be a directory name"):
        collect_web(source, params, raw_dir)


def test_resume_after_kill_downloads_only_what_is_missing(
    fresh_site: Site, params: ScrapeParams, raw_dir: Path, tmp_path: Path
) -> None:
    source = _source("urls", fresh_site, tmp_path)
    slow = replace(params, per_host_rate=150.0, workers=2)  # ~1 s for 150 images
    script = (
        "import sys, json; from pathlib import Path\n"
        "from ganpipe.params import ScrapeParams, Source\n"
        "from ganpipe.scrape.web import collect_web\n"
        "p, s = json.loads(sys.argv[1]), json.loads(sys.argv[2])\n"
        "collect_web(Source(**s), ScrapeParams(**p), Path(sys.argv[3]))\n"
    )
    args = [
        json.dumps({k: v for k, v in slow.__dict__.items() if k != "sources"}),
        json.dumps({"kind": "urls", "url_files": source.url_files, "per_class": PER_CLASS}),
    ]
    child = subprocess.Popen(
        [sys.executable, "-c", script, *args, str(raw_dir)],
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    log = raw_dir / PROVENANCE
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and (not log.exists() or log.read_text().count("\n") < 20):
        time.sleep(0.02)
    child.send_signal(signal.SIGKILL)
    child.wait()
    done = {
        json.loads(line)["image_url"] for line in log.read_text().splitlines() if line.endswith("}")
    }
    assert 20 <= len(done) < 150, "the kill must land mid-run"

    fresh_site.reset()
    rows = collect_web(source, params, raw_dir)
    fetched = {fresh_site.url(p) for p in fresh_site.hits("/img/")}
    assert not fetched & done
    assert len(fetched) + len(done) >= 150
    assert len([r for r in rows if r.status == KEPT]) == 150
    assert len(_records(raw_dir)) == 150
