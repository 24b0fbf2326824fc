"""Helpers the end-to-end tests share: a temporary git + DVC copy of the project, tiny local
data in the shape each preset expects, a local image-search site, and "tiny" params.

A module of its own rather than conftest.py, so that ``from e2ekit import ...`` finds it whatever
other conftest.py files pytest imported first. Everything runs the real commands (``ganpipe
preset``, ``dvc repro``, ``dvc exp ...``) in a subprocess whose PYTHONPATH points at the copy's
``src`` and whose PATH starts with this venv.
"""

from __future__ import annotations

import copy
import io
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import numpy as np
import yaml
from PIL import Image

REPO = Path(__file__).resolve().parents[2]
ALL_STAGES = [
    "scrape",
    "filter",
    "reduce",
    "resize",
    "curate",
    "augment",
    "classifier",
    "train",
    "sample",
    "evaluate",
]
PER_CLASS = 16  # images per class in every tiny data set
PROJECT_FILES = ("dvc.yaml", "params.yaml", "reject.txt", ".gitignore", ".dvcignore")
PROJECT_DIRS = ("stages", "src", "presets")


# --------------------------------------------------------------------------- running commands


def command_env(repo: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The copy's sources first on the import path, this venv's tools first on PATH."""
    return {
        **os.environ,
        "PYTHONPATH": str(repo / "src"),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "DVC_NO_ANALYTICS": "1",
        "PYTHONUNBUFFERED": "1",
        "NO_PROXY": ",".join(filter(None, [os.environ.get("NO_PROXY"), "127.0.0.1"])),
        "no_proxy": ",".join(filter(None, [os.environ.get("no_proxy"), "127.0.0.1"])),
        **(extra or {}),
    }


def run(
    cmd: list[str] | str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 600
) -> str:
    """Run one command (a list, or a shell line); fail the test with its output if it fails."""
    proc = subprocess.run(
        cmd,
        cwd=cwd,
        env=command_env(cwd, env),
        capture_output=True,
        text=True,
        check=False,
        shell=isinstance(cmd, str),
        timeout=timeout,
    )
    shown = cmd if isinstance(cmd, str) else " ".join(cmd)
    assert proc.returncode == 0, f"{shown} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout + proc.stderr


def ran(output: str) -> list[str]:
    """The stages `dvc repro` / `dvc exp run` ran, from DVC's own "Running stage" lines."""
    return re.findall(r"Running stage '([^']+)'", output)


def read_params(repo: Path) -> dict[str, Any]:
    return yaml.safe_load((repo / "params.yaml").read_text())


def write_params(repo: Path, params: dict[str, Any]) -> None:
    (repo / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))


def set_params(repo: Path, section: str, **values: object) -> None:
    params = read_params(repo)
    params.setdefault(section, {}).update(values)
    write_params(repo, params)


def commit(repo: Path, message: str) -> None:
    run(["git", "add", "-A"], repo)
    run(["git", "commit", "-qm", message, "--allow-empty"], repo)


def make_project(repo: Path, params: dict[str, Any] | None = None) -> Path:
    """A git + DVC repo holding the project's pipeline, code and presets, committed once
    (DVCLive and `dvc exp` need a commit to exist)."""
    repo.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        if (REPO / name).exists():
            shutil.copy(REPO / name, repo / name)
    for folder in PROJECT_DIRS:
        shutil.copytree(
            REPO / folder, repo / folder, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
        )
    with (repo / ".gitignore").open("a") as f:
        f.write("\n/downloads/\n")  # the "Kaggle downloads" the tests make stay untracked
    if params is not None:
        write_params(repo, params)
    run(["git", "init", "-q", "-b", "main"], repo)
    run(["git", "config", "user.email", "ci@example.com"], repo)
    run(["git", "config", "user.name", "ci"], repo)
    run(["dvc", "init", "-q"], repo)
    run(["dvc", "config", "core.autostage", "false"], repo)
    commit(repo, "project")
    return repo


# --------------------------------------------------------------------------- tiny data


