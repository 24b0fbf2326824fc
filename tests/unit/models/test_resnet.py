"""The residual G and D: shapes at every size and channel count, conditioning, layout."""

import pytest
import torch

from ganpipe.models import build_models
from ganpipe.models.layers import SharedConditionalBatchNorm2d, halvings
from ganpipe.models.resnet import ResDownBlock, ResNetDiscriminator, ResNetGenerator
from ganpipe.params import TrainParams

TINY = TrainParams(arch="resnet", g_channels=32, d_channels=8, z_dim=16)


@pytest.mark.parametrize("size", [28, 32, 64, 128])
@pytest.mark.parametrize("channels", [1, 3])
def test_shapes(size: int, channels: int) -> None:
    G, D = build_models(TINY, size, channels, 5)
    assert isinstance(G, ResNetGenerator) and isinstance(D, ResNetDiscriminator)
    y = torch.tensor([0, 4])
    x = G(torch.randn(2, 16), y)
    assert x.shape == (2, channels, size, size) and x.abs().max() <= 1
    adv, logits, features, *_ = D(x, y)
    width = 8 * 2 ** (halvings(size)[1] - 1)  # d_channels, doubled per halving but the first
    assert adv.shape == (2,) and logits.shape == (2, 5) and features.shape == (2, width)


def test_28px_generator_starts_from_7x7_and_d_ends_at_7x7() -> None:
    G, D = build_models(TINY, 28, 1, 3)
    assert G.base == 7 and len(G.blocks) == 2  # 7 -> 14 -> 28
    sizes = []
    hooks = [b.register_forward_hook(lambda m, i, o: sizes.append(o.shape[-1])) for b in D.blocks]
    D(torch.randn(2, 1, 28, 28), torch.tensor([0, 1]))
    assert sizes == [14, 7, 7]  # optimized block, down-block, block at the base
    for hook in hooks:
        hook.remove()


@pytest.mark.parametrize("conditioning", ["embed-mul", "onehot-concat", "cbn"])
def test_every_conditioning_changes_the_image(conditioning: str) -> None:
    p = TrainParams(arch="resnet", conditioning=conditioning, g_channels=32, z_dim=16)
    G, _ = build_models(p, 32, 3, 3)
    with torch.no_grad():  # CBN starts class-neutral (gamma 1, beta 0): move off the init
        for weight in G.parameters():
            weight.add_(0.05 * torch.randn_like(weight))
    G.eval()
    out = G(torch.randn(1, 16).repeat(2, 1), torch.tensor([0, 2]))
    assert not torch.allclose(out[0], out[1])


def test_unconditional_and_without_batchnorm() -> None:
    p = TrainParams(arch="resnet", class_conditional=False, g_batchnorm=False, g_channels=32, d_channels=8)
    G, D = build_models(p, 32, 3, 10)
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in G.modules())
    adv, logits, *_ = D(G(torch.randn(2, 100)))
    assert logits is None and adv.shape == (2,)


def test_spectral_norm_wraps_every_d_layer() -> None:
    _, D = build_models(TrainParams(arch="resnet", d_spectral_norm=True, d_channels=8), 28, 1, 2)
    layers = [m for m in D.modules() if isinstance(m, torch.nn.Conv2d | torch.nn.Linear)]
    assert layers and all(hasattr(m, "parametrizations") for m in layers)


def test_optimized_block_reads_the_image_without_relu_and_pools_the_shortcut_first() -> None:
    torch.manual_seed(0)
    block = ResDownBlock(3, 4, lambda m: m, down=True, first=True)
    x = torch.randn(2, 3, 8, 8)
    F = torch.nn.functional
    by_hand = F.avg_pool2d(block.conv2(F.relu(block.conv1(x))), 2) + F.avg_pool2d(
        block.shortcut(x), 2
    )  # SNGAN's order: convolve, then pool (the block pools first, 4x cheaper, same result)
    torch.testing.assert_close(block(x), by_hand, rtol=1e-5, atol=1e-6)


def test_channels_last_input_stays_channels_last_through_g_and_d() -> None:
    G, D = build_models(TINY, 64, 3, 5)
    G, D = G.to(memory_format=torch.channels_last), D.to(memory_format=torch.channels_last)
    y = torch.tensor([1, 2])
    x = G(torch.randn(2, 16), y)
    assert x.is_contiguous(memory_format=torch.channels_last)
    out = D(x, y)
    torch.testing.assert_close(out.adv, D(x.contiguous(), y).adv, rtol=1e-4, atol=1e-5)


def test_cbn_is_biggan_style_on_a_shared_class_embedding() -> None:
    p = TrainParams(arch="resnet", conditioning="cbn", g_channels=32, z_dim=16)
    G, _ = build_models(p, 32, 3, 4)
    norms = [m for m in G.modules() if isinstance(m, SharedConditionalBatchNorm2d)]
    assert len(norms) == 2 * len(G.blocks) and G.class_embed.weight.shape == (4, 128)
    G.eval()
    with torch.no_grad():  # classes differ from the start (per-class scales would start at 1)
        out = G(torch.randn(1, 16).repeat(2, 1), torch.tensor([0, 3]))
        assert not torch.allclose(out[0], out[1])
        norm, x = norms[0], torch.randn(2, norms[0].norm.num_features, 4, 4)
        e = G.class_embed(torch.tensor([1, 2]))
        by_hand = norm.norm(x) * (1 + e @ norm.gain.weight.t())[:, :, None, None] + (
            e @ norm.bias.weight.t()
        )[:, :, None, None]
        torch.testing.assert_close(norm(x, e), by_hand)
