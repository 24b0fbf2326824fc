"""Stage scrape: gather labelled images from the configured sources into data/raw."""

from ganpipe import stagekit
from ganpipe.params import load_section
from ganpipe.stages.scrape import ScrapePaths, run_scrape


def main() -> None:
    paths, params = stagekit.parse_paths(__doc__, ScrapePaths)
    rows = run_scrape(paths, params=load_section("scrape", params))
    print(f"scrape: {sum(r.status == 'kept' for r in rows)} of {len(rows)} images kept")


if __name__ == "__main__":
    stagekit.run(main, "scrape")
