"""SSIM / MS-SSIM in torch, for intra-class diversity and a memorisation check.

Intra-class diversity is the AC-GAN paper's measure: the mean MS-SSIM of random pairs of images of
one class. Lower similarity means more diverse; generated pairs much more similar than real pairs
signal mode collapse. The nearest-real SSIM of each fake flags memorised training images.

Conventions (Wang et al. 2004/2003, as pytorch-msssim and tf.image.ssim): gaussian window 11,
sigma 1.5, K1 = 0.01, K2 = 0.03, *valid* filtering (no padding), population variances, mean over
pixels then channels, float64, data range 255 for uint8.

Scale rule for MS-SSIM: use the largest M ≤ 5 such that the smaller image side, halved M−1 times
(2×2 average pooling, floor), is still ≥ the window (11). M = 5 uses the standard weights
(0.0448, 0.2856, 0.3001, 0.2363, 0.1333); M < 5 uses the first M of them renormalised to sum to 1;
M = 1 is plain SSIM. So 28×28 and 32×32 get 2 scales, 64×64 3, 128×128 4, ≥ 176×176 all 5.
Sides below 11 are rejected.
"""

from __future__ import annotations

import functools

import numpy as np
import torch
import torch.nn.functional as F

WIN_SIZE = 11
WIN_SIGMA = 1.5
MS_SSIM_WEIGHTS = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333)
_K1, _K2 = 0.01, 0.03
_PIXEL_BUDGET = 1 << 21  # pixels per batch: big enough for efficient matmuls, ~0.2 GB of float64


