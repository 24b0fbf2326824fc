"""What the params tests share: the repository, a params.yaml writer, the smallest valid files."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
MNIST = "scrape:\n  sources: [{kind: dataset, name: mnist}]\n"
SOURCE = "scrape:\n  sources: [{kind: folder, root: x}]\n"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "params.yaml"
    path.write_text(text)
    return path
