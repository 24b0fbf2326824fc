"""Stage scripts: paths only from the command line, one line for a user error, else a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from ganpipe import stagekit
from ganpipe.errors import UserError
from ganpipe.params import ParamsError


def test_parse_requires_every_path(capsys: pytest.CaptureFixture[str]) -> None:
    args = stagekit.parse(None, "inp", "reject_list", argv=["--inp", "a", "--reject-list", "r"])
    assert (args.inp, args.reject_list, args.params) == (Path("a"), Path("r"), "params.yaml")
    with pytest.raises(SystemExit):
        stagekit.parse(None, "inp", "out", argv=["--inp", "a"])
    assert "the following arguments are required: --out" in capsys.readouterr().err


@pytest.mark.parametrize(
    "error", [UserError("no kept images"), ParamsError("x.y: bad"), FileNotFoundError("gone")]
)
def test_user_errors_exit_1_with_one_line(
    error: Exception, capsys: pytest.CaptureFixture[str]
) -> None:
    def main() -> None:
        raise error

    with pytest.raises(SystemExit) as exit_info:
        stagekit.run(main, "demo")
    assert exit_info.value.code == 1
    assert capsys.readouterr().err == f"demo: error: {error}\n"


def test_a_bug_keeps_its_traceback() -> None:
    def main() -> None:
        raise ValueError("a bug, not a user error")

    with pytest.raises(ValueError, match="a bug"):
        stagekit.run(main, "demo")


def test_parse_paths_builds_the_stage_paths_from_their_fields(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["--inp", "a", "--out", "b", "--metrics", "m.json", "--params", "p.yaml"]
    paths, params = stagekit.parse_paths(None, stagekit.InOutMetrics, argv)
    assert paths == stagekit.InOutMetrics(Path("a"), Path("b"), Path("m.json"))
    assert params == "p.yaml"
    with pytest.raises(SystemExit):
        stagekit.parse_paths(None, stagekit.InOut, ["--inp", "a"])
    assert "the following arguments are required: --out" in capsys.readouterr().err
