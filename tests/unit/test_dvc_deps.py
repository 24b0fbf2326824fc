"""dvc.yaml's deps list every ganpipe module a stage runs, so a change to one re-runs the stage.

Each stage script is imported the way DVC runs it (``python stages/<name>.py``, in a fresh
process, without running ``main``); the ganpipe modules it loaded, plus those they import later
(deferred imports, read from the source), must each be listed as a file or inside a listed
folder. A listed src path that holds none of them is stale and fails too.

One rule narrows that for params sections (RULE): ``load_all`` validates every section, so
``ganpipe.params`` loads ``src/ganpipe/params/<section>.py`` for all ten; but another section's
validation decides only *whether* a stage runs (a typo anywhere stops it), never *what* it
writes. So a section module is a dep only when the section is in the stage's ``params:`` list or
a module of the stage other than ``ganpipe.params`` imports it (``from ganpipe.params import
TrainParams`` counts: importgraph resolves the name to ``ganpipe.params.train``); what only those
left-out sections import (``params/truncation.py``) is left out with them. An edit to
``params/train.py`` then re-runs train, sample and evaluate, not scrape.
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

from ganpipe.params import SECTIONS

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


PARAMS = "ganpipe.params"
RULE = (
    "a src/ganpipe/params/<section>.py is a dep only when <section> is in the stage's params: "
    "or a module of the stage other than ganpipe.params imports it (tests/unit/test_dvc_deps.py)"
)


def read_sections(spec: dict) -> set[str]:
    """The sections a stage's ``params:`` names (``reduce.background`` -> ``reduce``)."""
    keys: list[str] = []
    for entry in spec.get("params", []):
        keys.extend([entry] if isinstance(entry, str) else [k for v in entry.values() for k in v])
    return {key.split(".")[0] for key in keys}


def script_imports(script: str) -> set[str]:
    """The ganpipe modules a stage script imports itself (``from ganpipe import stagekit``
    counts ``ganpipe.stagekit``)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse((REPO / script).read_text())):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("ganpipe"):
            names |= {node.module, *(f"{node.module}.{a.name}" for a in node.names)}
        elif isinstance(node, ast.Import):
            names |= {a.name for a in node.names if a.name.startswith("ganpipe")}
    return names


def required_modules(
    graph: dict[str, set[str]], loaded: set[str], sections: set[str], roots: set[str]
) -> set[str]:
    """What the stage runs, less the section modules that ``ganpipe.params`` loads only to
    validate sections the stage neither reads nor imports (RULE), and what only they import.

    ``roots`` are the script's own imports; ``loaded`` (what importing it loaded) adds modules
    imported some other way, except those a validation-only section may have loaded."""
    validation_only = {f"{PARAMS}.{name}" for name in SECTIONS if name not in sections}
    pruned = {
        m: targets - validation_only if m == PARAMS else targets for m, targets in graph.items()
    }
    for_validation = closure(graph, validation_only)
    seeds = roots | {m for m in loaded if m not in for_validation and not m.startswith(PARAMS)}
    return closure(pruned, seeds)


def required_files(script: str, sections: set[str]) -> set[str]:
    files = module_files()
    graph, loaded = import_graph(), loaded_modules(script)
    modules = required_modules(graph, loaded, sections, script_imports(script))
    return {files[m].relative_to(REPO).as_posix() for m in modules if has_code(files[m])}


@pytest.mark.parametrize("stage", sorted(STAGES))
def test_deps_list_every_module_the_stage_runs(stage: str) -> None:
    spec = STAGES[stage]
    script = script_of(spec["cmd"])
    deps = [next(iter(d)) if isinstance(d, dict) else d for d in spec["deps"]]
    assert script in deps, f"stage {stage}: dvc.yaml deps lack its script {script}"
    missing, stale = missing_and_stale(deps, required_files(script, read_sections(spec)))
    assert not missing, (
        f"stage {stage}: dvc.yaml deps lack {', '.join(missing)} (it imports them; {RULE})"
    )
    assert not stale, (
        f"stage {stage}: dvc.yaml deps list {', '.join(stale)}, which it never imports ({RULE})"
    )


def test_a_section_module_is_a_dep_only_when_read_or_imported() -> None:
    graph = {
        PARAMS: {f"{PARAMS}.base", f"{PARAMS}.train", f"{PARAMS}.sample", f"{PARAMS}.scrape"},
        f"{PARAMS}.base": set(),
        f"{PARAMS}.train": {f"{PARAMS}.base", "ganpipe.registries.heads"},
        "ganpipe.registries.heads": set(),  # what only a section module imports goes with it
        f"{PARAMS}.sample": {f"{PARAMS}.base", f"{PARAMS}.truncation"},
        f"{PARAMS}.truncation": set(),
        f"{PARAMS}.scrape": {f"{PARAMS}.base"},
        "ganpipe.sample": {PARAMS, f"{PARAMS}.train"},
    }
    loaded = set(graph)
    sample_roots = {PARAMS, "ganpipe.sample"}
    assert required_modules(graph, loaded, {"sample"}, sample_roots) == loaded - {
        f"{PARAMS}.scrape"
    }
    scrape_loaded = loaded - {"ganpipe.sample"}
    assert required_modules(graph, scrape_loaded, {"scrape"}, {PARAMS}) == {
        PARAMS,
        f"{PARAMS}.base",
        f"{PARAMS}.scrape",
    }
    assert read_sections({"params": ["filter", "reduce.background"]}) == {"filter", "reduce"}
    assert read_sections({"params": [{"other.yaml": ["train.lr_g"]}]}) == {"train"}


def test_missing_and_stale_name_the_file_and_the_folder() -> None:
    files = {"src/ganpipe/clean/rows.py", "src/ganpipe/params/base.py"}
    deps = ["src/ganpipe/clean", "src/ganpipe/train"]
    assert missing_and_stale(deps, files) == (["src/ganpipe/params/base.py"], ["src/ganpipe/train"])


if __name__ == "__main__":
    for name in sys.argv[1:] or sorted(STAGES):
        print(f"{name}:")
        spec = STAGES[name]
        needed = required_files(script_of(spec["cmd"]), read_sections(spec))
        print("\n".join(f"  - {f}" for f in sorted(needed)))
