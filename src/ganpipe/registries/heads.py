"""What each discriminator head (``train.d_head``) is: one table that params validation, the
heads (models/heads.py), the losses (train/losses.py) and the training step all read.

A new head is a row here and its layers in models/heads.py; the losses and the step follow
from its traits. Kept free of torch so that loading params.yaml stays light.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Layers = Literal["classifier", "ssl", "projection", "d2d"]
ClassLoss = Literal["cross-entropy", "d2d", "none"]


@dataclass(frozen=True)
class HeadKind:
    """One head's traits."""

    layers: Layers  # its layers on D's features (models/heads.py builds each kind)
    # D's and G's class term: AC-GAN's cross-entropy on the class scores, ReACGAN's
    # data-to-data cross-entropy on the embeddings, or none (the class is in the real/fake logit)
    class_loss: ClassLoss
    reads_labels: bool  # D's forward reads y, so every real image needs its label
    # needs classes and ganpipe's own D; acgan alone also runs unconditional (no classes) and is
    # the head the seed's own D has
    conditional_only: bool
    no_class_loss_on_fakes: str = ""  # why d_aux_on_fake cannot apply ("" = it can)

    @property
    def classifies(self) -> bool:
        """Whether a loss trains its class scores, so that D's class guess means something."""
        return self.class_loss != "none"


D_HEADS: dict[str, HeadKind] = {
    # a real/fake logit and K class logits (Odena et al. 2017)
    "acgan": HeadKind("classifier", "cross-entropy", reads_labels=False, conditional_only=False),
    # one K+1-way softmax whose last class is "fake" (Salimans et al. 2016; the car-logo seed)
    "ssl": HeadKind(
        "ssl",
        "cross-entropy",
        reads_labels=False,
        conditional_only=True,
        no_class_loss_on_fakes="there fakes belong to the 'fake' class",
    ),
    # linear(h) + <embed(y), h> (Miyato & Koyama 2018)
    "projection": HeadKind(
        "projection",
        "none",
        reads_labels=True,
        conditional_only=True,
        no_class_loss_on_fakes="its class term is inside the real/fake logit",
    ),
    # the projection whose class scores are also AC-GAN's class logits (P2GAN, Han et al. 2021)
    "projection-ac": HeadKind(
        "projection", "cross-entropy", reads_labels=True, conditional_only=True
    ),
    # a real/fake logit and the data-to-data cross-entropy (ReACGAN, Kang et al. 2021)
    "reacgan": HeadKind("d2d", "d2d", reads_labels=True, conditional_only=True),
}
DHeadName = Literal[tuple(D_HEADS)]  # type: ignore[valid-type]
