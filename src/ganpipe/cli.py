"""The ``ganpipe`` command: use a trained generator without writing Python.

Examples::

    ganpipe sample --checkpoint models/generator.pt --class Sneaker -n 16 -o sneakers.png
    ganpipe grid --checkpoint models/generator_best.pt -o grid.png
    ganpipe grid --truncation 1.0 -o typical.png   # the truncation trick: fidelity over variety
    ganpipe info --checkpoint models/generator.pt
    ganpipe preset mnist            # params.yaml := presets/mnist.yaml, every section present
    ganpipe review                  # click-to-reject page on http://127.0.0.1:8765/<token>/
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path
from typing import Any

import yaml

from ganpipe.errors import UserError
from ganpipe.params import SECTIONS, truncation_problem
from ganpipe.stagekit import USER_ERRORS


def _sample(args: argparse.Namespace) -> None:
    from ganpipe.generate import grid_image
    from ganpipe.sample import generate, load_generator

    gen = load_generator(args.checkpoint)
    images = generate(gen, args.class_name, args.n, args.seed, args.truncation)
    columns = min(args.n, args.columns)
    grid_image(images, -(-args.n // columns)).save(args.output)
    print(f"wrote {args.n} image(s) of {args.class_name or 'the model'} to {args.output}")


def _grid(args: argparse.Namespace) -> None:
    from ganpipe.sample import load_generator, save_grid

    gen = load_generator(args.checkpoint)
    save_grid(gen, Path(args.output), args.columns, args.seed, args.truncation)
    print(f"wrote the class-per-row grid to {args.output}")


def _info(args: argparse.Namespace) -> None:
    from ganpipe.sample import load_generator, model_summary

    print(model_summary(load_generator(args.checkpoint)))


PRESETS_DIR = Path(__file__).resolve().parents[2] / "presets"


def presets_dir(given: str | None = None) -> Path:
    """``--presets``, else ``presets/`` of the project in the current directory, else the
    folder next to this source tree (an editable install)."""
    if given:
        return Path(given)
    local = Path("presets")
    return local if local.is_dir() else PRESETS_DIR


def _missing_inputs(params: dict) -> list[str]:
    """Local files and folders the new sources read that are not there yet."""
    from ganpipe.registries.sources import LOCAL_KINDS

    missing = []
    for source in params["scrape"].sources:
        # a dataset's root is only the first of several places looked in
        if source.kind in LOCAL_KINDS and source.kind != "dataset":
            for path in (source.csv, source.root):
                if path and not Path(path).exists():
                    missing.append(path)
    return missing


def complete_preset(text: str, params: dict[str, Any]) -> str:
    """The preset's text (comments kept) plus, at their defaults, the sections it lacks: dvc.yaml
    tracks every section, and `dvc repro` stops at a stage whose section is missing."""
    present = yaml.safe_load(text) or {}
    missing = {name: dataclasses.asdict(params[name]) for name in SECTIONS if name not in present}
    if not missing:
        return text
    return (
        text.rstrip("\n")
        + "\n# Sections this preset leaves at their defaults (filled in by `ganpipe preset`):\n"
        + yaml.safe_dump(missing, sort_keys=False)
    )


def _preset(args: argparse.Namespace) -> None:
    from ganpipe.params import load_all

    folder = presets_dir(args.presets)
    names = sorted(p.stem for p in folder.glob("*.yaml"))
    if args.name is None:
        print("\n".join(names))
        return
    source = folder / f"{args.name}.yaml"
    if not source.exists():
        raise UserError(f"unknown preset {args.name!r}; presets: {', '.join(names)}")
    params = load_all(source)  # a broken preset must not replace a working params.yaml
    Path(args.params).write_text(complete_preset(source.read_text(), params))
    print(f"params.yaml is now the {args.name} preset; run `dvc repro`")
    for path in _missing_inputs(params):
        print(
            f"note: {path} does not exist yet; put the data there (see the comment at the "
            f"top of params.yaml) or change the source's path before `dvc repro`"
        )


def _review(args: argparse.Namespace) -> None:
    from ganpipe.clean.rows import parse_colour
    from ganpipe.params import load_all
    from ganpipe.review.server import serve

    params = load_all(args.params)
    serve(
        Path(args.filtered),
        Path(args.raw),
        Path(args.suspects),
        Path(args.reject_list),
        parse_colour(params["reduce"].background),
        args.port,
        params["filter"].review_per_class,
    )


Commands = Any  # argparse's private _SubParsersAction: what add_subparsers returns


def _model_command(commands: Commands, name: str, help_text: str) -> argparse.ArgumentParser:
    """A subcommand that reads an exported generator (sample, grid, info)."""
    sub = commands.add_parser(name, help=help_text, description=help_text)
    sub.add_argument(
        "--checkpoint",
        default="models/generator.pt",
        help="exported generator (default: %(default)s)",
    )
    return sub


def _truncation(text: str) -> float:
    """``--truncation``: a threshold as ``sample.truncation`` allows it (0 = off)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    problem = truncation_problem(value)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return value


