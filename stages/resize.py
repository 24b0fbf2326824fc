"""Stage resize: every image to resize.image_size, letterboxed, cropped or stretched."""

from pathlib import Path

from ganpipe import stagekit
from ganpipe.clean.resize import run_resize
from ganpipe.params import load_all


def main() -> None:
    args = stagekit.parse(__doc__, inp="data/rgb", out="data/resized")
    params = load_all(args.params)
    run_resize(Path(args.inp), Path(args.out), params["resize"], params["reduce"].background)


if __name__ == "__main__":
    stagekit.run(main, "resize")
