"""The README, walked: its fenced blocks marked ``<!-- e2e: NAME -->`` run as written, in order
of a newcomer's path, in one temporary git + DVC copy of the project.

Shell blocks run line by line (``a && b`` part by part, ``cd`` followed); params blocks (YAML)
are merged into ``params.yaml`` section by section, as a reader pasting them would. The only
substitutions, all for speed or for lack of a network:

- whenever a command or a pasted block changes the sources (``ganpipe preset``, a YAML block),
  ``params.yaml`` is shrunk to toy sizes and its sources point at local stand-ins: tiny IDX
  files, generated class folders, a local Bing look-alike (conftest.tiny, conftest.localize);
- the preset block runs twice, as written (mnist) and with ``mnist`` replaced by
  ``asl-alphabet``;
- ``/path/to/my_images`` is a generated folder of class folders, and ``dvc repro`` after the
  own-images edits stops after ``augment`` (the GAN stages are the ones the presets ran);
- the remote's URL is a local folder, ``git push`` is skipped, and ``git clone`` clones the
  temporary repo;
- ``dvc queue start`` gets ``-j 2`` (the two queued runs side by side) and is followed by
  waiting until the queue is empty;
- ``ganpipe review`` gets ``--port 0``, and headless Chromium (Selenium) is the user: it clicks
  the most suspicious image and closes the page. For the review walk-through, ``/path/to/my_images``
  is a slice of Sign Language Digits (``data/sign-digits``, 3 classes x 12 photos) with one photo
  of a 2 filed under 0 (at toy sizes the ranking is noise: the walk-through tests the path, and
  ``docs/review_screenshot.py`` shows the ranking on real sizes).
"""

from __future__ import annotations

import csv
import io
import json
import re
import shlex
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from browserkit import chromium, needs_chromium, open_page, review_server, wait_rejected
from e2ekit import (
    ALL_STAGES,
    REPO,
    SearchSite,
    assert_scored,
    command_env,
    evaluate_metrics,
    localize,
    make_project,
    manifest_classes,
    ran,
    read_params,
    run,
    tiny,
    write_class_folders,
    write_downloads,
    write_params,
)
from selenium.webdriver.common.by import By

pytestmark = pytest.mark.slow

MARK = re.compile(
    r"^<!-- e2e: (?P<name>[\w-]+) -->\n```(?P<lang>\w+)\n(?P<body>.*?)^```", re.S | re.M
)
WALKED = [
    "presets",
    "own-folder",
    "own-run",
    "web-search",
    "experiments",
    "sweep",
    "compare",
    "remote",
    "pull",
    "review-on",
    "review",
]
MY_IMAGES = "/path/to/my_images"
SIGN_DIGITS = Path(__file__).parent / "data/sign-digits"
MISFILED = ("2/IMG_1120.JPG", "0/IMG_1120.JPG")  # a photo of a 2 in the 0 folder
EXPERIMENTS = ["lr-low", "ema-fixed", "lrd-low", "lrd-high"]
SCORES = ["conditional_accuracy", "domain_fd"]


def readme_blocks(text: str | None = None) -> dict[str, tuple[str, str]]:
    """name -> (language, body) of every marked block."""
    text = (REPO / "README.md").read_text() if text is None else text
    blocks: dict[str, tuple[str, str]] = {}
    for m in MARK.finditer(text):
        assert m["name"] not in blocks, f"README marks two blocks e2e: {m['name']}"
        blocks[m["name"]] = (m["lang"], m["body"])
    return blocks


def shell_lines(body: str) -> list[str]:
    """Commands of a shell block: continuation lines joined, comment-only lines dropped."""
    lines, pending = [], ""
    for raw in body.splitlines():
        if raw.rstrip().endswith("\\"):
            pending += raw.rstrip()[:-1] + " "
            continue
        line, pending = (pending + raw).strip(), ""
        if line and not line.startswith("#"):
            lines.append(line)
    return lines


