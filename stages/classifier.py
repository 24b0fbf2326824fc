"""Stage classifier: the domain classifier, trained on the real training split."""

from pathlib import Path

from ganpipe import stagekit
from ganpipe.metrics.domain import run_classifier
from ganpipe.params import load_section


def main() -> None:
    args = stagekit.parse(
        __doc__, inp="data/resized", model="models/classifier.pt", metrics="metrics/classifier.json"
    )
    run_classifier(
        Path(args.inp),
        Path(args.model),
        Path(args.metrics),
        load_section("classifier", args.params),
    )


if __name__ == "__main__":
    stagekit.run(main, "classifier")
