"""The head table: every row is built, trained and validated by what its traits say."""

from __future__ import annotations

import re
from typing import get_args

import pytest
import torch

from ganpipe.models.heads import DOutput, HeadedDiscriminator
from ganpipe.params import ParamsError, TrainParams, build
from ganpipe.registries.heads import D_HEADS, DHeadName
from ganpipe.train.losses import class_loss

K, FEATURES = 3, 8


def test_the_params_literal_is_the_tables_names_in_order() -> None:
    assert get_args(DHeadName) == tuple(D_HEADS)
    assert TrainParams.__pydantic_fields__["d_head"].annotation == DHeadName


@pytest.mark.parametrize("name", sorted(D_HEADS))
def test_each_head_gives_class_scores_and_its_class_loss(name: str) -> None:
    D = HeadedDiscriminator()
    D.build_heads(FEATURES, K, name, lambda m: m, embed_dim=4)
    y = torch.tensor([0, 1, 2, 1])
    out = D.heads(torch.randn(4, FEATURES), y)
    assert out.adv.shape == (4,) and out.cls.shape == (4, K)
    assert (out.embed is not None) == (D_HEADS[name].class_loss == "d2d")
    loss = class_loss(out, y, TrainParams(d_head=name))
    assert (loss.item() != 0) == D_HEADS[name].classifies


def test_a_head_whose_loss_needs_embeddings_it_lacks_is_an_error_not_another_loss() -> None:
    out = DOutput(torch.zeros(2), torch.zeros(2, K), torch.zeros(2, FEATURES))
    with pytest.raises(ValueError, match="d_head 'reacgan' has the d2d loss"):
        class_loss(out, torch.tensor([0, 1]), TrainParams(d_head="reacgan"))


@pytest.mark.parametrize("name", [n for n, h in D_HEADS.items() if h.no_class_loss_on_fakes])
def test_heads_that_refuse_class_loss_on_fakes_say_why(name: str) -> None:
    with pytest.raises(
        ParamsError, match=f"train.d_aux_on_fake: must be false with d_head '{name}'"
    ):
        build(TrainParams, {"d_head": name, "d_aux_on_fake": True}, "train")


@pytest.mark.parametrize("name", [n for n, h in D_HEADS.items() if h.reads_labels])
def test_heads_that_read_labels_need_every_label(name: str) -> None:
    with pytest.raises(ParamsError, match=re.escape("train.labelled_fraction: must be 1")):
        build(TrainParams, {"d_head": name, "labelled_fraction": 0.5}, "train")


@pytest.mark.parametrize("name", [n for n, h in D_HEADS.items() if h.conditional_only])
def test_conditional_only_heads_refuse_an_unconditional_run(name: str) -> None:
    with pytest.raises(ParamsError, match=re.escape(f"train.d_head: '{name}' needs classes")):
        build(TrainParams, {"d_head": name, "class_conditional": False}, "train")