@dataclass
class Walker:
    """Runs README blocks in the temporary repo, with the substitutions of the module doc."""

    repo: Path
    site: SearchSite
    folders: dict[str, Path]
    remote: Path
    clone: Path
    data_only: bool = False
    cwd: Path = field(init=False)
    transcript: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)  # each command's, in order
    reviewed: list[str] = field(default_factory=list)  # class/id of images the page rejected

    def __post_init__(self) -> None:
        self.cwd = self.repo

    def shrink(self) -> None:
        params = localize(read_params(self.repo), self.repo, self.site, self.folders)
        write_params(self.repo, tiny(params))

    def block(self, name: str, replace: tuple[str, str] | None = None) -> str:
        lang, body = readme_blocks()[name]
        if replace:
            body = body.replace(*replace)
        if lang == "yaml":
            self.paste(yaml.safe_load(body))
            return ""
        assert lang in ("bash", "sh"), f"block {name}: no way to run {lang}"
        self.cwd = self.repo
        return "".join(
            self.command(part.strip()) for line in shell_lines(body) for part in line.split(" && ")
        )

    def paste(self, sections: dict[str, Any]) -> None:
        params = read_params(self.repo)
        for section, values in sections.items():
            params.setdefault(section, {}).update(values)
        write_params(self.repo, params)
        self.shrink()

    def command(self, text: str) -> str:
        words = shlex.split(text, comments=True)
        self.transcript.append(f"{self.cwd.name}$ {text}")
        if words[:2] == ["git", "push"]:
            return ""  # no server to push to
        if words[:2] == ["git", "clone"]:
            run(["git", "clone", "-q", str(self.repo), str(self.clone)], self.repo)
            return ""
        if words[0] == "cd":
            self.cwd = self.clone
            return ""
        if words[:3] == ["dvc", "remote", "add"]:
            text = text.replace(words[-1], str(self.remote))
        if words == ["dvc", "repro"] and self.data_only:
            text = "dvc repro augment"
        if words[:3] == ["dvc", "queue", "start"]:
            return self.start_queue(text)
        if words[:2] == ["ganpipe", "review"]:
            return self.review(words[2:])
        out = run(text, self.cwd)
        if words[:2] == ["ganpipe", "preset"] and len(words) > 2:
            self.shrink()
        self.outputs.append(out)
        return out

    def review(self, args: list[str]) -> str:
        """The page in headless Chromium: reject the most suspicious image with a click."""
        command = ["ganpipe", "review", *args]
        with review_server(self.cwd, command_env(self.cwd), command) as url, chromium() as driver:
            tiles = open_page(driver, url)
            scores = [t.find_elements(By.CSS_SELECTOR, ".score") for t in tiles]
            top = max(
                range(len(tiles)),
                key=lambda k: float(scores[k][0].text.split()[0]) if scores[k] else -1,  # '0.56 #2'
            )
            key = tiles[top].get_attribute("data-key")
            badge = [b.text for b in tiles[top].find_elements(By.CSS_SELECTOR, ".badge, .reason")]
            tiles[top].click()
            wait_rejected(driver, key)
            self.reviewed.append(key)
        out = f"rejected {key} {badge}\n"
        self.outputs.append(out)
        return out

    def start_queue(self, text: str) -> str:
        """The worker is a daemon holding on to its stdout: give it none, then wait."""
        text = text.replace("dvc queue start", "dvc queue start -j 2", 1)
        subprocess.run(
            text,
            shell=True,
            cwd=self.cwd,
            env=command_env(self.cwd),
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=600,
        )
        deadline = time.monotonic() + 600
        while True:
            status = run(["dvc", "queue", "status"], self.cwd)
            if "Failed" in status:
                logs = [
                    run(["dvc", "queue", "logs", n], self.cwd)
                    for n in EXPERIMENTS
                    if re.search(rf"\b{n}\b.*Failed", status)
                ]
                pytest.fail(f"a queued experiment failed:\n{status}\n" + "\n".join(logs))
            if not re.search(r"\b(Queued|Running)\b", status):
                return status
            assert time.monotonic() < deadline, f"queue still busy after 10 minutes:\n{status}"
            time.sleep(5)  # each `dvc queue status` costs a second of CPU the runs need


