"""The web downloader: many URLs in flight, results decided one at a time, in order.

Worker threads fetch, sniff, hash and stage each image as a hidden ``.part`` file. The calling
thread takes results in the order the URLs were offered and makes every stateful decision
(duplicate content, final name, provenance line), so which of two identical images is kept
never depends on thread timing. It does as little I/O as possible (a rename and one appended
line per image): every system call it makes can cost a GIL hand-over while workers run.
"""

from __future__ import annotations

import os
import uuid
from collections import deque
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import NamedTuple

from tqdm import tqdm

from ganpipe.manifest import KEPT, Row, image_relpath, sha256_bytes
from ganpipe.params import ScrapeParams
from ganpipe.scrape.engines.base import PAGE_FAILED, Candidate
from ganpipe.scrape.fetch import Fetcher, Response, is_transient
from ganpipe.scrape.provenance import ProvenanceLog, Record
from ganpipe.scrape.sniff import NotAnImage, Sniffed, sniff


class Job(NamedTuple):
    """One class of one source: what resume state and rows are grouped by."""

    label: str
    source: str
    query: str


def record_job(record: Record) -> Job:
    return Job(record.label, record.source, record.query)


class _Probe(NamedTuple):
    response: Response
    sniffed: Sniffed | None = None
    sha256: str = ""
    part: Path | None = None  # the staged bytes of an image
    reason: str = ""
    detail: str = ""


def url_id(url: str) -> str:
    """Row id of a URL that produced no image (the contract: sha256 of the URL, 16 digits)."""
    return sha256_bytes(url.encode("utf-8"))[:16]


