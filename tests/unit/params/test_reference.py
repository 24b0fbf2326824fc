"""docs/PARAMS.md is made from the fields' descriptions and stays in step with them; every field
has a description; docs/OPTIONS.md names only train keys that exist."""

import re

from paramskit import REPO

from ganpipe.params import SECTIONS, Source, TrainParams
from ganpipe.params.reference import markdown

REGENERATE = "PYTHONPATH=src python -m ganpipe.params.reference > docs/PARAMS.md"


# Fields whose lines are kept as they are until concurrent edits land (the Source block; the
# train.mode / train.preset rename): give them a description then and empty this set.
def test_params_md_is_made_from_the_code() -> None:
    committed = (REPO / "docs" / "PARAMS.md").read_text()
    assert committed == markdown(), f"docs/PARAMS.md is stale: regenerate it with `{REGENERATE}`"


def test_every_field_has_a_description() -> None:
    where = [*SECTIONS.items(), ("scrape.sources[]", Source)]
    missing = sorted(
        f"{section}.{name}"
        for section, cls in where
        for name, info in cls.__pydantic_fields__.items()
        if not info.description
    )
    assert not missing, f"fields without Field(description=...): {missing}"


def test_the_reference_lists_every_key_of_every_section() -> None:
    text = markdown()
    for name, cls in SECTIONS.items():
        assert f"\n## {name}\n" in text
        for key in cls.__pydantic_fields__:
            assert f"| `{key}` |" in text, f"{name}.{key}"


def options_keys(text: str) -> set[str]:
    """Train keys docs/OPTIONS.md names: ``key: value`` in its table's last column, and any
    ``train.key`` (not ``train/curve``, a metric)."""
    keys = set(re.findall(r"`train\.([a-z][a-z0-9_]*)\b", text))
    for line in text.splitlines():
        if line.startswith("|") and not line.startswith(("|---", "| to get")):
            last = line.rstrip().rstrip("|").rsplit("|", 1)[-1]
            keys.update(re.findall(r"`([a-z][a-z0-9_]*): [^`]+`", last))
    return keys


def test_options_md_names_only_train_keys_that_exist() -> None:
    keys = options_keys((REPO / "docs" / "OPTIONS.md").read_text())
    read = {"d_head", "labelled_fraction", "arch", "class_conditional", "max_minutes"}
    assert read <= keys  # it reads
    unknown = sorted(keys - set(TrainParams.__pydantic_fields__))
    assert not unknown, f"docs/OPTIONS.md names train keys that do not exist: {unknown}"


def test_options_keys_reads_the_last_column_and_dotted_keys() -> None:
    text = "| to get | set |\n|---|---|\n| `a: 1` in words | `b_c: 2`, `d` |\n`train.e` `train/f`\n"
    assert options_keys(text) == {"b_c", "e"}
