"""Stage curate: rank images by suspicion (mislabelled, off-topic); optionally drop the worst."""

from pathlib import Path

from ganpipe import stagekit
from ganpipe.params import load_all
from ganpipe.stages.curate import run_curate


def main() -> None:
    args = stagekit.parse(
        __doc__, inp="data/resized", out="data/curated", metrics="metrics/curate.json"
    )
    params = load_all(args.params)
    queries = {k: v for source in params["scrape"].sources for k, v in source.queries.items()}
    run_curate(Path(args.inp), Path(args.out), Path(args.metrics), params["curate"], queries)


if __name__ == "__main__":
    stagekit.run(main, "curate")
