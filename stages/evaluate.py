"""Stage evaluate: score generated samples against held-out real images."""

from ganpipe import stagekit
from ganpipe.params import load_all
from ganpipe.stages.evaluate import EvaluatePaths, run_evaluate


def main() -> None:
    paths, params_file = stagekit.parse_paths(__doc__, EvaluatePaths)
    params = load_all(params_file)
    run_evaluate(
        paths,
        params=params["evaluate"],
        classifier_params=params["classifier"],
        checkpoint=params["sample"].checkpoint,
    )


if __name__ == "__main__":
    stagekit.run(main, "evaluate")
