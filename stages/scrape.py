"""Stage scrape: gather labelled images from the configured sources into data/raw."""

from ganpipe import stagekit
from ganpipe.params import load_section
from ganpipe.stages.scrape import run_scrape


def main() -> None:
    args = stagekit.parse(__doc__, "out", "metrics")
    rows = run_scrape(load_section("scrape", args.params), args.out, args.metrics)
    print(f"scrape: {sum(r.status == 'kept' for r in rows)} of {len(rows)} images kept")


if __name__ == "__main__":
    stagekit.run(main, "scrape")
