"""Stage classifier: the domain classifier, trained on the real training split."""

from ganpipe import stagekit
from ganpipe.params import load_section
from ganpipe.stages.classifier import run_classifier


def main() -> None:
    args = stagekit.parse(__doc__, "inp", "model", "metrics")
    run_classifier(args.inp, args.model, args.metrics, load_section("classifier", args.params))


if __name__ == "__main__":
    stagekit.run(main, "classifier")
