"""D's heads on its pooled features: real/fake, and the class-conditional head ``d_head`` picks.

Every discriminator (DCGAN stack, residual, the seed's) returns a :class:`DOutput`, so the losses
and the training step need not know which architecture or head produced it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import torch
from torch import nn
from torch.nn import functional as F

from ganpipe.registries.heads import D_HEADS


class DOutput(NamedTuple):
    """What D says about a batch."""

    adv: torch.Tensor  # (N,) real-vs-fake logit
    cls: torch.Tensor | None  # (N, K) class scores (argmax = D's class guess); None: no classes
    features: torch.Tensor  # (N, F) D's last shared features (feature matching)
    embed: torch.Tensor | None = None  # reacgan: (N, E) unit-length embedding of each image
    proxy: torch.Tensor | None = None  # reacgan: (N, E) unit-length proxy of each image's label

    def split(self, n: int) -> tuple[DOutput, DOutput]:
        """The first ``n`` rows and the rest (D sees real and fake as one batch)."""
        halves = [t.split([n, len(t) - n]) if t is not None else (None, None) for t in self]
        return DOutput(*(h[0] for h in halves)), DOutput(*(h[1] for h in halves))

    def detach(self) -> DOutput:
        return DOutput(*(t.detach() if t is not None else None for t in self))


def ssl_split(logits: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Split K+1 logits (the last one "fake") into a real/fake logit and the K class logits.

    Salimans et al. 2016: p(real | x) = 1 - softmax(logits)[K], whose logit is
    ``logsumexp(logits[:K]) - logits[K]``; p(y | x, real) = softmax(logits[:K]). With these
    the usual BCE and class cross-entropy add up to the paper's loss (see tests/unit/train).
    """
    logits = logits.float()  # logsumexp in bf16 under autocast would lose the fake margin
    return torch.logsumexp(logits[:, :-1], dim=1) - logits[:, -1], logits[:, :-1]


Wrap = Callable[[nn.Module], nn.Module]  # spectral norm or identity


def _xavier(embedding: nn.Embedding) -> nn.Embedding:
    """Class embeddings on the scale of the features they meet (N(0, 1) would let the class
    term drown the real/fake one at the start)."""
    nn.init.xavier_uniform_(embedding.weight)
    return embedding


class HeadedDiscriminator(nn.Module):
    """Base of every ganpipe D: the heads ``train.d_head`` names, on D's pooled features.

    - ``acgan``: a real/fake logit and K class logits (Odena et al. 2017).
    - ``ssl``: one K+1-way softmax whose last class is "fake" (:func:`ssl_split`).
    - ``projection``: ``linear(h) + <embed(y), h>`` (Miyato & Koyama 2018); its class scores
      ``<embed(c), h>`` for every c are what the real/fake logit adds for class c.
    - ``projection-ac``: the projection D whose class scores are also trained as AC-GAN's class
      logits (the dual projection of P2GAN, Han et al. 2021): the projection's diversity with
      an auxiliary classifier's class fidelity, on one class embedding.
    - ``reacgan``: a real/fake logit, plus unit-length embeddings of the image and of its
      label's proxy for the data-to-data cross-entropy (Kang et al. 2021); its class scores are
      the cosine similarities to every class proxy.

    With ``n_classes == 0`` only the real/fake logit is left (unconditional DCGAN). The heads
    are attributes of D itself, named as before heads were shared, so checkpoints still load.
    """

    def build_heads(
        self, features: int, n_classes: int, kind: str, sn: Wrap, embed_dim: int = 512
    ) -> None:
        """The layers of head ``kind`` (its row of ganpipe.registries.heads.D_HEADS); with no classes
        only the real/fake logit."""
        self.head_kind = kind if n_classes else "none"
        self.head_layers = D_HEADS[kind].layers if n_classes else "none"
        if self.head_layers == "ssl":
            self.class_head = sn(nn.Linear(features, n_classes + 1))
            return
        self.adv_head = sn(nn.Linear(features, 1))
        if self.head_layers == "classifier":
            self.class_head = sn(nn.Linear(features, n_classes))
        elif self.head_layers == "projection":
            self.class_embed = sn(_xavier(nn.Embedding(n_classes, features)))
        elif self.head_layers == "d2d":
            self.to_embed = sn(nn.Linear(features, embed_dim))
            self.proxies = sn(_xavier(nn.Embedding(n_classes, embed_dim)))

    def heads(self, h: torch.Tensor, y: torch.Tensor | None) -> DOutput:
        """D's output from its features ``h`` (N, F) and the labels ``y`` (N,)."""
        if self.head_layers == "ssl":
            return DOutput(*ssl_split(self.class_head(h)), h)
        adv = self.adv_head(h).squeeze(1)
        if self.head_layers == "classifier":
            return DOutput(adv, self.class_head(h), h)
        if self.head_layers == "none":
            return DOutput(adv, None, h)
        if y is None:
            raise ValueError(f"d_head '{self.head_kind}' needs the labels: call D(x, y)")
        if self.head_layers == "projection":
            scores = h @ self.class_embed.weight.t()
            return DOutput(adv + scores.gather(1, y[:, None]).squeeze(1), scores, h)
        # Unit length in fp32: the D2D-CE divides cosines by a temperature (losses.py)
        embed = F.normalize(self.to_embed(h).float(), dim=1)
        proxies = F.normalize(self.proxies.weight.float(), dim=1)
        return DOutput(adv, embed @ proxies.t(), h, embed, proxies[y])
