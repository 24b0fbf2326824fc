"""The augment stage: every kept image passed through, plus augmented copies per chain."""

from __future__ import annotations

import csv
from functools import partial
from pathlib import Path

from ganpipe.augment import (
    APPLIED,
    Augmented,
    AugmentJob,
    augment_row,
    load_albumentations,
)
from ganpipe.chains import parse_chain
from ganpipe.clean.parallel import pmap
from ganpipe.clean.rows import finish, start
from ganpipe.manifest import Row
from ganpipe.params import AugmentParams
from ganpipe.stagekit import InOut


def run_augment(paths: InOut, *, params: AugmentParams, background: str) -> list[Row]:
    """Pass every kept image through, plus ``copies`` augmented images per chain.

    Copies get the id ``content_id("<id>|<chain>|<copy>")`` and ``copy-of:<source id>`` as
    origin (ganpipe.data.source_id); ``applied.csv`` maps each copy to its source id and the
    concrete codes applied.
    """
    in_dir, out_dir = paths.inp, paths.out
    chains = tuple((chain, parse_chain(chain)) for chain in params.chains)
    rows = start(in_dir, out_dir)
    if chains:
        load_albumentations()  # import once here, before workers fork, not once per worker
    job = AugmentJob(Path(in_dir), Path(out_dir), chains, params.copies, params.seed, background)
    results = pmap(partial(augment_row, job=job), rows, params.workers, "augment")
    records = [record for out in results for record in out]
    _write_applied(Path(out_dir), records)
    return finish(out_dir, [record.row for record in records])


def _write_applied(out_dir: Path, records: list[Augmented]) -> None:
    """``applied.csv``: per augmented copy, its source, chain and the concrete codes applied."""
    copies = sorted((r for r in records if r.chain), key=lambda r: (r.row.label, r.row.id))
    with (out_dir / APPLIED).open("w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["id", "class", "source_id", "chain", "applied"])
        for r in copies:
            writer.writerow([r.row.id, r.row.label, r.source_id, r.chain, r.applied])
