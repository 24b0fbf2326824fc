"""Stage curate: rank images by suspicion (mislabelled, off-topic); optionally drop the worst."""

from ganpipe import stagekit
from ganpipe.params import load_all
from ganpipe.stages.curate import run_curate


def main() -> None:
    args = stagekit.parse(__doc__, "inp", "out", "metrics")
    params = load_all(args.params)
    queries = {k: v for source in params["scrape"].sources for k, v in source.queries.items()}
    run_curate(args.inp, args.out, args.metrics, params["curate"], queries)


if __name__ == "__main__":
    stagekit.run(main, "curate")
