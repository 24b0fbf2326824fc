"""The review page's state: which images, in which order, and toggles/undo as reject.txt edits."""

from __future__ import annotations

import pytest
from reviewkit import Project

from ganpipe.review.state import Review, ReviewError, cap_per_class, load_items, read_suspects


def review_of(project: Project) -> Review:
    path = project.root / "data/curated/suspects.csv"
    items = load_items(project.root / "data/filtered", project.root / "data/raw", path)
    return Review(items, project.reject_list)


def test_kept_and_listed_images_with_files_most_suspicious_first(project: Project) -> None:
    bar, low = project.keys("bar"), project.keys("low")
    project.write_suspects({bar[3]: (0.9, "low"), bar[1]: (0.4, "bar"), low[0]: (0.7, "bar")})
    items = load_items(
        project.root / "data/filtered",
        project.root / "data/raw",
        project.root / "data/curated/suspects.csv",
    )
    # Ranked images first, then the rest by id; the glob-rejected image is there too.
    assert [i.key for i in items] == [bar[3], bar[1], bar[0], bar[2], low[0], low[1], low[2]]
    assert all(i.file.is_file() for i in items)
    assert [i.was_rejected for i in items] == [False] * 6 + [True]
    assert items[0].suspicion.suspect and items[0].suspicion.predicted == "low"
    assert items[0].suspicion.reason == "closer to class low"
    assert (items[0].suspicion.rank, items[0].suspicion.strength) == (1, "strong")
    assert (items[1].suspicion.rank, items[1].suspicion.strength) == (3, "weak")
    assert not items[1].suspicion.suspect
    assert items[2].suspicion is None
    assert Review(items, project.reject_list).state()["suspects_ranked"]


def test_a_header_only_table_means_no_ranking(project: Project) -> None:
    project.write_suspects({})  # what the curate stage writes with curate.enabled false
    state = review_of(project).state()
    assert not state["suspects_ranked"]
    assert [i["key"] for i in state["images"]] == project.keys("bar") + project.keys("low")


def test_a_cap_keeps_the_most_suspicious_of_each_class(project: Project) -> None:
    bar = project.keys("bar")
    project.write_suspects({bar[2]: (0.9, "low"), bar[0]: (0.3, "bar")})
    items = load_items(
        project.root / "data/filtered",
        project.root / "data/raw",
        project.root / "data/curated/suspects.csv",
    )
    shown, hidden = cap_per_class(items, 2)
    assert [i.key for i in shown] == [bar[2], bar[0], *project.keys("low")[:2]]
    assert hidden == {"bar": 2, "low": 1}
    assert cap_per_class(items, 0) == (items, {})
    state = Review(shown, project.reject_list, hidden).state()
    assert state["counts"]["bar"]["hidden"] == 2 and state["total"]["hidden"] == 3


def test_toggle_twice_and_undo_give_back_the_same_file(project: Project) -> None:
    review = review_of(project)
    before = project.reject_list.read_text()
    key = project.keys("bar")[0]
    state = review.toggle(key)
    assert [i["key"] for i in state["images"]] == [key]  # only what changed comes back
    assert state["images"][0] | {"rejected": True, "pending": True} == state["images"][0]
    assert state["total"] == {"kept": 5, "marked": 2, "pending": 1, "suspects": 0, "hidden": 0}
    assert state["counts"]["bar"]["marked"] == 1
    added = project.reject_list.read_text()
    assert added == before + project.by_key(key).id + "\n"
    review.toggle(key)
    assert project.reject_list.read_text() == before
    review.undo()  # undo the un-reject
    assert project.reject_list.read_text() == added
    review.undo()  # and the reject
    assert project.reject_list.read_text() == before
    with pytest.raises(ReviewError, match="nothing to undo"):
        review.undo()


