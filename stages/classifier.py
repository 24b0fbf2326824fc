"""Stage classifier: the domain classifier, trained on the real training split."""

from ganpipe import stagekit
from ganpipe.params import load_section
from ganpipe.stages.classifier import ClassifierPaths, run_classifier


def main() -> None:
    paths, params = stagekit.parse_paths(__doc__, ClassifierPaths)
    run_classifier(paths, params=load_section("classifier", params))


if __name__ == "__main__":
    stagekit.run(main, "classifier")