def _pairs_per_batch(images: torch.Tensor) -> int:
    """Pairs per batch so that a batch holds about ``_PIXEL_BUDGET`` pixels whatever the size."""
    return max(1, _PIXEL_BUDGET // images[0].numel())


def gaussian_window(size: int = WIN_SIZE, sigma: float = WIN_SIGMA) -> torch.Tensor:
    """Normalised 1-D gaussian taps (float64); SSIM filters separably with it."""
    x = torch.arange(size, dtype=torch.float64) - (size - 1) / 2
    w = torch.exp(-(x**2) / (2 * sigma**2))
    return w / w.sum()


def _as_float(x: torch.Tensor, data_range: float | None) -> tuple[torch.Tensor, float]:
    """float64 N×C×H×W and its data range: 255 for uint8, explicit for float input."""
    if x.dim() != 4:
        raise ValueError(f"images must be N×C×H×W, got shape {tuple(x.shape)}")
    if data_range is None:
        if x.dtype != torch.uint8:
            raise ValueError("data_range is required for non-uint8 images")
        data_range = 255.0
    if min(x.shape[-2:]) < WIN_SIZE:
        raise ValueError(f"image side {min(x.shape[-2:])} is below the SSIM window {WIN_SIZE}")
    return x.to(torch.float64), float(data_range)


@functools.lru_cache(maxsize=16)
def _band(n: int) -> torch.Tensor:
    """n × (n−10) banded matrix: multiplying by it is a valid 1-D gaussian filter."""
    win = gaussian_window()
    m = n - len(win) + 1
    band = torch.zeros(n, m, dtype=torch.float64)
    cols = torch.arange(m)
    for t, tap in enumerate(win):
        band[cols + t, cols] = tap
    return band


def _filter(x: torch.Tensor) -> torch.Tensor:
    """Valid separable gaussian filtering of each channel, as two float64 matmuls.

    ~10× faster than float64 ``conv2d`` on CPU, and exact to round-off.
    """
    bh, bw = _band(x.shape[-2]).to(x.device), _band(x.shape[-1]).to(x.device)
    return bh.T @ (x @ bw)


def _constants(data_range: float) -> tuple[float, float]:
    return (_K1 * data_range) ** 2, (_K2 * data_range) ** 2


def _ssim_terms(
    moments_x: tuple[torch.Tensor, torch.Tensor],
    moments_y: tuple[torch.Tensor, torch.Tensor],
    exy: torch.Tensor,
    data_range: float,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-image, per-channel mean SSIM and contrast-structure term (N×C) from local moments
    (filtered x, filtered x²) of each side and the filtered product."""
    (mu_x, ex2_x), (mu_y, ex2_y) = moments_x, moments_y
    c1, c2 = _constants(data_range)
    cs = (2 * (exy - mu_x * mu_y) + c2) / (ex2_x - mu_x**2 + ex2_y - mu_y**2 + c2)
    luminance = (2 * mu_x * mu_y + c1) / (mu_x**2 + mu_y**2 + c1)
    return (luminance * cs).mean(dim=(-2, -1)), cs.mean(dim=(-2, -1))


def _moments(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Local mean and local mean of squares: per image, reusable across pairs."""
    return _filter(x), _filter(x * x)


def _ssim_cs(
    x: torch.Tensor, y: torch.Tensor, data_range: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-image, per-channel mean SSIM and contrast-structure term, each N×C."""
    return _ssim_terms(_moments(x), _moments(y), _filter(x * y), data_range)


def ssim(x: torch.Tensor, y: torch.Tensor, data_range: float | None = None) -> torch.Tensor:
    """SSIM of aligned image pairs, shape N (float64); 1 for identical images."""
    x, data_range = _as_float(x, data_range)
    y, _ = _as_float(y, data_range)
    return _ssim_cs(x, y, data_range)[0].mean(dim=1)


def ms_ssim_scales(height: int, width: int) -> int:
    """Number of MS-SSIM scales by the module's rule (1 means plain SSIM)."""
    side, scales = min(height, width), 1
    while scales < len(MS_SSIM_WEIGHTS) and side // 2 >= WIN_SIZE:
        side //= 2
        scales += 1
    return scales


def ms_ssim_weights(scales: int) -> torch.Tensor:
    """The standard weights for 5 scales; the first ``scales`` renormalised for fewer."""
    w = torch.tensor(MS_SSIM_WEIGHTS[:scales], dtype=torch.float64)
    return w if scales == len(MS_SSIM_WEIGHTS) else w / w.sum()


def ms_ssim(x: torch.Tensor, y: torch.Tensor, data_range: float | None = None) -> torch.Tensor:
    """MS-SSIM of aligned pairs, shape N, with scales chosen by :func:`ms_ssim_scales`.

    Negative per-scale terms are clamped at 0 (as pytorch-msssim) so fractional powers stay real.
    """
    x, data_range = _as_float(x, data_range)
    y, _ = _as_float(y, data_range)
    scales = ms_ssim_scales(*x.shape[-2:])
    weights = ms_ssim_weights(scales).to(x.device)
    terms = []
    for scale in range(scales):
        s, cs = _ssim_cs(x, y, data_range)
        terms.append(s if scale == scales - 1 else cs)
        if scale < scales - 1:
            x, y = F.avg_pool2d(x, 2), F.avg_pool2d(y, 2)
    stacked = torch.stack(terms).clamp_min(0.0)  # scales × N × C
    return torch.prod(stacked ** weights.view(-1, 1, 1), dim=0).mean(dim=1)


def mean_pairwise_similarity(images: torch.Tensor, n_pairs: int = 1000, seed: int = 0) -> float:
    """Mean MS-SSIM (by the scale rule) of ``n_pairs`` random distinct pairs of uint8 images.

    Used per class: lower means more diverse; fakes far above the real value mean mode collapse.
    Pairs are drawn with replacement from all i ≠ j, seeded, so the score is reproducible.
    """
    n = len(images)
    if n < 2 or n_pairs < 1:
        raise ValueError(f"need >= 2 images and >= 1 pair, got {n} images, {n_pairs} pairs")
    rng = np.random.default_rng(seed)
    i = rng.integers(0, n, n_pairs)
    j = (i + rng.integers(1, n, n_pairs)) % n  # uniform over j ≠ i
    total, batch = 0.0, _pairs_per_batch(images)
    for s in range(0, n_pairs, batch):
        a, b = torch.from_numpy(i[s : s + batch]), torch.from_numpy(j[s : s + batch])
        total += float(ms_ssim(images[a], images[b]).sum())
    return total / n_pairs


def _batched_moments(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """:func:`_moments` of a whole set, in pixel-budget batches to bound peak memory."""
    step = _pairs_per_batch(x)
    parts = [_moments(x[s : s + step]) for s in range(0, len(x), step)]
    return torch.cat([m for m, _ in parts]), torch.cat([e for _, e in parts])


def _candidates(fake: torch.Tensor, real: torch.Tensor, k: int, chunk: int) -> torch.Tensor:
    """Indices of the k pixel-L2-nearest reals for each fake (float32: a prefilter only)."""
    real_flat = real.reshape(len(real), -1).float()
    out = []
    for s in range(0, len(fake), chunk):
        d = torch.cdist(fake[s : s + chunk].reshape(-1, real_flat.shape[1]).float(), real_flat)
        out.append(d.topk(k, dim=1, largest=False).indices)
    return torch.cat(out)


def nearest_real_ssim(
    fake: torch.Tensor,
    real: torch.Tensor,
    candidates: int | None = 16,
    chunk: int = 256,
    data_range: float | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """For each fake, the max SSIM over real images and the index of that real (memorisation).

    Exact when ``candidates`` is None or ≥ len(real). Otherwise SSIM is evaluated only against the
    ``candidates`` pixel-L2-nearest reals: a near-copy of a training image is L2-near too, and
    this turns n_fake × n_real SSIMs into n_fake × candidates. Local moments of every fake and
    of every real that is some fake's candidate are computed once; each pair then costs one
    filtered product, so a large training split costs only its L2 prefilter.
    """
    fake, data_range = _as_float(fake, data_range)
    real, _ = _as_float(real, data_range)
    if candidates is None or candidates >= len(real):
        idx = torch.arange(len(real)).expand(len(fake), -1)
    else:
        idx = _candidates(fake, real, candidates, chunk)
    used, local = torch.unique(idx, return_inverse=True)  # moments of the candidates only
    real, real_index, idx = real[used], used, local
    mf, mr = _batched_moments(fake), _batched_moments(real)
    per_fake = idx.shape[1]
    best = torch.empty(len(fake), dtype=torch.float64)
    arg = torch.empty(len(fake), dtype=torch.long)
    step = max(1, _pairs_per_batch(fake) // per_fake)
    for s in range(0, len(fake), step):
        rows = idx[s : s + step]
        f_i = torch.arange(s, s + len(rows)).repeat_interleave(per_fake)
        r_i = rows.reshape(-1)
        exy = _filter(fake[f_i] * real[r_i])
        pair_f, pair_r = (mf[0][f_i], mf[1][f_i]), (mr[0][r_i], mr[1][r_i])
        scores = _ssim_terms(pair_f, pair_r, exy, data_range)[0].mean(dim=1).view(len(rows), -1)
        top = scores.max(dim=1)
        best[s : s + step] = top.values
        arg[s : s + step] = real_index[rows.gather(1, top.indices[:, None]).squeeze(1)]
    return best, arg
