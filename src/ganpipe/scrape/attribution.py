"""The dataset's credits: who made each kept web image and under which licence.

Openly licensed images may be used to train and to publish samples only with credit given
(title, author, source, licence, as Creative Commons asks). ``ATTRIBUTION.md`` is that list for
people, ``attribution.csv`` the same for programs; both come from the provenance log, so they
cover exactly the images the manifest keeps. Images from search engines and URL lists have no
licence on record and are listed as such: the user must clear them before publishing.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from ganpipe.manifest import KEPT, Row
from ganpipe.scrape.provenance import PROVENANCE, ProvenanceLog, Record

ATTRIBUTION_MD = "ATTRIBUTION.md"
ATTRIBUTION_CSV = "attribution.csv"
UNKNOWN = "unknown"
COLUMNS = [
    "class",
    "id",
    "path",
    "title",
    "creator",
    "creator_url",
    "license",
    "license_url",
    "landing_url",
    "source",
    "image_url",
]
MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")
HEADER = """# Image credits

The images below were collected by ganpipe's scrape stage. Publish these credits with the
dataset and with samples generated from it. Images whose licence is `{unknown}` came from a
search engine or a URL list: check their terms on the page given before publishing.
"""


def _md(text: str) -> str:
    """Text from an API, safe inside Markdown (no accidental links, emphasis or HTML)."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _link(text: str, url: str) -> str:
    return f"[{_md(text)}](<{url}>)" if url else _md(text)


def _line(record: Record) -> str:
    where = record.landing_url or record.page_url or record.image_url
    if not record.license:
        return f"- `{record.path}`: licence {UNKNOWN}, from <{where}>"
    title = _link(f"“{record.title}”" if record.title else "Untitled", record.landing_url)
    creator = _link(record.creator, record.creator_url) if record.creator else "an unknown author"
    licence = _link(record.license, record.license_url)
    return f"- `{record.path}`: {title} by {creator}, {licence}, via {record.source}"


def _kept_records(raw_dir: Path, rows: Sequence[Row]) -> list[Record]:
    kept = {(r.label, r.id) for r in rows if r.status == KEPT}
    records = ProvenanceLog(raw_dir).records.values()
    chosen = [r for r in records if r.kept and (r.label, r.id) in kept]
    return sorted(chosen, key=lambda r: (r.label, r.path))


def write_attribution(raw_dir: Path, rows: Sequence[Row]) -> dict[str, int]:
    """Write the credits of the kept web images; return how many images carry each licence.

    Without web images (datasets, local folders) nothing is written and stale files go.
    """
    raw_dir = Path(raw_dir)
    records = _kept_records(raw_dir, rows) if (raw_dir / PROVENANCE).exists() else []
    md_path, csv_path = raw_dir / ATTRIBUTION_MD, raw_dir / ATTRIBUTION_CSV
    if not records:
        md_path.unlink(missing_ok=True)
        csv_path.unlink(missing_ok=True)
        return {}
    with csv_path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(COLUMNS)
        for r in records:
            values = {**vars(r), "class": r.label, "license": r.license or UNKNOWN}
            writer.writerow([values[c] for c in COLUMNS])
    parts = [HEADER.format(unknown=UNKNOWN)]
    for label in sorted({r.label for r in records}):
        parts.append(f"\n## {_md(label)}\n\n")
        parts.extend(_line(r) + "\n" for r in records if r.label == label)
    md_path.write_text("".join(parts), encoding="utf-8")
    return dict(sorted(Counter(r.license or UNKNOWN for r in records).items()))