def _add_truncation(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--truncation",
        type=_truncation,
        default=0.0,
        metavar="T",
        help="truncation trick: redraw latent components with |z_i| > T (BigGAN); smaller T "
        "gives more typical, less varied images; 0 = off (default)",
    )


def _add_sample(commands: Commands) -> None:
    sample = _model_command(commands, "sample", "Generate n images of one class into a PNG grid.")
    sample.add_argument(
        "--class",
        dest="class_name",
        default=None,
        help="class name or index (omit for unconditional models)",
    )
    sample.add_argument("-n", type=int, default=16, help="number of images (default: 16)")
    sample.add_argument("--seed", type=int, default=0, help="image i depends only on the seed")
    sample.add_argument("--columns", type=int, default=8, help="images per grid row")
    sample.add_argument("-o", "--output", default="samples.png", help="PNG file to write")
    _add_truncation(sample)
    sample.set_defaults(run=_sample)


def _add_grid(commands: Commands) -> None:
    grid = _model_command(
        commands, "grid", "Write the class-per-row grid (the seeds' 10x10 figure)."
    )
    grid.add_argument("--columns", type=int, default=10)
    grid.add_argument("--seed", type=int, default=0)
    grid.add_argument("-o", "--output", default="grid.png")
    _add_truncation(grid)
    grid.set_defaults(run=_grid)


def _add_info(commands: Commands) -> None:
    info = _model_command(
        commands, "info", "Print the model summary: classes, size, parameters, layers."
    )
    info.set_defaults(run=_info)


def _add_preset(commands: Commands) -> None:
    preset = commands.add_parser(
        "preset",
        help="Switch params.yaml to a named preset.",
        description="Copy presets/NAME.yaml over params.yaml (validated first; sections the "
        "preset lacks are written at their defaults). Without NAME, list presets.",
    )
    preset.add_argument("name", nargs="?", help="e.g. fashion-mnist, mnist, car-logos")
    preset.add_argument("--params", default="params.yaml", help="file to write")
    preset.add_argument(
        "--presets",
        default=None,
        help="folder of presets (default: ./presets, else the installed ones)",
    )
    preset.set_defaults(run=_preset)


def _add_review(commands: Commands) -> None:
    review = commands.add_parser(
        "review",
        help="Click through the images filter kept and mark rejects (writes reject.txt).",
        description="Serve the images filter kept on 127.0.0.1, per class, most suspicious "
        "first. A click marks an image for rejection in --reject-list; `dvc repro` "
        "then re-runs filter and the stages after it.",
    )
    review.add_argument(
        "--port", type=int, default=8765, help="default: %(default)s; 0 picks a free port"
    )
    review.add_argument("--params", default="params.yaml", help="default: %(default)s")
    review.add_argument(
        "--filtered", default="data/filtered", help="filter's output (default: %(default)s)"
    )
    review.add_argument("--raw", default="data/raw", help="filter's input (default: %(default)s)")
    review.add_argument(
        "--reject-list",
        default="reject.txt",
        help="filter's reject list, as dvc.yaml's filter cmd names it (default: %(default)s)",
    )
    review.add_argument(
        "--suspects",
        default="data/curated/suspects.csv",
        help="the suspect ranking, if there is one (default: %(default)s)",
    )
    review.set_defaults(run=_review)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ganpipe",
        description="Sample from and inspect generators trained by ganpipe, switch presets, "
        "review the filtered images.",
        epilog="The pipeline itself runs with `dvc repro`; see README.md.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in (_add_sample, _add_grid, _add_info, _add_preset, _add_review):
        add(commands)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    try:
        args.run(args)
    except USER_ERRORS as err:
        print(f"ganpipe {args.command}: error: {err}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
