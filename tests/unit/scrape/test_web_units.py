"""Content sniffing and the provenance log's resume rules."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FORMATS, make_image

from ganpipe.scrape.provenance import PROVENANCE, ProvenanceLog, Record
from ganpipe.scrape.sniff import NotAnImage, sniff


@pytest.mark.parametrize("fmt", FORMATS)
def test_sniff_names_the_format_from_the_bytes(fmt: str) -> None:
    found = sniff(make_image(3, fmt))
    assert found.ext == {"JPEG": "jpg", "TIFF": "tiff"}.get(fmt, fmt.lower())
    assert (found.width, found.height) == (16, 16)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"<!doctype html><html>404</html>", "not_an_image"),
        (b"", "not_an_image"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"/>', "not_an_image"),
        (make_image(4, "PNG", 64)[:80], "corrupt_image"),
    ],
)
def test_sniff_rejects_what_is_not_a_whole_image(data: bytes, reason: str) -> None:
    with pytest.raises(NotAnImage, match=f"^{reason}: ") as caught:
        sniff(data)
    assert caught.value.reason == reason


def _record(url: str, **values: object) -> Record:
    base = Record(
        label="a", source="urls", query="a.txt", engine="urls", page_url="", image_url=url
    )
    return Record(**{**base.__dict__, **values})


def test_log_survives_a_torn_last_line_and_later_lines_win(tmp_path: Path) -> None:
    log = ProvenanceLog(tmp_path)
    log.add(_record("http://x/1", reason="timeout"))
    log.add(_record("http://x/2", reason="http_404"))
    log.close()
    with (tmp_path / PROVENANCE).open("a") as f:
        f.write(_record("http://x/1", status="kept", id="1").to_json() + "\n")
        f.write('{"class": "a", "sour')  # killed mid-write
    log = ProvenanceLog(tmp_path)
    assert log.records[("a", "urls", "a.txt", "http://x/1", False)].status == "kept"
    log.add(_record("http://x/3", reason="not_an_image"))
    log.close()
    lines = (tmp_path / PROVENANCE).read_text().splitlines()
    assert [Record.from_json(line).image_url for line in lines] == [
        "http://x/1",
        "http://x/2",
        "http://x/3",
    ]
