"""Stage curate: rank images by suspicion (mislabelled, off-topic); optionally drop the worst."""

from ganpipe import stagekit
from ganpipe.params import load_all
from ganpipe.stages.curate import run_curate


def main() -> None:
    paths, params_file = stagekit.parse_paths(__doc__, stagekit.InOutMetrics)
    params = load_all(params_file)
    queries = {k: v for source in params["scrape"].sources for k, v in source.queries.items()}
    run_curate(paths, params=params["curate"], queries=queries)


if __name__ == "__main__":
    stagekit.run(main, "curate")
