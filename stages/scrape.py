"""Stage scrape: gather labelled images from the configured sources into data/raw."""

from pathlib import Path

from ganpipe import stagekit
from ganpipe.params import load_section
from ganpipe.scrape.stage import run_scrape


def main() -> None:
    args = stagekit.parse(__doc__, out="data/raw", metrics="metrics/scrape.json")
    rows = run_scrape(load_section("scrape", args.params), Path(args.out), Path(args.metrics))
    print(f"scrape: {sum(r.status == 'kept' for r in rows)} of {len(rows)} images kept")


if __name__ == "__main__":
    stagekit.run(main, "scrape")