def test_an_id_line_with_a_comment_comes_back_in_place_on_undo(project: Project) -> None:
    key = project.keys("low")[0]
    image_id = project.by_key(key).id
    text = f"# mine\n{image_id}  # thumb on the photo\nbar/zzz*\n"
    project.reject_list.write_text(text)
    review = review_of(project)
    state = review.state()
    status = next(i for i in state["images"] if i["key"] == key)
    assert status["rejected"] and status["pending"] and status["locked_by"] is None
    review.toggle(key)
    assert project.reject_list.read_text() == "# mine\nbar/zzz*\n"
    review.undo()
    assert project.reject_list.read_text() == text


def test_glob_rejections_cannot_be_clicked_away(project: Project) -> None:
    review = review_of(project)
    globbed = project.keys("low")[-1]
    status = next(i for i in review.state()["images"] if i["key"] == globbed)
    assert status["rejected"] and status["locked_by"].endswith("*") and not status["pending"]
    before = project.reject_list.read_text()
    with pytest.raises(ReviewError, match=r"rejected by the line '.*\*' .*edit that line"):
        review.toggle(globbed)
    with pytest.raises(ReviewError, match="no image 'bar/nope'"):
        review.toggle("bar/nope")
    assert project.reject_list.read_text() == before


def test_edits_made_elsewhere_count(project: Project) -> None:
    review = review_of(project)
    with project.reject_list.open("a") as f:
        f.write("bar/*\n")  # typed in an editor while the page is open
    state = review.state()
    counts = {"kept": 0, "marked": 4, "pending": 4, "suspects": 0, "hidden": 0}
    assert state["counts"]["bar"] == counts
    with pytest.raises(ReviewError, match="'bar/\\*'"):
        review.toggle(project.keys("bar")[0])


def test_suspects_table_errors_name_the_file(project: Project, tmp_path) -> None:
    assert read_suspects(tmp_path / "none.csv") == {}
    bad = tmp_path / "suspects.csv"
    bad.write_text("id,class,suspicion\nabc,bar,0.5\n")
    with pytest.raises(ValueError, match=r"suspects.csv: missing column\(s\) suspect, predicted"):
        read_suspects(bad)
    bad.write_text("id,class,suspicion,suspect,predicted_class\nabc,bar,high,true,low\n")
    with pytest.raises(ValueError, match=r"suspects\.csv, line 2: could not convert"):
        read_suspects(bad)


def test_a_table_from_before_reasons_reads_with_no_reason(tmp_path) -> None:
    old = tmp_path / "suspects.csv"
    old.write_text("id,class,suspicion,suspect,predicted_class\nabc,bar,0.9,true,low\n")
    assert read_suspects(old)[("bar", "abc")].reason == ""


def test_equal_suspicion_keeps_the_rank_order_and_old_tables_still_read(project: Project) -> None:
    """A saturated suspicion (tables from before calibration read 1.000 for the whole top) must
    not fall back to id order: the rank, the evidence's order, decides."""
    bar = project.keys("bar")
    path = project.write_suspects({bar[3]: (1.0, "low"), bar[0]: (1.0, "bar")})
    lines = path.read_text().splitlines()
    rows = [line.split(",") for line in lines[1:]]
    rows[0][6], rows[1][6] = "2", "1"  # bar[0] has more evidence than bar[3]
    path.write_text("\n".join([lines[0], *(",".join(r) for r in rows)]) + "\n")
    items = load_items(project.root / "data/filtered", project.root / "data/raw", path)
    assert [i.key for i in items[:2]] == [bar[0], bar[3]]
    assert items[0].suspicion.strength == "strong"
    old = ["id", "class", "suspicion", "suspect", "predicted_class"]  # no rank, no reason
    path.write_text(",".join(old) + f"\n{project.by_key(bar[1]).id},bar,0.6,true,bar\n")
    item = next(
        i
        for i in load_items(project.root / "data/filtered", project.root / "data/raw", path)
        if i.suspicion
    )
    assert (item.key, item.suspicion.rank, item.suspicion.strength) == (bar[1], None, "suspect")
