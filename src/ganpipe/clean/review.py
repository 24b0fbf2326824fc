"""Contact sheets for the manual review step: every kept image of a class with its id.

The user reads the sheets, writes unwanted ids (or globs) into the reject list, and re-runs;
the list is a dep of filter, so only filter and what follows it re-run.
"""

from __future__ import annotations

import html
from collections import defaultdict
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from urllib.parse import quote

from PIL import Image, ImageDraw, ImageFont

from ganpipe.clean.decode import load, open_image, to_mode
from ganpipe.clean.parallel import pmap
from ganpipe.clean.rows import PNG_LEVEL
from ganpipe.manifest import Row

THUMB = 96  # thumbnail box, pixels
CELL = (104, THUMB + 16)  # thumbnail plus a line for the id
COLUMNS, ROWS = 10, 10
PAPER = (224, 224, 224)  # light grey, so white-background images show their edges


@dataclass(frozen=True)
class _Sheet:
    label: str
    number: int
    rows: tuple[Row, ...]

    @property
    def relpath(self) -> str:
        return f"{self.label}/sheet-{self.number:03d}.png"


def write_review(
    stage_dir: Path,
    rows: list[Row],
    workers: int,
    background: tuple[int, int, int],
    per_class_cap: int = 0,
) -> Path:
    """Render ``stage_dir/review/<class>/sheet-NNN.png`` and ``review/index.html``.

    ``per_class_cap`` (0 = all) bounds the work for large datasets (60,000 MNIST digits need no
    hand review); the page says how many of each class it shows.
    """
    review = Path(stage_dir) / "review"
    per_class: dict[str, list[Row]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: (r.label, r.id)):
        per_class[row.label].append(row)
    totals = {label: len(group) for label, group in per_class.items()}
    if per_class_cap:
        per_class = {label: group[:per_class_cap] for label, group in per_class.items()}
    per_sheet = COLUMNS * ROWS
    sheets = [
        _Sheet(label, k // per_sheet, tuple(group[k : k + per_sheet]))
        for label, group in sorted(per_class.items())
        for k in range(0, len(group), per_sheet)
    ]
    for label in per_class:
        (review / label).mkdir(parents=True, exist_ok=True)
    task = partial(_render, stage_dir=Path(stage_dir), background=background)
    pmap(task, sheets, workers, "review", unit="sheet")
    index = review / "index.html"
    index.write_text(_index_html(per_class, totals, sheets))
    return index


def _render(sheet: _Sheet, stage_dir: Path, background: tuple[int, int, int]) -> None:
    """One sheet: thumbnails in a grid, each with its id underneath."""
    lines = -(-len(sheet.rows) // COLUMNS)
    canvas = Image.new("RGB", (COLUMNS * CELL[0], lines * CELL[1]), PAPER)
    draw = ImageDraw.Draw(canvas)
    font = ImageFont.load_default_imagefont()  # bitmap: ~20x faster to draw than FreeType
    for k, row in enumerate(sheet.rows):
        x, y = (k % COLUMNS) * CELL[0], (k // COLUMNS) * CELL[1]
        thumb = thumbnail(stage_dir / row.path, background)
        canvas.paste(thumb, (x + (CELL[0] - thumb.width) // 2, y + (THUMB - thumb.height) // 2))
        width = draw.textlength(row.id, font=font)
        draw.text((x + (CELL[0] - width) // 2, y + THUMB + 2), row.id, fill=(0, 0, 0), font=font)
    canvas.save(stage_dir / "review" / sheet.relpath, format="PNG", compress_level=PNG_LEVEL)


def thumbnail(path: Path, background: tuple[int, int, int], box: int = THUMB) -> Image.Image:
    """The image as reduce will see it, fitted to ``box``; tiny images enlarged pixel-exact."""
    image = open_image(path.read_bytes())
    image.draft(None, (box, box))
    image = to_mode(load(image), "RGB", background)
    factor = box // max(image.size)
    if factor >= 2:
        return image.resize((image.width * factor, image.height * factor), Image.Resampling.NEAREST)
    image.thumbnail((box, box), Image.Resampling.BOX)
    return image


def _index_html(
    per_class: dict[str, list[Row]], totals: dict[str, int], sheets: list[_Sheet]
) -> str:
    """One section per class with its sheets, and the ids as text for copying."""

    def shown(label: str) -> str:
        count, total = len(per_class[label]), totals[label]
        return f"{total} kept" if count == total else f"first {count} of {total} kept, by id"

    parts = [
        "<!doctype html>",
        '<html><head><meta charset="utf-8"><title>ganpipe filter review</title>',
        "<style>body{font-family:sans-serif} img{max-width:100%} "
        "pre{white-space:pre-wrap;font-size:11px}</style></head><body>",
        "<h1>Filter review: kept images</h1>",
        "<p>To drop an image, put its id (or a glob such as <code>class/*</code>) on its own "
        "line in the reject list, then re-run the pipeline; only filter and later stages "
        "re-run. Or run <code>ganpipe review</code>: the same images on a page where a click "
        "does that for you.</p>",
        "<ul>",
        *(
            f'<li><a href="#{quote(label)}">{html.escape(label)}</a> ({shown(label)})</li>'
            for label in sorted(per_class)
        ),
        "</ul>",
    ]
    for sheet in sheets:
        if sheet.number == 0:
            parts.append(
                f'<h2 id="{quote(sheet.label)}">{html.escape(sheet.label)} '
                f"({shown(sheet.label)})</h2>"
            )
        ids = " ".join(row.id for row in sheet.rows)
        src = quote(sheet.relpath)
        parts.append(
            f'<figure><img src="{src}" alt="{html.escape(sheet.relpath)}">'
            f"<figcaption><pre>{ids}</pre></figcaption></figure>"
        )
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
