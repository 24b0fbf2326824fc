"""The ganpipe console script on a tiny generator exported the way the train stage does."""

import re
from pathlib import Path

import pytest
import yaml
from PIL import Image

from ganpipe.cli import build_parser, main
from ganpipe.models import Generator
from ganpipe.params import SECTIONS, EvaluateParams, TrainParams, load_all
from ganpipe.train.snapshot import export_generator

CLASSES = ["Bag", "Sneaker", "Trouser"]
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture()
def checkpoint(tmp_path: Path) -> Path:
    p = TrainParams(g_channels=16, z_dim=8)
    path = tmp_path / "generator.pt"
    meta = {
        "params": p.__dict__,
        "classes": CLASSES,
        "size": 28,
        "channels": 1,
        "conditional": True,
    }
    export_generator(Generator(p, 28, 1, len(CLASSES)), meta, path)
    return path


def test_sample_by_class_name_writes_grid(checkpoint: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.png"
    main(
        [
            "sample",
            "--checkpoint",
            str(checkpoint),
            "--class",
            "Sneaker",
            "-n",
            "6",
            "--columns",
            "3",
            "-o",
            str(out),
        ]
    )
    assert Image.open(out).size == (3 * 30 + 2, 2 * 30 + 2)


def test_same_seed_same_images(checkpoint: Path, tmp_path: Path) -> None:
    a, b = tmp_path / "a.png", tmp_path / "b.png"
    for out in (a, b):
        main(["sample", "--checkpoint", str(checkpoint), "--class", "1", "-n", "4", "-o", str(out)])
    assert a.read_bytes() == b.read_bytes()


def test_truncation_flag_off_is_the_default_grid(checkpoint: Path, tmp_path: Path) -> None:
    out = {name: tmp_path / f"{name}.png" for name in ("default", "off", "on", "sample")}
    main(["grid", "--checkpoint", str(checkpoint), "-o", str(out["default"])])
    for name, value in (("off", "0"), ("on", "0.5")):
        main(["grid", "--checkpoint", str(checkpoint), "--truncation", value, "-o", str(out[name])])
    assert out["default"].read_bytes() == out["off"].read_bytes() != out["on"].read_bytes()
    main(["sample", "--checkpoint", str(checkpoint), "--truncation", "1", "-o", str(out["sample"])])
    assert Image.open(out["sample"]).size == (8 * 30 + 2, 2 * 30 + 2)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0.01", r"argument --truncation: got 0\.01; allowed: 0 \(off\) or 0\.1 to 10\.0"),
        ("big", r"argument --truncation: expected a number, got 'big'"),
    ],
)
def test_bad_truncation_flag_names_it(
    checkpoint: Path, capsys: pytest.CaptureFixture[str], value: str, message: str
) -> None:
    with pytest.raises(SystemExit):
        main(["grid", "--checkpoint", str(checkpoint), "--truncation", value])
    assert re.search(message, capsys.readouterr().err)


def test_grid_has_one_row_per_class(checkpoint: Path, tmp_path: Path) -> None:
    out = tmp_path / "grid.png"
    main(["grid", "--checkpoint", str(checkpoint), "-o", str(out)])
    assert Image.open(out).size == (10 * 30 + 2, 3 * 30 + 2)


def test_info_prints_summary(checkpoint: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["info", "--checkpoint", str(checkpoint)])
    out = capsys.readouterr().out
    assert "AC-GAN, 3 classes; 28x28x1; z_dim 8" in out
    assert "classes: Bag, Sneaker, Trouser" in out


def test_unknown_class_is_a_clear_error(
    checkpoint: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["sample", "--checkpoint", str(checkpoint), "--class", "Hat"])
    assert exit_info.value.code == 1
    assert "unknown class 'Hat'; classes: Bag, Sneaker, Trouser" in capsys.readouterr().err


def test_every_preset_is_valid_and_chains_parse() -> None:
    from ganpipe.chains import parse_chain
    from ganpipe.cli import PRESETS_DIR
    from ganpipe.params import load_all

    names = sorted(p.stem for p in PRESETS_DIR.glob("*.yaml"))
    assert names == [
        "asl-alphabet",
        "car-logos",
        "cat-faces",
        "emnist-byclass",
        "emnist-letters",
        "fashion-mnist",
        "isic",
        "mnist",
    ]
    for name in names:
        params = load_all(PRESETS_DIR / f"{name}.yaml")
        for chain in params["augment"].chains:
            parse_chain(chain)


def _dvc_tracked_params() -> set[str]:
    """Every params entry dvc.yaml's stages list: a section or a dotted key."""
    stages = yaml.safe_load((REPO / "dvc.yaml").read_text())["stages"]
    return {name for stage in stages.values() for name in stage.get("params", [])}


@pytest.mark.parametrize("preset", sorted(p.stem for p in (REPO / "presets").glob("*.yaml")))
def test_every_preset_holds_every_section_dvc_tracks(preset: str) -> None:
    """A preset as a user gets it runs `dvc repro` to the end: no section or tracked key missing
    (DVC: "Parameters 'evaluate' are missing from 'params.yaml'")."""
    raw = yaml.safe_load((REPO / "presets" / f"{preset}.yaml").read_text())
    assert set(raw) == set(SECTIONS)
    for tracked in _dvc_tracked_params():
        section, _, key = tracked.partition(".")
        assert section in raw and (not key or key in raw[section]), f"{preset}: {tracked}"


def test_preset_fills_the_sections_it_lacks_with_defaults(tmp_path: Path) -> None:
    folder, target = tmp_path / "presets", tmp_path / "params.yaml"
    folder.mkdir()
    partial = "# my data\nscrape:\n  sources: [{kind: dataset, name: mnist}]\ntrain: {z_dim: 8}\n"
    (folder / "partial.yaml").write_text(partial)
    main(["preset", "partial", "--presets", str(folder), "--params", str(target)])
    written = target.read_text()
    assert written.startswith(partial.rstrip("\n"))  # comments and the user's layout kept
    assert set(yaml.safe_load(written)) == set(SECTIONS)
    params = load_all(target)
    assert params["train"].z_dim == 8 and params["evaluate"] == EvaluateParams()
    assert "inception: 'off'" not in written and "inception: auto" in written
    main(["preset", "mnist", "--params", str(target)])  # complete presets: copied byte for byte
    assert target.read_text() == (REPO / "presets" / "mnist.yaml").read_text()


def test_default_params_are_the_fashion_mnist_preset() -> None:
    from ganpipe.cli import PRESETS_DIR

    assert (PRESETS_DIR / "fashion-mnist.yaml").read_text() == (
        PRESETS_DIR.parent / "params.yaml"
    ).read_text()


def test_preset_switch_writes_params(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "params.yaml"
    main(["preset", "mnist", "--params", str(target)])
    assert "name: mnist" in target.read_text()
    with pytest.raises(SystemExit):
        main(["preset", "nope", "--params", str(target)])
    assert "unknown preset 'nope'; presets: asl-alphabet" in capsys.readouterr().err


def test_review_marks_the_reject_list_filter_reads() -> None:
    """One setting for reject.txt: dvc.yaml's filter cmd (where it is also a dep)."""
    filter_stage = yaml.safe_load((REPO / "dvc.yaml").read_text())["stages"]["filter"]
    cmd = filter_stage["cmd"].split()
    filter_reads = cmd[cmd.index("--reject-list") + 1]
    assert filter_reads in filter_stage["deps"]
    assert build_parser().parse_args(["review"]).reject_list == filter_reads
