"""Model files that are not what ganpipe wrote: one UserError line naming the file, what it
holds and what was expected, for generators and the classifier alike; a pickle never runs."""

from __future__ import annotations

import io
import os
import pickle
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import torch

from ganpipe.cli import main
from ganpipe.errors import UserError
from ganpipe.metrics.classifier import DomainClassifier, load_classifier, save_classifier
from ganpipe.models import Generator
from ganpipe.params import TrainParams
from ganpipe.sample import load_generator
from ganpipe.train.checkpoint import load_for_resume
from ganpipe.train.snapshot import export_generator

REPO = Path(__file__).resolve().parents[2]
CLASSES = [str(k) for k in range(10)]


class RunsCode:
    """A pickle that would create ``marker`` when loaded without weights_only."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple:
        return (os.system, (f"touch {self.marker}",))


@pytest.fixture()
def generator(tmp_path: Path) -> Path:
    p = TrainParams(g_channels=16, z_dim=8)
    meta = {"params": p.__dict__, "classes": CLASSES, "size": 28, "channels": 1}
    path = tmp_path / "generator.pt"
    export_generator(Generator(p, 28, 1, 10), {**meta, "conditional": True}, path)
    return path


@pytest.fixture()
def classifier(tmp_path: Path) -> Path:
    path = tmp_path / "classifier.pt"
    save_classifier(DomainClassifier(1, 10, 28), CLASSES, path, {})
    return path


def rewritten(path: Path, change: Callable[[dict], None]) -> Path:
    """A copy of a good file with one thing changed in its dict."""
    state = torch.load(path, weights_only=True)
    state["state_dict"] = dict(state["state_dict"])
    change(state)
    out = path.with_name("bad-" + path.name)
    torch.save(state, out)
    return out


def raw(path: Path, data: bytes) -> Path:
    out = path.with_name("bad-" + path.name)
    out.write_bytes(data)
    return out


def truncated(path: Path) -> Path:
    return raw(path, path.read_bytes()[: path.stat().st_size // 2])


def random_bytes(path: Path) -> Path:
    return raw(path, bytes(range(256)) * 8)


def empty(path: Path) -> Path:
    return raw(path, b"")


def pickled_code(path: Path) -> Path:
    """torch.save's own format, with an object inside that would run a command."""
    buffer = io.BytesIO()
    torch.save({"state_dict": RunsCode(path.parent / "ran")}, buffer)
    return raw(path, buffer.getvalue())


def plain_pickle(path: Path) -> Path:
    return raw(path, pickle.dumps(RunsCode(path.parent / "ran")))


def a_list(path: Path) -> Path:
    out = path.with_name("bad-" + path.name)
    torch.save([1, 2], out)
    return out


def embed_of_26(path: Path) -> Path:
    return rewritten(path, lambda s: s["state_dict"].update({"embed.weight": torch.zeros(26, 8)}))


def head_of_26(path: Path) -> Path:
    return rewritten(path, lambda s: s["state_dict"].update({"head.weight": torch.zeros(26, 128)}))


def no_classes(path: Path) -> Path:
    return rewritten(path, lambda s: s.pop("classes"))


def huge_side(path: Path) -> Path:
    return rewritten(path, lambda s: s.update(size=2**30))


def weight_missing(path: Path) -> Path:
    return rewritten(path, lambda s: s["state_dict"].pop(next(iter(s["state_dict"]))))


COMMON = [
    (truncated, r"truncated or damaged \(a zip archive, but not a whole one from torch\.save\)"),
    (random_bytes, r"not a file torch\.save wrote \(weights-only loading refused its pickle\)"),
    (empty, r"an empty file, not a"),
    (pickled_code, r"holds a pickled posix\.system, refused unrun"),
    (plain_pickle, r"not a file torch\.save wrote"),
    (a_list, r"holds a list, not a"),
    (no_classes, r"it has no 'classes' \(its keys: \["),
    (huge_side, r"its header says 1073741824×1073741824×1 images; ganpipe makes 1 or 3"),
    (weight_missing, r"images with 10 classes; this file has no [\w.]+weight \(1 in all\)"),
]
GENERATOR_CASES = [
    *COMMON,
    (
        embed_of_26,
        r"expected a generator for 28×28×1 images with 10 classes; this file's "
        r"embed\.weight is 26×8, not 10×8",
    ),
]
CLASSIFIER_CASES = [
    *COMMON,
    (
        head_of_26,
        r"expected a domain classifier for 28×28×1 images with 10 classes; this "
        r"file's head\.weight is 26×128, not 10×128",
    ),
]
LOADERS = {"generator": load_generator, "classifier": load_classifier}
CASES = [("generator", *case) for case in GENERATOR_CASES] + [
    ("classifier", *case) for case in CLASSIFIER_CASES
]


@pytest.mark.parametrize(
    ("kind", "make", "message"), CASES, ids=[f"{k}-{make.__name__}" for k, make, _ in CASES]
)
def test_bad_model_files_are_one_line_user_errors(
    request: pytest.FixtureRequest, kind: str, make: Callable[[Path], Path], message: str
) -> None:
    bad = make(request.getfixturevalue(kind))  # a real file, written as the stage writes it
    with pytest.raises(UserError, match=rf"^{re.escape(str(bad))}: .*{message}") as caught:
        LOADERS[kind](bad)
    assert "\n" not in str(caught.value) and len(str(caught.value)) < 300
    assert not (bad.parent / "ran").exists()  # the pickled command never ran


def test_good_files_still_load(generator: Path, classifier: Path) -> None:
    assert load_generator(generator).classes == CLASSES
    model, classes, sha = load_classifier(classifier)
    assert classes == CLASSES and len(sha) == 64 and isinstance(model, DomainClassifier)


def test_header_params_that_do_not_validate_name_the_file_and_key(generator: Path) -> None:
    bad = rewritten(generator, lambda s: s["params"].update(lr_g=-1))
    with pytest.raises(UserError, match=r"not a generator ganpipe can build: train\.lr_g: got -1"):
        load_generator(bad)


def test_an_unreadable_checkpoint_is_ignored_in_one_line(generator: Path, capsys) -> None:
    assert load_for_resume(truncated(generator), "hash", TrainParams(), ()) is None
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "truncated or damaged" in out and "starting fresh" in out


@pytest.mark.parametrize(
    ("command", "make"),
    [("sample", embed_of_26), ("grid", pickled_code), ("info", no_classes), ("info", empty)],
)
def test_the_cli_prints_one_line(
    generator: Path, tmp_path: Path, command: str, make: Callable[[Path], Path], capsys
) -> None:
    bad = make(generator)
    out = ["-o", str(tmp_path / "out.png")] if command != "info" else []
    with pytest.raises(SystemExit, match="1"):
        main([command, "--checkpoint", str(bad), *out])
    err = capsys.readouterr().err
    assert err.startswith(f"ganpipe {command}: error: {bad}: ") and err.count("\n") == 1
    assert not (tmp_path / "ran").exists() and not (tmp_path / "out.png").exists()


def test_the_cli_process_shows_no_traceback(generator: Path, tmp_path: Path) -> None:
    """As a user runs it: a truncated file, one line on stderr, exit status 1."""
    bad = truncated(generator)
    result = subprocess.run(
        [sys.executable, "-m", "ganpipe.cli", "sample", "--checkpoint", str(bad)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
        timeout=120,
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr == (
        f"ganpipe sample: error: {bad}: truncated or damaged (a zip archive, but not a whole one "
        "from torch.save); expected a generator exported by ganpipe's train stage "
        "(models/generator.pt)\n"
    )
