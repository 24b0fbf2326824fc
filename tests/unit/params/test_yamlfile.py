"""Hostile params files are bounded: size, nesting, alias bombs."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from paramskit import REPO, SOURCE, write

from ganpipe.params import (
    ParamsError,
    load_all,
)


def alias_bomb(levels: int = 9, width: int = 9) -> str:
    """YAML of ``width ** levels`` strings in a few hundred bytes: each level an anchor that
    the next repeats ``width`` times (the issue's 9 levels of 9: 387 million values)."""
    text = "[" + ", ".join(['"lol"'] * width) + "]"
    for level in range(levels - 1):
        text = f"[&a{level} {text}" + f", *a{level}" * (width - 1) + "]"
    return text


BOMBS = {  # where the bomb sits: (params.yaml, the key its message starts with)
    "an unknown train key": (SOURCE + f"train:\n  junk: {alias_bomb()}\n", "train.junk"),
    "scrape.sources": (f"scrape:\n  sources: {alias_bomb()}\n", "scrape.sources"),
    "a source's queries": (
        f"scrape:\n  sources: [{{kind: bing, queries: {{cat: {alias_bomb()}}}}}]\n",
        "scrape.sources[0].queries.cat",
    ),
    "anchors as keys of their own": (
        SOURCE
        + "augment:\n  a0: &a0 [x, x, x, x, x, x, x, x, x]\n"
        + "".join(f"  a{k}: &a{k} [{', '.join([f'*a{k - 1}'] * 9)}]\n" for k in range(1, 9)),
        "augment.a5",  # 9**6 values: the first level over 100,000
    ),
}
# Run in a child with an address-space cap, so that a regression fails instead of eating the
# machine; it reports the seconds load_all took and its peak resident memory.
# (VmHWM, not getrusage: a child's ru_maxrss starts at its parent's, pytest's hundreds of MB)
BOMB_PROBE = """
import json, re, sys, time
from pathlib import Path
from ganpipe.params import ParamsError, load_all
start = time.monotonic()
try:
    load_all(sys.argv[1])
    message = None
except ParamsError as err:
    message = str(err)
seconds = time.monotonic() - start
peak_kb = re.search(r"VmHWM:\\s+(\\d+) kB", Path("/proc/self/status").read_text())[1]
print(json.dumps({"seconds": seconds, "peak_mb": int(peak_kb) / 1024, "message": message}))
"""


def _cap_memory() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30))


@pytest.mark.parametrize("where", BOMBS)
def test_an_alias_bomb_fails_at_once_in_one_short_line_naming_the_key(
    tmp_path: Path, where: str
) -> None:
    text, key = BOMBS[where]
    assert len(text) < 1000
    proc = subprocess.run(
        [sys.executable, "-c", BOMB_PROBE, str(write(tmp_path, text))],
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=_cap_memory,
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout)
    assert result["seconds"] < 2 and result["peak_mb"] < 200, result  # the whole process
    message = result["message"]
    assert message.startswith(key) and "more than 100,000 values once YAML aliases" in message
    assert "\n" not in message and len(message) < 200


def test_an_alias_that_holds_itself_is_named(tmp_path: Path) -> None:
    with pytest.raises(ParamsError, match=r"^train\.junk\[1\]: a YAML alias inside its own"):
        load_all(write(tmp_path, SOURCE + "train:\n  junk: &a [1, *a]\n"))


def test_nesting_is_bounded_with_the_key_named(tmp_path: Path) -> None:
    deep = "[" * 20 + "]" * 20
    with pytest.raises(ParamsError, match=r"^train\.junk(\[0\]){15}: nested more than 16 levels"):
        load_all(write(tmp_path, SOURCE + f"train:\n  junk: {deep}\n"))
    aliased = "train:\n  a: &a " + "[" * 10 + "]" * 10 + "\n  b: " + "[" * 8 + "*a" + "]" * 8
    with pytest.raises(ParamsError, match=r"^train\.b(\[0\])+: nested more than 16 levels"):
        load_all(write(tmp_path, SOURCE + aliased + "\n"))
    with pytest.raises(ParamsError, match=r"params\.yaml: nested too deep for YAML to read$"):
        load_all(write(tmp_path, SOURCE + "train:\n  junk: " + "[" * 5000 + "]" * 5000 + "\n"))


def test_the_file_size_is_bounded(tmp_path: Path) -> None:
    path = write(tmp_path, SOURCE + "# padding\n" * 30_000)
    with pytest.raises(ParamsError, match=r"params\.yaml: larger than 256 kB; a params file has"):
        load_all(path)


def test_shared_anchors_of_a_real_size_still_load(tmp_path: Path) -> None:
    text = "scrape:\n  sources: [&s {kind: folder, root: x}, *s]\n  classes: &c [a, b]\n"
    assert load_all(write(tmp_path, text))["scrape"].classes == ["a", "b"]
