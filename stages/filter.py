"""Stage filter: reject unusable images (each with a reason) and write review sheets."""

from ganpipe import stagekit
from ganpipe.params import load_all
from ganpipe.stages.filter import FilterPaths, run_filter


def main() -> None:
    paths, params_file = stagekit.parse_paths(__doc__, FilterPaths)
    params = load_all(params_file)
    run_filter(paths, params=params["filter"], background=params["reduce"].background)


if __name__ == "__main__":
    stagekit.run(main, "filter")
