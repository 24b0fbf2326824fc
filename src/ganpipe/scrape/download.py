"""The web downloader: many URLs in flight, results decided one at a time, in order.

Worker threads only fetch and sniff. The calling thread takes results in the order the URLs
were offered and makes every stateful decision (duplicate content, file name, provenance
line), so which of two identical images is kept never depends on thread timing.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import NamedTuple

from tqdm import tqdm

from ganpipe.manifest import KEPT, Row, content_id, image_relpath, sha256_bytes
from ganpipe.params import ScrapeParams
from ganpipe.scrape.engines.base import Candidate
from ganpipe.scrape.fetch import Fetcher, Response, is_transient
from ganpipe.scrape.provenance import ProvenanceLog, Record
from ganpipe.scrape.sniff import NotAnImage, Sniffed, sniff


class Job(NamedTuple):
    """One class of one source: what resume state and rows are grouped by."""

    label: str
    source: str
    query: str


class _Probe(NamedTuple):
    response: Response
    sniffed: Sniffed | None
    reason: str
    detail: str


def url_id(url: str) -> str:
    """Row id of a URL that produced no image (the contract: sha256 of the URL, 16 digits)."""
    return sha256_bytes(url.encode("utf-8"))[:16]


def _probe(fetcher: Fetcher, url: str) -> _Probe:
    """Fetch and sniff one URL (runs on a worker thread; no shared state touched)."""
    response = fetcher.get(url)
    if response.reason:
        return _Probe(response, None, response.reason, response.detail)
    try:
        return _Probe(response, sniff(response.body), "", "")
    except NotAnImage as err:
        return _Probe(response, None, err.reason, str(err))


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Downloader:
    """Downloads candidates into ``raw_dir/images/<class>/<id>.<ext>``, resumably."""

    def __init__(self, params: ScrapeParams, raw_dir: Path) -> None:
        self._p = params
        self._raw = Path(raw_dir)
        self.fetcher = Fetcher(params)
        self._log = ProvenanceLog(self._raw)
        self._pool = ThreadPoolExecutor(max_workers=params.workers,
                                        thread_name_prefix="ganpipe-download")
        self._owner: dict[str, Job] = {}  # URL -> the job it was (or is being) fetched for
        self._shas: dict[str, Job] = {}  # sha256 of every kept file -> its job
        for record in self._log.records.values():
            job = Job(record.label, record.source, record.query)
            if record.kept:
                self._shas[record.sha256] = job
            if record.reason != "duplicate_url" and not is_transient(record.reason):
                self._owner.setdefault(record.image_url, job)
        self._visited: set[tuple[Job, str]] = set()  # (job, URL) offered in this run

    def close(self) -> None:
        """Stop the workers and write the provenance file in its final, sorted form."""
        self._pool.shutdown(wait=True, cancel_futures=True)
        self.fetcher.close()
        self._log.close()

    def kept(self, job: Job) -> int:
        return sum(r.kept and Job(r.label, r.source, r.query) == job
                   for r in self._log.records.values())

    def rows(self, jobs: Iterable[Job]) -> list[Row]:
        """Manifest rows (kept and rejected) of ``jobs``, from this and earlier runs."""
        wanted = set(jobs)
        return [r.row() for _, r in sorted(self._log.records.items())
                if Job(r.label, r.source, r.query) in wanted]

    def run(self, job: Job, candidates: Iterable[Candidate], limit: int) -> None:
        """Try candidates until ``limit`` images are kept for ``job`` (0 = try them all)."""
        kept = self.kept(job)
        window = self._p.workers * 4
        pending: deque[tuple[Candidate, Future[_Probe]]] = deque()
        stream = iter(candidates)
        with tqdm(total=limit or None, initial=kept, desc=job.label, unit="img") as bar:
            while True:
                while len(pending) < window and (not limit or kept + len(pending) < limit):
                    candidate = next(stream, None)
                    if candidate is None:
                        break
                    if self._admit(job, candidate):
                        future = self._pool.submit(_probe, self.fetcher, candidate.url)
                        pending.append((candidate, future))
                if not pending:
                    return
                candidate, future = pending.popleft()
                if self._finish(job, candidate, future.result()):
                    kept += 1
                    bar.update(1)

    def _admit(self, job: Job, candidate: Candidate) -> bool:
        """True to download; False for a URL done earlier or already taken by another job."""
        url = candidate.url
        repeat = (job, url) in self._visited
        self._visited.add((job, url))
        owner = self._owner.get(url)
        if owner is None and not repeat:
            self._owner[url] = job
            return True
        if owner != job or repeat:
            taken = ("listed twice" if owner in (None, job) else
                     f"already tried for class '{owner.label}' ({owner.source}: {owner.query})")
            self._log.add(self._record(job, candidate, reason="duplicate_url", detail=taken,
                                       id=url_id(url)))
        return False

    def _record(self, job: Job, candidate: Candidate, **values: object) -> Record:
        return replace(Record(label=job.label, source=job.source, query=job.query,
                              engine=candidate.engine, page_url=candidate.page_url,
                              image_url=candidate.url, time=_now()), **values)

    def _finish(self, job: Job, candidate: Candidate, probe: _Probe) -> bool:
        """Record one result (saving the file if it is a new image); True when kept."""
        response, sniffed = probe.response, probe.sniffed
        base = self._record(job, candidate, final_url=response.final_url,
                            http_status=response.status, content_type=response.content_type,
                            bytes=len(response.body))
        if sniffed is None:
            if is_transient(probe.reason):
                self._owner.pop(candidate.url, None)  # free to retry later
            self._log.add(replace(base, id=url_id(candidate.url), reason=probe.reason,
                                  detail=probe.detail))
            return False
        sha = sha256_bytes(response.body)
        if sha in self._shas:
            twin = self._shas[sha]
            self._log.add(replace(base, id=url_id(candidate.url), sha256=sha,
                                  reason="duplicate_sha256",
                                  detail=f"same bytes as a file kept for class '{twin.label}'"))
            return False
        image_id = content_id(response.body)
        path = image_relpath(job.label, image_id, sniffed.ext)
        self._save(path, response.body)
        self._shas[sha] = job
        self._log.add(replace(base, id=image_id, path=path, sha256=sha, width=sniffed.width,
                              height=sniffed.height, mode=sniffed.mode, status=KEPT))
        return True

    def _save(self, relpath: str, data: bytes) -> None:
        """Write the raw bytes atomically (a kill never leaves half a file under its name)."""
        target = self._raw / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        part = target.with_name(f".{target.name}.part")
        part.write_bytes(data)
        os.replace(part, target)
