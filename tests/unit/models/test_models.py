"""Generator and discriminator shapes for every supported size, conditioning and option."""

import pytest
import torch

from ganpipe.models import build_models, with_arch_settings
from ganpipe.models.layers import halvings
from ganpipe.params import TrainParams


@pytest.mark.parametrize(
    ("size", "expected"),
    [(28, (7, 2)), (32, (4, 3)), (64, (4, 4)), (128, (4, 5)), (256, (4, 6)), (48, (6, 3))],
)
def test_halvings(size: int, expected: tuple[int, int]) -> None:
    assert halvings(size) == expected


def test_unsupported_size_lists_supported_ones() -> None:
    with pytest.raises(ValueError, match="image size 100 is not supported: use 28, 32"):
        halvings(100)


@pytest.mark.parametrize("size", [28, 32, 64, 128, 256])
@pytest.mark.parametrize("channels", [1, 3])
def test_shapes(size: int, channels: int) -> None:
    G, D = build_models(TrainParams(g_channels=32, d_channels=16), size, channels, 5)
    z, y = torch.randn(2, 100), torch.tensor([0, 4])
    x = G(z, y)
    assert x.shape == (2, channels, size, size)
    assert x.abs().max() <= 1
    adv, logits, features, *_ = D(x, y)
    assert adv.shape == (2,) and logits.shape == (2, 5) and features.ndim == 2


@pytest.mark.parametrize("conditioning", ["embed-mul", "onehot-concat", "cbn"])
@pytest.mark.parametrize("upsample", ["transpose", "nearest", "bilinear"])
def test_conditioning_changes_output(conditioning: str, upsample: str) -> None:
    G, _ = build_models(
        TrainParams(conditioning=conditioning, upsample=upsample, g_channels=32), 28, 1, 3
    )
    with torch.no_grad():  # CBN starts class-neutral (gamma 1, beta 0): move off the init
        for weight in G.parameters():
            weight.add_(0.05 * torch.randn_like(weight))
    G.eval()
    z = torch.randn(1, 100).repeat(2, 1)
    out = G(z, torch.tensor([0, 2]))
    assert not torch.allclose(out[0], out[1])


def test_bilinear_upsampling_interpolates_where_nearest_repeats() -> None:
    """Same weights, other upsampling: G's first doubling gives smooth, not 2x2-block, maps."""
    torch.manual_seed(0)
    nearest, _ = build_models(TrainParams(upsample="nearest", g_channels=32), 28, 1, 3)
    bilinear, _ = build_models(TrainParams(upsample="bilinear", g_channels=32), 28, 1, 3)
    bilinear.load_state_dict(nearest.state_dict())
    x = torch.arange(16.0).view(1, 1, 4, 4)
    doubled = {mode: G.blocks[0].conv[0](x) for mode, G in [("n", nearest), ("b", bilinear)]}
    assert torch.equal(doubled["n"][..., ::2, ::2], doubled["n"][..., 1::2, 1::2])
    assert doubled["b"][0, 0, 2, 2] == pytest.approx(3.75)  # the ramp 4r + c at (0.75, 0.75)
    z, y = torch.randn(2, 100), torch.tensor([0, 2])
    assert not torch.allclose(nearest.eval()(z, y), bilinear.eval()(z, y))


def test_dcgan_mode_has_no_class_head() -> None:
    G, D = build_models(TrainParams(class_conditional=False, g_channels=32), 64, 3, 10)
    adv, logits, *_ = D(G(torch.randn(2, 100)))
    assert logits is None and adv.shape == (2,)


def test_spectral_norm_and_dropout_options() -> None:
    _, D = build_models(TrainParams(d_spectral_norm=True, d_dropout=0.3), 28, 1, 2)
    assert any("parametrizations" in name for name, _ in D.named_modules())
    assert any(isinstance(m, torch.nn.Dropout) for m in D.modules())


def test_seed_emnist_preset_matches_the_seed_layer_table() -> None:
    p = with_arch_settings(TrainParams(arch="seed-emnist"))
    G, D = build_models(p, 28, 1, 10)
    assert sum(t.numel() for t in G.parameters()) == 451_073  # the seed's Keras summary
    assert sum(t.numel() for t in D.parameters()) == 101_195
    adv, logits, *_ = D(G(torch.randn(3, 90), torch.tensor([0, 5, 9])))
    assert adv.shape == (3,) and logits.shape == (3, 10)


def test_seed_emnist_preset_refuses_other_sizes() -> None:
    with pytest.raises(ValueError, match="needs resize.image_size 28"):
        build_models(TrainParams(arch="seed-emnist"), 64, 3, 10)


def test_ssl_head_has_k_plus_1_outputs_and_derives_real_fake() -> None:
    G, D = build_models(TrainParams(d_head="ssl", g_channels=32, d_channels=16), 32, 3, 5)
    assert not hasattr(D, "adv_head")  # one head: every D parameter takes part in every loss
    x = G(torch.randn(4, 100), torch.tensor([0, 1, 2, 4]))
    head = D.class_head(D.trunk(x))
    assert head.shape == (4, 6)  # 5 classes + "fake"
    adv, logits, *_ = D(x)
    assert logits.shape == (4, 5)
    torch.testing.assert_close(adv, torch.logsumexp(head[:, :5], 1) - head[:, 5])


def test_state_dict_keys_of_checkpoints_made_before_shared_heads_still_load() -> None:
    G, D = build_models(TrainParams(g_channels=32, d_channels=16), 28, 1, 3)
    assert {"embed.weight", "fc.weight", "blocks.0.norm.running_mean"} <= set(G.state_dict())
    assert {"adv_head.weight", "class_head.weight", "trunk.0.weight"} <= set(D.state_dict())
