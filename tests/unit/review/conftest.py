"""The review tests' project fixture (see reviewkit.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from reviewkit import Project, build_project


@pytest.fixture
def project(tmp_path: Path, stage_factory: Callable[..., Path]) -> Project:
    return build_project(tmp_path / "project", stage_factory)
