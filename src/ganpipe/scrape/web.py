"""The web part of the scrape stage: search engines and URL lists into ``raw_dir``."""

from __future__ import annotations

from pathlib import Path

from ganpipe.errors import UserError
from ganpipe.manifest import Row
from ganpipe.params import ScrapeParams, Source
from ganpipe.registries.sources import WEB_KINDS
from ganpipe.scrape.download import Downloader, Job
from ganpipe.scrape.engines import make_engine, queries


def _safe_label(label: str) -> str:
    """Class names become directory names: refuse anything that could leave ``images/``."""
    if not label or label in (".", "..") or any(c in label for c in "/\\\0"):
        raise UserError(f"class name {label!r} cannot be a directory name")
    return label


def _jobs(source: Source, params: ScrapeParams) -> list[Job]:
    jobs = []
    for name, query in queries(source).items():
        label = _safe_label(source.class_map.get(name, name))
        if not params.classes or label in params.classes:
            jobs.append(Job(label, source.kind, query))
    return sorted(jobs)


def collect_web(source: Source, params: ScrapeParams, raw_dir: Path) -> list[Row]:
    """Download up to ``source.per_class`` images per class (0 = all the source offers).

    Resumable: ``raw_dir/provenance.jsonl`` records every URL tried, so a re-run fetches only
    what is missing (URLs that failed for a transient reason, such as a timeout or a 5xx, are
    tried again). Returns the manifest rows, kept and rejected, of this source's classes,
    including those from earlier runs.
    """
    if source.kind not in WEB_KINDS:
        raise ValueError(f"collect_web: kind {source.kind!r} is not one of {WEB_KINDS}")
    jobs = _jobs(source, params)
    downloader = Downloader(params, Path(raw_dir))
    engine = make_engine(source, params, downloader.fetcher)
    try:
        for job in jobs:
            if source.per_class and downloader.kept(job) >= source.per_class:
                continue  # done in an earlier run: ask no engine, fetch nothing
            downloader.run(job, engine.candidates(job.label, job.query), source.per_class)
    finally:
        engine.close()
        downloader.close()
    return downloader.rows(jobs)
