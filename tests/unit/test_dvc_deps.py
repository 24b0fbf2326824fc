"""dvc.yaml's deps list every ganpipe module a stage runs, so a change to one re-runs the stage.

Each stage script is imported the way DVC runs it (``python stages/<name>.py``, in a fresh
process, without running ``main``); the ganpipe modules it loaded, plus those they import later
(deferred imports, read from the source), must each be listed as a file or inside a listed
folder. A listed src path that holds none of them is stale and fails too.
``python tests/unit/test_dvc_deps.py [STAGE ...]`` prints the files each stage needs.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from importgraph import REPO, closure, import_graph, module_files

STAGES = yaml.safe_load((REPO / "dvc.yaml").read_text())["stages"]

# Import the script as DVC would run it (its folder first on sys.path), but not as __main__.
LOADED = """
import json, runpy, sys
script = sys.argv[1]
sys.path[0] = str(__import__("pathlib").Path(script).parent)
runpy.run_path(script, run_name="dvc_deps_probe")
print(json.dumps(sorted(m for m in sys.modules if m == "ganpipe" or m.startswith("ganpipe."))))
"""


def script_of(cmd: str) -> str:
    """The ``stages/*.py`` a stage's cmd runs (after python, torchrun and their options)."""
    return next(word for word in cmd.split() if word.startswith("stages/") and word.endswith(".py"))


def loaded_modules(script: str) -> set[str]:
    proc = subprocess.run(
        [sys.executable, "-c", LOADED, str(REPO / script)],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    assert proc.returncode == 0, f"importing {script} failed:\n{proc.stderr}"
    return set(json.loads(proc.stdout.splitlines()[-1]))


def has_code(path: Path) -> bool:
    """False for a module that is only a docstring (a package's ``__init__``): it runs nothing."""
    body = ast.parse(path.read_text()).body
    return not all(isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant) for n in body)


def missing_and_stale(deps: list[str], files: set[str]) -> tuple[list[str], list[str]]:
    """Files no dep covers, and src deps that cover none of the files."""

    def covers(dep: str, file: str) -> bool:
        return file == dep or file.startswith(dep.rstrip("/") + "/")

    missing = sorted(f for f in files if not any(covers(d, f) for d in deps))
    stale = sorted(d for d in deps if d.startswith("src/") and not any(covers(d, f) for f in files))
    return missing, stale


def required_files(script: str) -> set[str]:
    files = module_files()
    graph = import_graph()
    modules = closure(graph, loaded_modules(script))
    return {files[m].relative_to(REPO).as_posix() for m in modules if has_code(files[m])}


@pytest.mark.parametrize("stage", sorted(STAGES))
def test_deps_list_every_module_the_stage_runs(stage: str) -> None:
    spec = STAGES[stage]
    script = script_of(spec["cmd"])
    deps = [next(iter(d)) if isinstance(d, dict) else d for d in spec["deps"]]
    assert script in deps, f"stage {stage}: dvc.yaml deps lack its script {script}"
    missing, stale = missing_and_stale(deps, required_files(script))
    assert not missing, f"stage {stage}: dvc.yaml deps lack {', '.join(missing)} (it imports them)"
    assert not stale, (
        f"stage {stage}: dvc.yaml deps list {', '.join(stale)}, which it never imports"
    )


def test_missing_and_stale_name_the_file_and_the_folder() -> None:
    files = {"src/ganpipe/clean/rows.py", "src/ganpipe/params.py"}
    deps = ["src/ganpipe/clean", "src/ganpipe/train"]
    assert missing_and_stale(deps, files) == (["src/ganpipe/params.py"], ["src/ganpipe/train"])


if __name__ == "__main__":
    for name in sys.argv[1:] or sorted(STAGES):
        print(f"{name}:")
        print("\n".join(f"  - {f}" for f in sorted(required_files(script_of(STAGES[name]["cmd"])))))