def _probe(fetcher: Fetcher, url: str, folder: Path) -> _Probe:
    """Fetch, sniff and stage one URL (a worker thread; touches no shared state)."""
    response = fetcher.get(url)
    if response.reason:
        return _Probe(response, reason=response.reason, detail=response.detail)
    try:
        sniffed = sniff(response.body)
    except NotAnImage as err:
        return _Probe(response, reason=err.reason, detail=str(err))
    part = folder / f".{uuid.uuid4().hex}.part"
    part.write_bytes(response.body)
    return _Probe(response, sniffed, sha256_bytes(response.body), part)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Downloader:
    """Downloads candidates into ``raw_dir/images/<class>/<id>.<ext>``, resumably."""

    def __init__(self, params: ScrapeParams, raw_dir: Path) -> None:
        self._p = params
        self._raw = Path(raw_dir)
        self.fetcher = Fetcher(params)
        self._log = ProvenanceLog(self._raw)
        self._pool = ThreadPoolExecutor(
            max_workers=params.workers, thread_name_prefix="ganpipe-download"
        )
        self._owner: dict[str, Job] = {}  # URL -> the job it was (or is being) fetched for
        self._shas: dict[str, Job] = {}  # sha256 of every kept file -> its job
        for record in list(self._log.records.values()):
            if record.kept and not (self._raw / record.path).is_file():
                self._log.forget(record)  # file deleted or pruned since: fetch it again
                continue
            job = record_job(record)
            if record.kept:
                self._shas[record.sha256] = job
            if record.reason != "duplicate_url" and not is_transient(record.reason):
                self._owner.setdefault(record.image_url, job)
        self._visited: set[tuple[Job, str]] = set()  # (job, URL) offered in this run
        for stale in self._raw.glob("images/*/.*.part"):  # left by a killed run
            stale.unlink()

    def close(self) -> None:
        """Stop the workers and write the provenance file in its final, sorted form."""
        self._pool.shutdown(wait=True, cancel_futures=True)
        self.fetcher.close()
        self._log.close()

    def kept(self, job: Job) -> int:
        return sum(r.kept and record_job(r) == job for r in self._log.records.values())

    def rows(self, jobs: Iterable[Job]) -> list[Row]:
        """Manifest rows (kept and rejected) of ``jobs``, from this and earlier runs."""
        wanted = set(jobs)
        return [r.row() for _, r in sorted(self._log.records.items()) if record_job(r) in wanted]

    def run(self, job: Job, candidates: Iterable[Candidate], limit: int) -> None:
        """Try candidates until ``limit`` images are kept for ``job`` (0 = try them all)."""
        self._forget_page_failures(job)
        kept = self.kept(job)
        window = self._p.workers * 4
        pending: deque[tuple[Candidate, Future[_Probe]]] = deque()
        stream = iter(candidates)
        folder = self._raw / "images" / job.label
        folder.mkdir(parents=True, exist_ok=True)
        with tqdm(total=limit or None, initial=kept, desc=job.label, unit="img") as bar:
            while True:
                while len(pending) < window and (not limit or kept + len(pending) < limit):
                    candidate = next(stream, None)
                    if candidate is None:
                        break
                    if candidate.reason:  # a result page failed: record it, fetch nothing
                        self._log.add(self._page_failure(job, candidate))
                    elif self._admit(job, candidate):
                        future = self._pool.submit(_probe, self.fetcher, candidate.url, folder)
                        pending.append((candidate, future))
                if not pending:
                    return
                candidate, future = pending.popleft()
                if self._finish(job, candidate, future.result()):
                    kept += 1
                    bar.update(1)

    def _forget_page_failures(self, job: Job) -> None:
        """An earlier run's failed result pages are asked again; only this run's outcome counts."""
        for record in list(self._log.records.values()):
            if record.reason.startswith(PAGE_FAILED) and record_job(record) == job:
                self._log.forget(record)

    def _page_failure(self, job: Job, candidate: Candidate) -> Record:
        return self._record(
            job,
            candidate,
            id=url_id(candidate.url),
            reason=candidate.reason,
            detail=candidate.detail,
        )

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
            taken = (
                "listed twice"
                if owner in (None, job)
                else f"already tried for class '{owner.label}' ({owner.source}: {owner.query})"
            )
            self._log.add(
                self._record(job, candidate, reason="duplicate_url", detail=taken, id=url_id(url))
            )
        return False

    def _record(self, job: Job, candidate: Candidate, **values: object) -> Record:
        return replace(
            Record(
                label=job.label,
                source=job.source,
                query=job.query,
                engine=candidate.engine,
                page_url=candidate.page_url,
                image_url=candidate.url,
                time=_now(),
                **asdict(candidate.credit),
            ),
            **values,
        )

    def _finish(self, job: Job, candidate: Candidate, probe: _Probe) -> bool:
        """Record one result (saving the file if it is a new image); True when kept."""
        response, sniffed, sha = probe.response, probe.sniffed, probe.sha256
        base = self._record(
            job,
            candidate,
            final_url=response.final_url,
            http_status=response.status,
            content_type=response.content_type,
            bytes=len(response.body),
            sha256=sha,
        )
        if sniffed is None or probe.part is None:
            if is_transient(probe.reason):
                self._owner.pop(candidate.url, None)  # free to retry later
            self._log.add(
                replace(base, id=url_id(candidate.url), reason=probe.reason, detail=probe.detail)
            )
            return False
        if sha in self._shas:
            probe.part.unlink()
            self._log.add(
                replace(
                    base,
                    id=url_id(candidate.url),
                    reason="duplicate_sha256",
                    detail=f"same bytes as a file kept for class '{self._shas[sha].label}'",
                )
            )
            return False
        image_id = sha[:16]  # == manifest.content_id(bytes)
        path = image_relpath(job.label, image_id, sniffed.ext)
        os.replace(probe.part, self._raw / path)  # atomic: never half a file under its name
        self._shas[sha] = job
        self._log.add(
            replace(
                base,
                id=image_id,
                path=path,
                width=sniffed.width,
                height=sniffed.height,
                mode=sniffed.mode,
                status=KEPT,
            )
        )
        return True