@pytest.fixture(scope="module")
def walker(tmp_path_factory: pytest.TempPathFactory, search_site: SearchSite) -> Iterator[Walker]:
    root = tmp_path_factory.mktemp("readme")
    repo = make_project(root / "project")
    write_downloads(repo)
    my_images = write_class_folders(root / "my_images", ["circle", "square"], fmt="PNG")
    walker = Walker(
        repo, search_site, {MY_IMAGES: my_images}, root / "remote", root / "colleague" / "ganpipe"
    )
    yield walker
    subprocess.run(
        ["dvc", "queue", "stop", "--kill"],
        cwd=repo,
        env=command_env(repo),
        capture_output=True,
        check=False,
    )


def experiments(repo: Path) -> dict[str, dict[str, Any]]:
    """name -> the data `dvc exp show --json` reports for it (experiments and baselines)."""
    found: dict[str, dict[str, Any]] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("name") and isinstance(node.get("data"), dict):
                found.setdefault(node["name"], node["data"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(run(["dvc", "exp", "show", "--json"], repo)))
    return found


def test_readme_marks_the_blocks_it_walks() -> None:
    blocks = readme_blocks()
    assert sorted(blocks) == sorted(WALKED)
    for name, (lang, body) in blocks.items():
        if lang == "yaml":
            assert isinstance(yaml.safe_load(body), dict), name
        else:
            assert shell_lines(body), name
    assert "make run" in (REPO / "README.md").read_text()  # the two set-up commands
    assert "make test" in (REPO / "README.md").read_text()


def test_preset_block_runs_mnist(walker: Walker) -> None:
    out = walker.block("presets")
    assert "fashion-mnist" in out and "emnist-letters" in out  # `ganpipe preset` lists them
    assert ran(out) == ALL_STAGES
    assert_scored(walker.repo, 2)
    assert "baseline: mnist preset" in run(["git", "log", "--oneline"], walker.repo)


def test_remote_and_pull_blocks(walker: Walker) -> None:
    walker.block("remote")
    assert any(walker.remote.rglob("*")), "dvc push stored nothing"
    out = walker.block("pull")
    clone = walker.clone
    assert (clone / "data/samples/grid.png").exists()
    assert (clone / "models/generator.pt").exists()
    assert "up to date" in out  # dvc status in the clone: nothing to run
    assert evaluate_metrics(clone) == evaluate_metrics(walker.repo)


def test_preset_block_runs_asl_alphabet(walker: Walker) -> None:
    out = walker.block("presets", replace=("mnist", "asl-alphabet"))
    assert ran(out) == ALL_STAGES
    assert_scored(walker.repo, 2)
    assert manifest_classes(walker.repo, "raw") == {"A": 16 + 4, "nothing": 16 + 4}  # merged


def test_experiments_block(walker: Walker) -> None:
    out = walker.block("experiments")
    assert ran(out).count("train") == 2
    assert "lr-low" in out and "ema-fixed" in out  # the table `dvc exp show` printed
    params = read_params(walker.repo)["train"]
    assert params["lr_g"] == 0.0001 and params["ema_rampup"] == 0  # ++: a key not listed


def test_sweep_block(walker: Walker) -> None:
    out = walker.block("sweep")
    assert "lrd-low" in out and "lrd-high" in out
    assert read_params(walker.repo)["train"]["lr_d"] == 0.0002  # queued runs leave it alone


def test_compare_block(walker: Walker) -> None:
    out = walker.block("compare")
    assert "domain_fd" in out  # dvc metrics diff / dvc exp diff
    html = (walker.repo / "compare/index.html").read_text()
    for rev in ("lr-low", "ema-fixed"):
        assert html.count(rev) >= 3, f"{rev} missing from the plots"
    for title in ("Losses", "Snapshot domain FD"):
        assert title in html
    rows = {
        r["Experiment"]: r
        for r in csv.DictReader(io.StringIO((walker.repo / "runs.csv").read_text()))
        if r["Experiment"]
    }
    for name in EXPERIMENTS:
        for score in SCORES:
            assert float(rows[name][score]) >= 0.0, (name, score)


def test_exp_show_holds_every_run_with_its_params_and_scores(walker: Walker) -> None:
    shown = experiments(walker.repo)
    expected = {
        "lr-low": {"lr_g": 0.0001},
        "ema-fixed": {"lr_g": 0.0001, "ema_rampup": 0},
        "lrd-low": {"lr_d": 0.0001},
        "lrd-high": {"lr_d": 0.0004},
    }
    for name, train in expected.items():
        data = shown[name]
        params = data["params"]["params.yaml"]["data"]["train"]
        assert {k: params[k] for k in train} == train, name
        scores = data["metrics"]["metrics/evaluate.json"]["data"]
        assert all(scores[s] >= 0.0 for s in SCORES), name
    assert len(
        {
            json.dumps(shown[n]["metrics"]["metrics/train.json"]["data"], sort_keys=True)
            for n in expected
        }
    ) == len(expected), "four runs, four different trainings"


def test_own_folder_is_one_params_edit(walker: Walker) -> None:
    walker.data_only = True
    walker.block("own-folder")
    source = read_params(walker.repo)["scrape"]["sources"]
    assert source == [{"kind": "folder", "root": str(walker.folders[MY_IMAGES])}]
    assert ran(walker.block("own-run")) == ALL_STAGES[:6]
    assert manifest_classes(walker.repo, "augmented") == {"circle": 16, "square": 16}


def test_web_search_is_one_more_edit(walker: Walker) -> None:
    walker.block("web-search")
    (source,) = read_params(walker.repo)["scrape"]["sources"]
    assert source["kind"] == "bing" and source["base_url"] == walker.site.base
    assert ran(walker.block("own-run"))[:1] == ["scrape"]
    assert manifest_classes(walker.repo, "augmented") == {"Audi": 16, "BMW": 16}
    assert (walker.repo / "data/filtered/review/index.html").exists()  # contact sheets on


@needs_chromium
def test_review_walkthrough_rejects_a_suspect_and_reruns_from_filter(
    walker: Walker, tmp_path: Path
) -> None:
    photos = shutil.copytree(
        SIGN_DIGITS, tmp_path / "my_photos", ignore=shutil.ignore_patterns("*.md", "LICENSE")
    )
    (photos / MISFILED[0]).rename(photos / MISFILED[1])
    walker.folders[MY_IMAGES] = photos
    walker.data_only = True
    walker.block("own-folder")
    walker.block("review-on")
    before = (walker.repo / "reject.txt").read_text()
    walker.block("review")
    first, page, second = walker.outputs[-3:]
    assert ran(first) == ALL_STAGES[:6]  # scrape to augment, curate included
    (key,) = walker.reviewed
    assert page.startswith(f"rejected {key} ['suspect', '")  # the top suspect, and why
    image_id = key.split("/")[1]
    assert (walker.repo / "reject.txt").read_text() == before + image_id + "\n"
    assert ran(second) == ALL_STAGES[1:6]  # filter and after: scrape stays cached
    rows = {r["id"]: r for r in csv.DictReader((walker.repo / "data/filtered/manifest.csv").open())}
    assert (rows[image_id]["status"], rows[image_id]["reason"]) == (
        "rejected",
        f"listed:{image_id}",
    )
    with (walker.repo / "data/curated/suspects.csv").open() as f:
        ranked = [r["id"] for r in csv.DictReader(f)]
    assert len(ranked) == 3 * 12 - 1 and image_id not in ranked  # ranked again, without it
