"""Stage resize: every image to resize.image_size, letterboxed, cropped or stretched."""

from ganpipe import stagekit
from ganpipe.params import load_all
from ganpipe.stages.resize import run_resize


def main() -> None:
    args = stagekit.parse(__doc__, "inp", "out")
    params = load_all(args.params)
    run_resize(args.inp, args.out, params["resize"], params["reduce"].background)


if __name__ == "__main__":
    stagekit.run(main, "resize")
