"""Stage resize: every image to resize.image_size, letterboxed, cropped or stretched."""

from ganpipe import stagekit
from ganpipe.params import load_all
from ganpipe.stages.resize import run_resize


def main() -> None:
    paths, params_file = stagekit.parse_paths(__doc__, stagekit.InOut)
    params = load_all(params_file)
    run_resize(paths, params=params["resize"], background=params["reduce"].background)


if __name__ == "__main__":
    stagekit.run(main, "resize")
