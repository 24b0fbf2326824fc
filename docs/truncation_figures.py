"""Make the README's truncation figures from a finished run (after `dvc repro`).

- ``docs/truncation_curve.png``: metrics/truncation_curve.json drawn as `dvc plots show` draws
  it, one point per threshold: domain precision against recall, and conditional accuracy
  against domain FD;
- ``docs/truncation_off.png`` and ``docs/truncation_<T>.png``: the class-per-row grid of the
  generator the samples came from (``sample.checkpoint``), untruncated and at threshold T, with
  the same latents (truncation only redraws the components above T).

Drawn with Pillow (no plotting library is a dependency). Run from the repository root:

    python docs/truncation_figures.py [--project .] [--truncation 1.0] [--out docs]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from ganpipe.params import load_all
from ganpipe.sample import GENERATORS, load_generator, save_grid

W, H, MARGIN = 460, 360, 64  # one panel, and the space for its axis labels
INK, GRID, LINE = (30, 30, 30), (225, 225, 225), (31, 119, 180)  # vega's first colour


def _ticks(low: float, high: float, n: int = 5) -> list[float]:
    span = (high - low) or 1.0
    return [low + span * i / (n - 1) for i in range(n)]


def panel(points: list[dict], x: str, y: str, title: str) -> Image.Image:
    """One curve: the points in order of x, each labelled with its threshold."""
    image = Image.new("RGB", (W, H), "white")
    draw = ImageDraw.Draw(image)
    font, small = ImageFont.load_default(15), ImageFont.load_default(12)
    xs, ys = [p[x] for p in points], [p[y] for p in points]
    pad_x, pad_y = 0.08 * ((max(xs) - min(xs)) or 1), 0.08 * ((max(ys) - min(ys)) or 1)
    x0, x1, y0, y1 = min(xs) - pad_x, max(xs) + pad_x, min(ys) - pad_y, max(ys) + pad_y
    left, top, right, bottom = MARGIN, 34, W - 18, H - MARGIN + 10

    def at(px: float, py: float) -> tuple[float, float]:
        return (
            left + (px - x0) / (x1 - x0) * (right - left),
            bottom - (py - y0) / (y1 - y0) * (bottom - top),
        )

    for value in _ticks(x0, x1):
        gx = at(value, y0)[0]
        draw.line([(gx, top), (gx, bottom)], GRID)
        draw.text((gx, bottom + 4), f"{value:.3g}", INK, small, anchor="ma")
    for value in _ticks(y0, y1):
        gy = at(x0, value)[1]
        draw.line([(left, gy), (right, gy)], GRID)
        draw.text((left - 4, gy), f"{value:.3g}", INK, small, anchor="rm")
    draw.rectangle([left, top, right, bottom], outline=INK)
    ordered = sorted(points, key=lambda p: p[x])
    draw.line([at(p[x], p[y]) for p in ordered], LINE, 2)
    for p in ordered:
        cx, cy = at(p[x], p[y])
        draw.ellipse([cx - 4, cy - 4, cx + 4, cy + 4], fill=LINE)
        label = f"T={p['truncation']:g}" if p["truncation"] else "off"
        draw.text((cx + 6, cy - 6), label, INK, small, anchor="lb")
    draw.text((W / 2, 8), title, INK, font, anchor="ma")
    draw.text(((left + right) / 2, H - 18), x, INK, font, anchor="ma")
    label = Image.new("RGB", (bottom - top, 20), "white")
    ImageDraw.Draw(label).text(((bottom - top) / 2, 2), y, INK, font, anchor="ma")
    image.paste(label.rotate(90, expand=True), (4, top))
    return image


def curve_figure(points: list[dict], path: Path) -> None:
    panels = [
        panel(points, "domain_recall", "domain_precision", "precision vs recall"),
        panel(points, "domain_fd", "conditional_accuracy", "conditional accuracy vs FD"),
    ]
    figure = Image.new("RGB", (W * len(panels), H), "white")
    for i, image in enumerate(panels):
        figure.paste(image, (i * W, 0))
    figure.save(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--project", type=Path, default=Path("."), help="where dvc repro ran")
    parser.add_argument("--truncation", type=float, default=1.0, help="the truncated grid's T")
    parser.add_argument("--out", type=Path, default=Path("docs"))
    args = parser.parse_args()
    points = json.loads((args.project / "metrics/truncation_curve.json").read_text())
    if not points:
        raise SystemExit("metrics/truncation_curve.json is empty: set evaluate.truncation_curve")
    args.out.mkdir(parents=True, exist_ok=True)
    curve_figure(points, args.out / "truncation_curve.png")
    sample = load_all(args.project / "params.yaml")["sample"]
    gen = load_generator(args.project / "models" / GENERATORS[sample.checkpoint])
    for name, threshold in (("off", 0.0), (f"{args.truncation:g}", args.truncation)):
        path = args.out / f"truncation_{name}.png"
        save_grid(gen, path, sample.grid_columns, sample.seed, threshold)
        print(f"wrote {path}")
    print(f"wrote {args.out / 'truncation_curve.png'}")


if __name__ == "__main__":
    main()
