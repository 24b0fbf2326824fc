"""Make docs/review.png: the review page on a search-like folder, ranked by the real curate stage.

Four Noto Emoji categories as brands (24 graphics each, drawn as benchmarks/searchsuite.py draws
search results: JPEG'd, on white, coloured or gradient backgrounds), and in the first class what
an image search mixes in: its graphic small on a photo, a photo alone, a near-empty image, text,
another class's graphic. The stages run as `dvc repro` would run them (scrape, filter, reduce,
resize, curate, from the repository's stage scripts and params.yaml with the folder as source,
RGB at 64 px, ranking on, relevance off: this machine has no CLIP weights); then `ganpipe review`
serves the page, headless Chromium rejects the most suspicious image with a click, and the
screenshot is taken with each suspect's reason under it.

    python docs/review_screenshot.py [-o PNG]

Prints where the planted images ranked and the reason each was given.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import yaml
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))  # the Selenium helpers the browser tests use
sys.path.insert(0, str(REPO / "benchmarks"))  # the search-result drawing of the benchmark

import searchsuite as ss  # noqa: E402
from browserkit import chromium, open_page, page_env, review_server, wait_rejected  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

CLASSES = ("Animals-Nature", "Food-Drink", "Smileys-Emotion", "Travel-Places")
PER_CLASS = 24
STAGES = ("scrape", "filter", "reduce", "resize", "curate")


def planted(rng: np.random.Generator) -> dict[str, Image.Image]:
    """What a search for the first class also returns, by file name."""
    own, other = ss.emoji(CLASSES[0]), ss.emoji(CLASSES[1])
    return {
        "on-a-photo.png": ss.photo_with(own[3], rng),
        "photo.png": ss.photo(rng),
        "near-empty.png": ss.near_empty(own[5], rng),
        "text.png": ss.text(rng),
        "other-class.png": ss.graphic(other[7], rng),
    }


def build_folder(folder: Path) -> list[str]:
    """The user's folder of class folders; the planted images' names (class/file)."""
    rng = np.random.default_rng(3)
    for label in CLASSES:
        (folder / label).mkdir(parents=True)
        pool = ss.emoji(label)
        for n, i in enumerate(rng.choice(len(pool), PER_CLASS, replace=False)):
            image = ss.as_scraped(ss.graphic(pool[i], rng), rng)
            Image.fromarray(image).save(folder / label / f"{n:02d}.png")
    names = []
    for name, image in planted(rng).items():
        Image.fromarray(ss.as_scraped(image, rng)).save(folder / CLASSES[0] / name)
        names.append(f"{CLASSES[0]}/{name}")
    return names


def write_params(project: Path, folder: Path) -> None:
    params = yaml.safe_load((REPO / "params.yaml").read_text())
    params["scrape"]["sources"] = [{"kind": "folder", "root": str(folder)}]
    params["reduce"].update(mode="RGB", background="#ffffff")
    params["resize"].update(image_size=64)
    params["curate"].update(enabled=True, relevance="off")
    (project / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    (project / "reject.txt").write_text((REPO / "reject.txt").read_text())


def run_stages(project: Path, env: dict[str, str]) -> None:
    """Each stage's command from dvc.yaml (the one place naming its paths), in ``project``."""
    stages = yaml.safe_load((REPO / "dvc.yaml").read_text())["stages"]
    for stage in STAGES:
        command = stages[stage]["cmd"].split()
        assert command[:2] == ["python", f"stages/{stage}.py"], command
        command[:2] = [sys.executable, str(REPO / "stages" / f"{stage}.py")]
        subprocess.run(command, cwd=project, env=env, check=True)


def report(project: Path, injected: list[str]) -> None:
    """The rank and reason of each planted image."""
    import csv

    origins = {}
    with (project / "data/raw/manifest.csv").open() as f:
        for row in csv.DictReader(f):
            origins[row["id"]] = row["origin"]
    with (project / "data/curated/suspects.csv").open() as f:
        ranked = list(csv.DictReader(f))
    print(f"{len(ranked)} images ranked; suspects: {sum(r['suspect'] == 'true' for r in ranked)}")
    for row in ranked:
        name = "/".join(Path(origins[row["id"]]).parts[-2:])
        if name in injected:
            print(f"  rank {row['rank']:>3}  {name}: {row['reason']}, suspect={row['suspect']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-o", "--output", type=Path, default=REPO / "docs/review.png")
    args = parser.parse_args()
    env = page_env(REPO / "src")
    with tempfile.TemporaryDirectory(prefix="ganpipe-review-png-") as tmp:
        project, folder = Path(tmp) / "project", Path(tmp) / "my_images"
        project.mkdir()
        injected = build_folder(folder)
        write_params(project, folder)
        run_stages(project, env)
        report(project, injected)
        with review_server(project, env) as url, chromium(1280, 1000) as driver:
            tiles = open_page(driver, url)
            top = tiles[0]  # the first class's most suspicious image
            assert top.find_elements(By.CSS_SELECTOR, ".reason"), "its top image has no reason"
            top.click()
            wait_rejected(driver, top.get_attribute("data-key"))
            driver.execute_script("window.scrollTo(0, 0)")
            driver.save_screenshot(str(args.output))
    Image.open(args.output).quantize(256).save(args.output, optimize=True)  # under half the bytes
    print(f"wrote {args.output}")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
