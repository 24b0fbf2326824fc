"""Make docs/review.png: the review page on real photos, ranked by the real curate stage.

Four classes of Sign Language Digits (the first 40 photos of 0-3, by file name), with two photos
of other digits filed under 0 and one generated off-topic image (a red disc) under 1: the
mistakes a folder collects. The stages run as `dvc repro` would run them (scrape, filter, reduce,
resize, curate, from the repository's stage scripts and params.yaml with the folder as source,
RGB at 32 px, ranking on); then `ganpipe review` serves the page, headless Chromium rejects the
most suspicious image with a click, and the screenshot is taken.

    python docs/review_screenshot.py [--data /path/to/Sign-Language-Digits/Dataset] [-o PNG]

Prints the suspects table's top rows and where the injected images ranked.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import yaml
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))  # the Selenium helpers the browser tests use

from browserkit import chromium, open_page, page_env, review_server, wait_rejected  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

CLASSES = ("0", "1", "2", "3")
PER_CLASS = 40
MISFILED = ("5", "7")  # digits of the photos wrongly filed under class 0
STAGES = ("scrape", "filter", "reduce", "resize", "curate")


def build_folder(data: Path, folder: Path) -> dict[str, str]:
    """The user's folder of class folders; file name -> what is wrong with it."""
    injected = {}
    for label in CLASSES:
        (folder / label).mkdir(parents=True)
        for photo in sorted((data / label).glob("*.JPG"))[:PER_CLASS]:
            shutil.copy(photo, folder / label)
    for digit in MISFILED:
        photo = sorted((data / digit).glob("*.JPG"))[0]
        shutil.copy(photo, folder / "0" / f"a-{digit}-{photo.name}")
        injected[f"0/a-{digit}-{photo.name}"] = f"a {digit} filed under 0"
    yy, xx = np.mgrid[:100, :100]
    disc = np.full((100, 100, 3), 235, np.uint8)
    disc[(yy - 50) ** 2 + (xx - 50) ** 2 < 30**2] = (200, 30, 30)
    Image.fromarray(disc).save(folder / "1" / "disc.jpg", quality=92)
    injected["1/disc.jpg"] = "off-topic (a red disc)"
    return injected


def write_params(project: Path, folder: Path) -> None:
    params = yaml.safe_load((REPO / "params.yaml").read_text())
    params["scrape"]["sources"] = [{"kind": "folder", "root": str(folder)}]
    params["reduce"].update(mode="RGB", background="#ffffff")
    params["resize"].update(image_size=32)
    params["curate"].update(enabled=True)
    (project / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    (project / "reject.txt").write_text((REPO / "reject.txt").read_text())


def run_stages(project: Path, env: dict[str, str]) -> None:
    for stage in STAGES:
        subprocess.run(
            [sys.executable, str(REPO / "stages" / f"{stage}.py")], cwd=project, env=env, check=True
        )


def report(project: Path, injected: dict[str, str]) -> None:
    """The top of the ranking, and the rank of each injected image."""
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
            print(f"  rank {row['rank']:>3}  {name}: {injected[name]}, suspect={row['suspect']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data", type=Path, default=Path("/work/shared/data/sign-language-digits/Dataset")
    )
    parser.add_argument("-o", "--output", type=Path, default=REPO / "docs/review.png")
    args = parser.parse_args()
    env = page_env(REPO / "src")
    with tempfile.TemporaryDirectory(prefix="ganpipe-review-png-") as tmp:
        project, folder = Path(tmp) / "project", Path(tmp) / "my_images"
        project.mkdir()
        injected = build_folder(args.data, folder)
        write_params(project, folder)
        run_stages(project, env)
        report(project, injected)
        with review_server(project, env) as url, chromium(1280, 1000) as driver:
            tiles = open_page(driver, url)
            top = tiles[0]  # class 0's most suspicious image
            assert top.find_elements(By.CSS_SELECTOR, ".badge"), "class 0 has no suspect"
            top.click()
            wait_rejected(driver, top.get_attribute("data-key"))
            driver.execute_script("window.scrollTo(0, 0)")
            driver.save_screenshot(str(args.output))
    # 256 colours: under half the bytes, the photos barely banded
    Image.open(args.output).quantize(256).save(args.output, optimize=True)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
