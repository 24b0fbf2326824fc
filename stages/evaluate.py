"""Stage evaluate: score generated samples against held-out real images."""

from ganpipe import stagekit
from ganpipe.params import load_all
from ganpipe.stages.evaluate import run_evaluate


def main() -> None:
    args = stagekit.parse(
        __doc__,
        "samples",
        "real",
        "classifier",
        "models",
        "metrics",
        "curve",
        "truncation_curve",
    )
    params = load_all(args.params)
    run_evaluate(
        args.samples,
        args.real,
        args.classifier,
        args.metrics,
        params["evaluate"],
        params["classifier"],
        args.models,
        args.curve,
        args.truncation_curve,
        params["sample"].checkpoint,
    )


if __name__ == "__main__":
    stagekit.run(main, "evaluate")
