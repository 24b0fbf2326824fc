"""Real batches and latents for the training loop, drawn identically on every process."""

from __future__ import annotations

import torch

from ganpipe.data import ImageSet, to_float
from ganpipe.params import TrainParams
from ganpipe.train.losses import UNLABELLED


class Sampler:
    """Draws real batches (uniform over images, or over classes when balanced) and latents.

    Every process draws the whole global batch from the same generator and keeps its ``rows``:
    the generators stay in step, and what is drawn does not depend on the number of processes.
    """

    def __init__(
        self,
        data: ImageSet,
        p: TrainParams,
        n_classes: int,
        g: torch.Generator,
        rows: slice,
        device: torch.device,
    ):
        self.p, self.n_classes, self.g, self.rows = p, n_classes, g, rows
        self.by_class = [torch.nonzero(data.labels == c).squeeze(1) for c in range(n_classes)]
        # uint8 on the device (47 MB for Fashion-MNIST): a batch is one gather, not a copy
        self.images = data.images.to(device)
        self.labels = hide_labels(data.labels, p.labelled_fraction, p.seed).to(device)

    def real(self) -> tuple[torch.Tensor, torch.Tensor]:
        n = self.p.batch_size
        if self.p.balanced_sampling and self.n_classes:
            classes = torch.randint(self.n_classes, (n,), generator=self.g)
            index = torch.stack([self._one_of(c) for c in classes.tolist()])
        else:
            index = torch.randint(len(self.labels), (n,), generator=self.g)
        index = index[self.rows].to(self.labels.device)
        return to_float(self.images[index]), self.labels[index]

    def _one_of(self, c: int) -> torch.Tensor:
        members = self.by_class[c]
        return members[torch.randint(len(members), (1,), generator=self.g)][0]

    def latent(self) -> tuple[torch.Tensor, torch.Tensor]:
        z = torch.randn(self.p.batch_size, self.p.z_dim, generator=self.g)
        y = torch.randint(max(self.n_classes, 1), (self.p.batch_size,), generator=self.g)
        return z[self.rows], y[self.rows]


def hide_labels(labels: torch.Tensor, fraction: float, seed: int) -> torch.Tensor:
    """Keep ``fraction`` of each class's labels (at least one per class) and mark the rest
    UNLABELLED; the same images for the same seed, so a resumed run hides the same ones."""
    if fraction >= 1:
        return labels
    g = torch.Generator().manual_seed(seed)
    out = torch.full_like(labels, UNLABELLED)
    for c in labels.unique().tolist():
        members = torch.nonzero(labels == c).squeeze(1)
        n_keep = max(1, round(fraction * len(members)))
        out[members[torch.randperm(len(members), generator=g)[:n_keep]]] = c
    return out