def blob_image(rng: np.random.Generator, size: int, channels: int, k: int) -> np.ndarray:
    """A random low-frequency pattern (so no two images are near-duplicates by perceptual
    hash) with a bright bar whose position says the class ``k`` (so classes differ)."""
    coarse = rng.integers(0, 200, (4, 4, channels)).astype(np.uint8)
    image = np.asarray(
        Image.fromarray(coarse.squeeze(-1) if channels == 1 else coarse).resize(
            (size, size), Image.BILINEAR
        )
    )
    image = image.reshape(size, size, channels).copy()
    image = np.clip(image + rng.integers(0, 30, image.shape), 0, 255).astype(np.uint8)
    top = (3 + 7 * k) % (size - 6)
    image[top : top + 5, size // 8 : size - size // 8] = 255
    return image


def encode(image: np.ndarray, fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(image.squeeze(-1) if image.shape[-1] == 1 else image).save(buffer, fmt)
    return buffer.getvalue()


def write_idx_dataset(
    folder: Path,
    name: str,
    labels: tuple[int, ...] = (0, 1),
    per_class: int = PER_CLASS,
    seed: int = 0,
) -> Path:
    """The train split of ``name`` (mnist, fashion-mnist, emnist-*) as tiny IDX files, under
    the file names the real download uses; point the source's ``root`` at ``folder``."""
    from ganpipe.scrape.datasets import SPECS

    spec = SPECS[name]
    rng = np.random.default_rng(seed)
    images, targets = [], []
    for k, label in enumerate(labels):
        for _ in range(per_class):
            image = blob_image(rng, 28, 1, k)[:, :, 0]
            images.append(image.T if spec.transposed else image)  # EMNIST is column-major
            targets.append(label + spec.label_offset)
    order = rng.permutation(len(images))
    folder.mkdir(parents=True, exist_ok=True)
    image_file, label_file = spec.files["train"]
    stack = np.stack(images)[order]
    header = bytes([0, 0, 8, 3]) + b"".join(int(d).to_bytes(4, "big") for d in stack.shape)
    (folder / image_file).write_bytes(header + stack.tobytes())
    lab = np.asarray(targets, dtype=np.uint8)[order]
    (folder / label_file).write_bytes(
        bytes([0, 0, 8, 1]) + len(lab).to_bytes(4, "big") + lab.tobytes()
    )
    return folder


def write_class_folders(
    root: Path,
    classes: list[str],
    per_class: int = PER_CLASS,
    size: int = 64,
    channels: int = 3,
    fmt: str = "JPEG",
    seed: int = 0,
) -> Path:
    """``root/<class>/<n>.jpg``: the layout of the Kaggle ASL and cat downloads."""
    rng = np.random.default_rng(seed)
    for k, label in enumerate(classes):
        (root / label).mkdir(parents=True, exist_ok=True)
        for n in range(per_class):
            data = encode(blob_image(rng, size, channels, k), fmt)
            (root / label / f"{n}.{fmt.lower().replace('jpeg', 'jpg')}").write_bytes(data)
    return root


def write_flat_folder(
    root: Path, count: int = 2 * PER_CLASS, size: int = 64, seed: int = 0
) -> Path:
    """``root/<n>.jpg``: unlabelled images, as the cat-faces download unpacks."""
    rng = np.random.default_rng(seed)
    root.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        (root / f"cat_{n}.jpg").write_bytes(encode(blob_image(rng, size, 3, n % 3), "JPEG"))
    return root


def write_csv_dataset(
    table: Path,
    images: Path,
    classes: list[str],
    per_class: int = PER_CLASS,
    size: int = 64,
    seed: int = 0,
) -> Path:
    """An ISIC-style metadata table (image, label) and the folder its paths are relative to."""
    rng = np.random.default_rng(seed)
    images.mkdir(parents=True, exist_ok=True)
    lines = ["image,label"]
    for k, label in enumerate(classes):
        for n in range(per_class):
            name = f"ISIC_{k:02d}{n:05d}.png"
            (images / name).write_bytes(encode(blob_image(rng, size, 3, k), "PNG"))
            lines.append(f"{name},{label}")
    table.parent.mkdir(parents=True, exist_ok=True)
    table.write_text("\n".join(lines) + "\n")
    return table


# --------------------------------------------------------------------------- tiny params


def shrink(params: dict[str, Any], section: str, **values: object) -> None:
    """Set ``values`` in a section the params already hold: tests shrink a user's file, they
    never add a section it lacks (a missing one must fail as it would for the user)."""
    assert section in params, f"params.yaml has no {section!r} section"
    params[section].update(values)


def tiny(params: dict[str, Any], image_size: int | None = None) -> dict[str, Any]:
    """The same pipeline at toy scale: a few images, a few hundred training images shown,
    small networks, one classifier epoch, no InceptionV3. Sources are left as they are."""
    p = copy.deepcopy(params)
    mode = p["reduce"].get("mode", "RGB")
    shrink(p, "scrape", per_host_rate=0)  # the local test site needs no pacing
    for source in p["scrape"]["sources"]:
        if source.get("per_class"):
            source["per_class"] = PER_CLASS
    shrink(p, "filter", workers=1)
    shrink(p, "resize", image_size=image_size or (28 if mode == "L" else 32), upscale=True)
    shrink(p, "classifier", epochs=1, min_steps=0, batch_size=16, holdout=0.25)
    shrink(p, "curate", folds=2, epochs=1, batch_size=16, image_size=16)
    shrink(
        p,
        "train",
        batch_size=16,
        total_kimg=0.064,
        tick_kimg=0.032,
        snapshot_kimg=0.064,
        ema_kimg=0.01,
        g_channels=32,
        d_channels=16,
        threads=1,
    )
    shrink(p, "sample", per_class=8, interpolation_steps=4)
    # No InceptionV3: a weights path that does not exist makes `auto` skip it at once (never a
    # download), and the "unavailable" path of the metric runs too.
    shrink(
        p,
        "evaluate",
        n_real=64,
        inception="auto",
        kid_subsets=2,
        inception_weights="no-inception-weights-in-tests.pth",
        kid_subset_size=8,
        truncation_per_class=8,
        downstream_steps=5,
    )
    return p


def tiny_overrides(image_size: int = 28) -> list[str]:
    """`dvc exp run` ``-S`` arguments with the same effect for the training side."""
    return [
        "-S",
        "train.batch_size=16",
        "-S",
        "train.total_kimg=0.064",
        "-S",
        "train.tick_kimg=0.032",
        "-S",
        "train.snapshot_kimg=0.064",
        "-S",
        "train.g_channels=32",
        "-S",
        "train.d_channels=16",
        "-S",
        f"resize.image_size={image_size}",
    ]


# --------------------------------------------------------------------------- local web site


SITE_APIS = ("openverse", "commons")  # licensed-media APIs the site also stands in for


@dataclass
class SearchSite:
    """A local stand-in for an image search engine (Bing's result pages) and for the Openverse
    and Wikimedia Commons APIs (their JSON), plus the images."""

    base: str = ""
    results: dict[str, list[str]] = field(default_factory=dict)  # [api:]query -> image URLs
    files: dict[str, bytes] = field(default_factory=dict)  # path -> PNG bytes
    requests: list[str] = field(default_factory=list)

    def add_class(
        self,
        query: str,
        label: str,
        k: int,
        count: int = PER_CLASS,
        size: int = 64,
        api: str = "",
    ) -> None:
        """``count`` distinct RGBA logos (transparent corners, as logo searches return); an
        ``api``'s are other logos of the same look, so two sources never give the same file."""
        rng = np.random.default_rng(1000 + k + 100 * (SITE_APIS.index(api) + 1 if api else 0))
        urls = []
        for n in range(count):
            rgba = np.dstack([blob_image(rng, size, 3, k), np.full((size, size), 255, np.uint8)])
            rgba[:4, :4, 3] = 0
            path = f"/img/{api}/{label}/{n}.png" if api else f"/img/{label}/{n}.png"
            self.files[path] = encode(rgba, "PNG")
            urls.append(self.base + path)
        self.results[f"{api}:{query}" if api else query] = urls

    def api_answer(self, path: str, args: dict[str, str]) -> dict[str, Any]:
        """One page of Openverse's ``/v1/images/`` or Commons' ``generator=search`` JSON."""
        if path == "/v1/images/":
            urls = self.results.get("openverse:" + args.get("q", ""), [])
            page, size = int(args.get("page", "1")), int(args.get("page_size", "20"))
            return {
                "result_count": len(urls),
                "page_count": -(-len(urls) // size),
                "results": [
                    {
                        "url": u,
                        "title": f"Logo {i}",
                        "creator": "A. Tester",
                        "license": "by",
                        "license_version": "4.0",
                        "license_url": "https://creativecommons.org/licenses/by/4.0/",
                        "foreign_landing_url": f"{self.base}/photos/{i}",
                    }
                    for i, u in enumerate(urls)
                ][(page - 1) * size : page * size],
            }
        urls = self.results.get("commons:" + args.get("gsrsearch", ""), [])
        offset, limit = int(args.get("gsroffset", "0")), int(args.get("gsrlimit", "10"))
        meta = {"LicenseShortName": "CC BY-SA 4.0", "Artist": '<a href="//x/wiki/User:T">T</a>'}
        pages = [
            {
                "title": f"File:Logo {i}.png",
                "index": i,
                "imageinfo": [
                    {
                        "url": u,
                        "mime": "image/png",
                        "descriptionurl": f"{self.base}/wiki/File:Logo_{i}.png",
                        "extmetadata": {k: {"value": v} for k, v in meta.items()},
                    }
                ],
            }
            for i, u in enumerate(urls)
        ]
        answer: dict[str, Any] = {"query": {"pages": pages[offset : offset + limit]}}
        if offset + limit < len(pages):
            answer["continue"] = {"gsroffset": offset + limit, "continue": "gsroffset||"}
        return answer


class SearchHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    site: SearchSite

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""

    def _send(self, status: int, body: bytes, ctype: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        self.site.requests.append(self.path)
        if parts.path == "/robots.txt":
            self._send(200, b"User-agent: *\nAllow: /\n", "text/plain")
        elif parts.path == "/images/async":  # Bing: a.iusc elements, JSON in the m attribute
            urls = self.site.results.get(query.get("q", ""), [])
            first = max(int(query.get("first", "1")) - 1, 0)
            page = urls[first : first + 35] or urls[-35:]  # past the end: the tail again
            items = "".join(
                f"""<a class="iusc" m='{json.dumps({"murl": u, "purl": self.site.base})}'>"""
                "</a>"
                for u in page
            )
            self._send(200, f"<html><body>{items}</body></html>".encode(), "text/html")
        elif parts.path in ("/v1/images/", "/w/api.php"):
            answer = self.site.api_answer(parts.path, query)
            self._send(200, json.dumps(answer).encode(), "application/json")
        elif parts.path in self.site.files:
            self._send(200, self.site.files[parts.path], "image/png")
        else:
            self._send(404, b"not found", "text/plain")


# --------------------------------------------------------------------------- metrics


def evaluate_metrics(repo: Path) -> dict[str, Any]:
    return json.loads((repo / "metrics/evaluate.json").read_text())


def assert_scored(repo: Path, classes: int) -> dict[str, Any]:
    """The run went all the way: samples per class, and the headline scores in range."""
    metrics = evaluate_metrics(repo)
    assert 0.0 <= metrics["conditional_accuracy"] <= 1.0
    assert metrics["domain_fd"] >= 0.0
    folders = [p for p in (repo / "data/samples/images").iterdir() if p.is_dir()]
    assert len(folders) == classes
    assert (repo / "data/samples/grid.png").exists()
    assert json.loads((repo / "metrics/train.json").read_text())
    return metrics


# --------------------------------------------------------------------------- presets, locally

ASL_TRAIN = "downloads/asl_alphabet_train/asl_alphabet_train"
ASL_TEST = "downloads/asl-alphabet-test"
ISIC_CSV, ISIC_IMAGES = "downloads/isic/train_data.csv", "downloads/isic/Images"
CATS = "downloads/cats"


def write_downloads(repo: Path) -> None:
    """Tiny stand-ins for the Kaggle downloads, where the presets expect them."""
    write_class_folders(repo / ASL_TRAIN, ["A", "nothing"])
    write_class_folders(repo / ASL_TEST, ["A", "Blank"], per_class=4, seed=1)  # Blank->nothing
    write_csv_dataset(repo / ISIC_CSV, repo / ISIC_IMAGES, ["melanoma", "nevus"])
    write_flat_folder(repo / CATS)


def localize(
    params: dict[str, Any],
    repo: Path,
    site: SearchSite | None = None,
    folders: dict[str, Path] | None = None,
) -> dict[str, Any]:
    """Point every source at local data: public datasets at tiny IDX files (two classes),
    web engines and APIs at the local search site (two classes), folders named in ``folders``
    (README placeholders) at generated class folders."""
    p = copy.deepcopy(params)
    for source in p["scrape"]["sources"]:
        kind = source["kind"]
        if kind == "dataset":
            folder = repo / "downloads" / source["name"]
            if not folder.exists():
                write_idx_dataset(folder, source["name"])
            source["root"] = str(folder)
        elif kind in ("bing", "duckduckgo", "google", *SITE_APIS):
            assert site is not None, "a web source needs the search_site fixture"
            api = kind if kind in SITE_APIS else ""
            source["queries"] = dict(list(source["queries"].items())[:2])
            for k, (label, query) in enumerate(source["queries"].items()):
                site.add_class(query, label, k, api=api)
            source["base_url"] = site.base + ("/w/api.php" if kind == "commons" else "")
            source["per_class"] = PER_CLASS
        elif folders and source.get("root") in folders:
            source["root"] = str(folders[source["root"]])
    return p


def switch_preset(repo: Path, name: str, site: SearchSite | None = None) -> str:
    """`ganpipe preset NAME` (the real command; it must write every section), then local data
    and tiny sizes (no section added)."""
    from ganpipe.params import SECTIONS

    out = run(["ganpipe", "preset", name], repo)
    written = read_params(repo)
    assert set(written) == set(SECTIONS), f"`ganpipe preset {name}` wrote only {sorted(written)}"
    write_params(repo, tiny(localize(written, repo, site)))
    return out


def manifest_classes(repo: Path, stage: str) -> dict[str, int]:
    """Kept images per class in ``data/<stage>/manifest.csv``."""
    import csv

    counts: dict[str, int] = {}
    with (repo / "data" / stage / "manifest.csv").open(newline="") as f:
        for row in csv.DictReader(f):
            if row["status"] == "kept":
                counts[row["class"]] = counts.get(row["class"], 0) + 1
    return counts
