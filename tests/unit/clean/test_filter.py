"""filter: each odd case gets the right outcome and recorded reason; counts add up."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import dupecases
import imagecases as cases
import pytest

from ganpipe.manifest import KEPT, REJECTED, read_manifest
from ganpipe.params import FilterParams
from ganpipe.stages.filter import FilterPaths, run_filter

PARAMS = FilterParams(workers=1, contact_sheets=False)


def filter_files(
    write_stage,
    tmp_path: Path,
    files: dict[str, bytes],
    reject: str = "",
    params: FilterParams = PARAMS,
    background: str = "#ffffff",
    one_class_each: bool = False,
):
    """Filter ``files`` (one class "logo", or a class per file so none are near-duplicates)."""
    layout = (
        {name: {name: data} for name, data in files.items()} if one_class_each else {"logo": files}
    )
    raw, ids = write_stage(layout)
    (tmp_path / "reject.txt").write_text(reject)
    paths = FilterPaths(
        inp=raw,
        out=tmp_path / "filtered",
        metrics=tmp_path / "metrics" / "filter.json",
        reject_list=tmp_path / "reject.txt",
    )
    rows = run_filter(paths, params=params, background=background)
    by_name = {name: next(r for r in rows if r.id == i) for name, i in ids.items()}
    return by_name, rows


BROKEN = {
    "truncated": (cases.truncated_jpeg, "truncated:"),
    "zero": (lambda: b"", "empty:"),
    "html": (cases.html_page, "not-an-image:html page"),
    "corrupt": (cases.corrupt_png, "corrupt:"),
    "bomb_over_cap": (lambda: cases.png_bomb(8000), "bomb:8000x8000 pixels over the cap"),
    "bomb_over_pil": (lambda: cases.png_bomb(20000), "bomb:"),
    "blank": (cases.blank, "blank:"),
    "transparent": (cases.transparent_png, "blank:"),
    "tiny": (lambda: cases.jpeg(6, 6), "too-small:6x6"),
    "strip": (lambda: cases.jpeg(400, 40), "aspect:10"),
}


def test_broken_and_unusable_files_are_rejected_with_reasons(write_stage, tmp_path):
    params = replace(PARAMS, max_pixels=50_000_000)
    files = {name: make() for name, (make, _) in BROKEN.items()} | {"good": cases.jpeg()}
    rows, _ = filter_files(write_stage, tmp_path, files, params=params)
    for name, (_, reason) in BROKEN.items():
        assert rows[name].status == REJECTED, name
        assert rows[name].reason.startswith(reason), (name, rows[name].reason)
    assert rows["good"].status == KEPT
    assert not (tmp_path / "filtered/images/logo" / f"{rows['truncated'].id}.jpg").exists()


def test_odd_but_valid_images_are_kept_byte_for_byte_under_their_real_extension(
    write_stage, tmp_path
):
    files = {
        "cmyk_adobe": cases.cmyk_adobe_red(),
        "cmyk_plain": cases.cmyk_plain_red(),
        "png16": cases.png16_gray(),
        "palette": cases.palette_trns(),
        "la": cases.gray_alpha(),
        "webp": cases.webp(),
        "gif": cases.animated_gif(),
        "icc": cases.icc_red_means_green(),
        "rotated": cases.exif_rotated(),
    }
    rows, _ = filter_files(write_stage, tmp_path, files, one_class_each=True)
    for name, data in files.items():
        assert rows[name].status == KEPT, (name, rows[name].reason)
        assert (tmp_path / "filtered" / rows[name].path).read_bytes() == data
    assert rows["webp"].path.endswith(".webp") and rows["png16"].path.endswith(".png")
    assert rows["cmyk_adobe"].mode == "CMYK" and rows["png16"].mode.startswith("I;16")
    assert (rows["rotated"].width, rows["rotated"].height) == (40, 80)  # as displayed


def test_animated_policy(write_stage, tmp_path):
    files = {"gif": cases.animated_gif(), "mpo": cases.mpo()}
    rows, _ = filter_files(
        write_stage, tmp_path, files, one_class_each=True, params=replace(PARAMS, animated="reject")
    )
    assert rows["gif"].reason == "animated:2 frames"
    assert rows["mpo"].status == KEPT and rows["mpo"].path.endswith(".jpg")


def test_exact_and_near_duplicates_keep_the_largest(write_stage, tmp_path):
    big, small = cases.near_duplicates()
    same = cases.jpeg(seed=9)
    files = {
        "big": big,
        "small": small,
        "copy_a": same,
        "copy_b": same,
        "other": cases.jpeg(240, 180, seed=7),
    }
    rows, _ = filter_files(write_stage, tmp_path, files)
    assert rows["big"].status == KEPT and rows["other"].status == KEPT
    assert rows["small"].reason.startswith(f"near-duplicate:of {rows['big'].id} (distance")
    dropped = [rows[n] for n in ("copy_a", "copy_b") if rows[n].status == REJECTED]
    assert len(dropped) == 1 and dropped[0].reason.startswith("duplicate:same bytes as")
    copies = sorted(p.name for p in (tmp_path / "filtered/images/logo").iterdir())
    assert copies == sorted(
        Path(r.path).name
        for r in rows.values()
        if r.status == KEPT and not r.path.startswith("../")
    )
    assert rows["other"].path.startswith("../raw/images/")  # a JPEG named .jpg: no copy


def test_near_duplicates_only_within_a_class_and_can_be_turned_off(write_stage, tmp_path):
    big, small = cases.near_duplicates()
    raw, _ = write_stage({"a": {"big": big}, "b": {"small": small}})
    (tmp_path / "reject.txt").write_text("")
    rows = run_filter(
        FilterPaths(raw, tmp_path / "f", tmp_path / "m.json", tmp_path / "reject.txt"),
        params=PARAMS,
    )
    assert all(r.status == KEPT for r in rows)
    off = replace(PARAMS, near_duplicate_distance=-1)
    rows, _ = filter_files(write_stage, tmp_path, {"big": big, "small": small}, params=off)
    assert rows["small"].status == KEPT


def test_distinct_flat_images_stay_and_an_edited_copy_goes(write_stage, tmp_path):
    """The issue's pair (black-top/white-bottom vs a grey gradient) and flat logos all stay."""
    images = dupecases.distinct()
    names = ["black-top", "gradient-left-right", "gradient-top-bottom", "circle-red", "roundel"]
    files = {name: cases.encode(images[name], "PNG") for name in names}
    files["roundel-crop"] = cases.encode(dupecases.crop(images["roundel"]), "JPEG", quality=80)
    rows, _ = filter_files(write_stage, tmp_path, files)
    assert all(rows[name].status == KEPT for name in names)
    assert rows["roundel-crop"].reason.startswith(f"near-duplicate:of {rows['roundel'].id}")


