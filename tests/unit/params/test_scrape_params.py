"""The scrape section: a source needs the key its kind reads."""

import pytest

from ganpipe.params import (
    ParamsError,
    Source,
    build,
)


def test_source_requires_its_key() -> None:
    with pytest.raises(
        ParamsError,
        match=r"scrape\.sources\[0\]\.root: required when kind is "
        r"'folder'",
    ):
        build(Source, {"kind": "folder"}, "scrape.sources[0]")
