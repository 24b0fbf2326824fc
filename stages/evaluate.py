"""Stage evaluate: score generated samples against held-out real images."""

from pathlib import Path

from ganpipe import stagekit
from ganpipe.metrics.registry import run_evaluate
from ganpipe.params import load_all


def main() -> None:
    args = stagekit.parse(
        __doc__,
        samples="data/samples",
        real="data/resized",
        classifier="models/classifier.pt",
        models="models",
        metrics="metrics/evaluate.json",
        curve="metrics/snapshot_curve.json",
    )
    params = load_all(args.params)
    run_evaluate(
        Path(args.samples),
        Path(args.real),
        Path(args.classifier),
        Path(args.metrics),
        params["evaluate"],
        params["classifier"],
        Path(args.models),
        Path(args.curve),
    )


if __name__ == "__main__":
    stagekit.run(main, "evaluate")
