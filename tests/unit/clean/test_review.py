"""Contact sheets: every kept image appears, with its id, in a sheet linked from index.html."""

from __future__ import annotations

from dataclasses import replace

import imagecases as cases
from PIL import Image

from ganpipe.clean import review
from ganpipe.params import FilterParams
from ganpipe.stages.filter import FilterPaths, run_filter


def test_sheets_and_index_list_every_kept_image(write_stage, tmp_path, monkeypatch):
    monkeypatch.setattr(review, "ROWS", 1)  # 10 per sheet, so 12 images need two sheets
    files = {f"img{k}": cases.jpeg(seed=40 + k) for k in range(12)} | {"zero": b""}
    raw, ids = write_stage({"logo": files, "tiny class": {"one": cases.palette_trns()}})
    params = FilterParams(workers=2, contact_sheets=True)
    paths = FilterPaths(raw, tmp_path / "f", tmp_path / "m.json", tmp_path / "none.txt")
    rows = run_filter(paths, params=params)
    index = (tmp_path / "f/review/index.html").read_text()
    kept = [r for r in rows if r.status == "kept"]
    assert len(kept) == 13 and all(r.id in index for r in kept) and ids["zero"] not in index
    assert 'src="logo/sheet-001.png"' in index and 'src="tiny%20class/sheet-000.png"' in index
    sheet = Image.open(tmp_path / "f/review/logo/sheet-000.png")
    assert sheet.size == (review.COLUMNS * review.CELL[0], review.CELL[1])
    first = (tmp_path / "f/review/logo/sheet-000.png").read_bytes()
    run_filter(paths, params=replace(params, workers=1))
    assert (tmp_path / "f/review/logo/sheet-000.png").read_bytes() == first
