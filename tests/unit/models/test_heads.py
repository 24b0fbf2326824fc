"""D's conditional heads: the projection logit and ReACGAN's embeddings, computed by hand."""

import pytest
import torch
from torch.nn.utils.parametrizations import spectral_norm

from ganpipe.models.heads import DOutput, HeadedDiscriminator


class Heads(HeadedDiscriminator):
    """Heads alone, on 6 features (a D's trunk would produce them)."""

    def __init__(self, n_classes: int, kind: str, sn: bool = False) -> None:
        super().__init__()
        self.build_heads(6, n_classes, kind, spectral_norm if sn else (lambda m: m), 4)

    def forward(self, h: torch.Tensor, y: torch.Tensor | None) -> DOutput:
        return self.heads(h, y)


def _heads(kind: str, sn: bool = False) -> Heads:
    torch.manual_seed(0)
    return Heads(3, kind, sn)


def test_projection_adds_the_label_embedding_dot_features() -> None:
    heads = _heads("projection")
    h, y = torch.randn(5, 6), torch.tensor([0, 2, 1, 2, 0])
    out = heads(h, y)
    linear = h @ heads.adv_head.weight[0] + heads.adv_head.bias[0]
    by_hand = linear + (heads.class_embed.weight[y] * h).sum(1)
    torch.testing.assert_close(out.adv, by_hand)
    assert out.cls.shape == (5, 3) and out.embed is None  # scores for the class accuracy
    torch.testing.assert_close(out.cls.gather(1, y[:, None]).squeeze(1), by_hand - linear)


def test_projection_ac_is_the_projection_logit_with_its_class_scores_as_logits() -> None:
    h, y = torch.randn(5, 6), torch.tensor([0, 2, 1, 2, 0])
    projection, dual = _heads("projection")(h, y), _heads("projection-ac")(h, y)
    torch.testing.assert_close(dual.adv, projection.adv)
    torch.testing.assert_close(dual.cls, projection.cls)


def test_reacgan_gives_unit_embeddings_and_the_label_proxies() -> None:
    heads = _heads("reacgan", sn=True)
    h, y = torch.randn(5, 6), torch.tensor([0, 2, 1, 2, 0])
    out = heads(h.bfloat16().float(), y)
    torch.testing.assert_close(out.embed.norm(dim=1), torch.ones(5))
    proxies = torch.nn.functional.normalize(heads.proxies.weight, dim=1)
    torch.testing.assert_close(out.proxy, proxies[y])
    torch.testing.assert_close(out.cls, out.embed @ proxies.t())  # cosines to every proxy
    assert out.adv.shape == (5,) and out.embed.dtype == torch.float32


@pytest.mark.parametrize("kind", ["projection", "projection-ac", "reacgan"])
def test_label_reading_heads_refuse_to_run_without_labels(kind: str) -> None:
    with pytest.raises(ValueError, match=f"d_head '{kind}' needs the labels"):
        _heads(kind)(torch.randn(2, 6), None)


def test_unconditional_heads_ignore_the_kind_and_split_rows() -> None:
    heads = Heads(0, "reacgan")
    out = heads(torch.randn(4, 6), None)
    assert out.cls is None and out.embed is None
    first, rest = out.split(1)
    assert isinstance(first, DOutput) and first.adv.shape == (1,) and rest.adv.shape == (3,)
    assert rest.cls is None