def test_checks_see_alpha_composited_pixels(write_stage, tmp_path):
    """A transparent PNG over white is blank; over black its (black) logo is not."""
    rows, _ = filter_files(write_stage, tmp_path, {"la": cases.gray_alpha()})
    assert rows["la"].status == KEPT
    rows, _ = filter_files(write_stage, tmp_path, {"la": cases.gray_alpha()}, background="#000000")
    assert rows["la"].reason.startswith("blank:")


def test_user_reject_list_takes_ids_and_globs(write_stage, tmp_path):
    files = {f"img{k}": cases.jpeg(seed=20 + k) for k in range(3)}
    _, ids = write_stage({"logo": files}, name="probe")
    reject = f"# hand review\n{ids['img0']}  # blurry\n\nlogo/{ids['img1'][:4]}*\n"
    rows, _ = filter_files(write_stage, tmp_path, files, reject=reject)
    assert rows["img0"].reason == f"listed:{ids['img0']}"
    assert rows["img1"].reason == f"listed:logo/{ids['img1'][:4]}*"
    assert rows["img2"].status == KEPT


def test_metrics_count_every_row_per_class_and_reason(write_stage, tmp_path):
    big, small = cases.near_duplicates()
    files = {"ok": big, "dup": small, "html": cases.html_page(), "zero": b""}
    _, rows = filter_files(write_stage, tmp_path, files)
    metrics = json.loads((tmp_path / "metrics/filter.json").read_text())
    assert metrics["classes"]["logo"] == {
        "in": 4,
        "kept": 1,
        "rejected": 3,
        "rejected_empty": 1,
        "rejected_near-duplicate": 1,
        "rejected_not-an-image": 1,
    }
    assert metrics["total"]["in"] == len(rows) == len(read_manifest(tmp_path / "filtered"))


@pytest.mark.parametrize("workers", [1, 2])
def test_rerun_is_byte_identical_whatever_the_worker_count(write_stage, tmp_path, workers):
    big, small = cases.near_duplicates()
    files = {"a": big, "b": small, "c": cases.webp(), "d": cases.palette_trns(), "e": b""}
    filter_files(write_stage, tmp_path, files)
    first = _snapshot(tmp_path)
    filter_files(write_stage, tmp_path, files, params=replace(PARAMS, workers=workers))
    assert _snapshot(tmp_path) == first


def _snapshot(root: Path) -> dict[str, bytes]:
    out = root / "filtered"
    files = {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    return files | {"metrics": (root / "metrics/filter.json").read_bytes()}
