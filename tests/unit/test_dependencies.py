"""pyproject's dependencies are exactly the third-party packages src/ imports (plus the dvc tool).

A package declared but never imported is a needless install; one imported but not declared works
only while something else happens to pull it in.
"""

from __future__ import annotations

import ast
import re
import sys

import pytest
from importgraph import REPO, SRC

tomllib = pytest.importorskip("tomllib")  # Python 3.11+; pyproject is read only here

# Distributions whose import name differs from the distribution name (PEP 503-normalised).
IMPORT_NAMES = {
    "opencv-python-headless": "cv2",
    "pillow": "PIL",
    "beautifulsoup4": "bs4",
    "pyyaml": "yaml",
    "torch-fidelity": "torch_fidelity",
    "scikit-learn": "sklearn",
    "open-clip-torch": "open_clip",
}
# Declared for the command line, not imported: `dvc repro` runs the pipeline.
TOOLS = {"dvc"}


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared() -> set[str]:
    """Normalised distribution names of ``[project] dependencies``."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    return {normalise(re.match(r"[A-Za-z0-9_.\-]+", d)[0]) for d in project["dependencies"]}


def imported_top_level(src=SRC) -> set[str]:
    """Top-level names of every absolute import in src/, deferred ones included."""
    names = set()
    for path in src.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n != "ganpipe"}


def import_name(distribution: str) -> str:
    return IMPORT_NAMES.get(distribution, distribution.replace("-", "_"))


def test_declared_dependencies_are_exactly_the_imported_ones() -> None:
    distributions = declared() - TOOLS
    imported = imported_top_level()
    unused = sorted(d for d in distributions if import_name(d) not in imported)
    undeclared = sorted(imported - {import_name(d) for d in distributions})
    assert not unused, f"pyproject.toml declares {unused}, which src/ never imports"
    assert not undeclared, f"src/ imports {undeclared}, which pyproject.toml does not declare"


def test_names_are_normalised_and_mapped() -> None:
    assert normalise("open_clip_torch") == "open-clip-torch"
    assert import_name(normalise("open_clip_torch")) == "open_clip"
    assert import_name("torch-fidelity") == "torch_fidelity"
    assert import_name("scipy") == "scipy"
