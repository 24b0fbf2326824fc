"""The AC-GAN training loop. Read it top to bottom: setup, resume, loop, export.

Progress is counted in real images shown to D (``cur_nimg``), as in StyleGAN2-ADA. Every tick
prints one status line and logs to DVCLive; every snapshot saves a fixed-z grid, a full-state
checkpoint and scores the EMA generator with the domain classifier's Fréchet distance.
"""

from __future__ import annotations

import copy
import hashlib
import json
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
from tqdm import tqdm

from ganpipe.data import ImageSet, load_image_set, split_holdout, to_float
from ganpipe.models import build_models, resolve_preset
from ganpipe.params import TrainParams
from ganpipe.train import checkpoint as ckpt
from ganpipe.train.diffaugment import diff_augment
from ganpipe.train.ema import ema_beta, update_ema
from ganpipe.train.losses import auxiliary, d_adversarial, feature_matching, g_adversarial
from ganpipe.train.snapshot import Scorer, export_generator, save_grid_png


class TrainingDiverged(RuntimeError):
    """A loss became NaN or infinite; the last good checkpoint is kept."""


def pick_device(name: str) -> torch.device:
    """``auto`` prefers CUDA, then Apple MPS, then the CPU."""
    if name != "auto":
        return torch.device(name)
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


@dataclass
class TickStats:
    """Running sums over one tick, for the status line and the logs."""

    sums: dict[str, float] = field(default_factory=dict)
    count: int = 0

    def add(self, **values: float) -> None:
        for key, value in values.items():
            self.sums[key] = self.sums.get(key, 0.0) + value
        self.count += 1

    def means(self) -> dict[str, float]:
        return {k: v / max(self.count, 1) for k, v in self.sums.items()}


class Sampler:
    """Draws real batches (uniform over images, or over classes when balanced) and latents."""

    def __init__(self, data: ImageSet, p: TrainParams, n_classes: int, g: torch.Generator):
        self.data, self.p, self.n_classes, self.g = data, p, n_classes, g
        self.by_class = [torch.nonzero(data.labels == c).squeeze(1) for c in range(n_classes)]

    def real(self) -> tuple[torch.Tensor, torch.Tensor]:
        n = self.p.batch_size
        if self.p.balanced_sampling and self.n_classes:
            classes = torch.randint(self.n_classes, (n,), generator=self.g)
            index = torch.stack([self.by_class[c][torch.randint(len(self.by_class[c]), (1,),
                                                                generator=self.g)][0]
                                 for c in classes.tolist()])
        else:
            index = torch.randint(len(self.data.labels), (n,), generator=self.g)
        return to_float(self.data.images[index]), self.data.labels[index]

    def latent(self) -> tuple[torch.Tensor, torch.Tensor]:
        z = torch.randn(self.p.batch_size, self.p.z_dim, generator=self.g)
        y = torch.randint(max(self.n_classes, 1), (self.p.batch_size,), generator=self.g)
        return z, y


def _fingerprint(data_dir: Path) -> str:
    return hashlib.sha256((data_dir / "manifest.csv").read_bytes()).hexdigest()[:16]


def training_loop(data_dir: Path, models_dir: Path, p: TrainParams, live_dir: Path,
                  metrics_path: Path, classifier_path: Path | None, holdout: float
                  ) -> dict[str, Any]:
    """Train G and D on ``data_dir``'s images; export generators and metrics."""
    # ----------------------------------------------------------------- setup
    p = resolve_preset(p)
    device = pick_device(p.device)
    if p.threads:
        torch.set_num_threads(p.threads)
    torch.manual_seed(p.seed)
    g = torch.Generator().manual_seed(p.seed)
    train_set, heldout = split_holdout(load_image_set(data_dir), holdout)
    n_classes = len(train_set.classes) if p.mode == "acgan" else 0
    G, D = build_models(p, train_set.size, train_set.channels, len(train_set.classes))
    G, D = G.to(device), D.to(device)
    G_ema = copy.deepcopy(G).eval().requires_grad_(False)
    opt_g = torch.optim.Adam(G.parameters(), lr=p.lr_g, betas=tuple(p.betas_g))
    opt_d = torch.optim.Adam(D.parameters(), lr=p.lr_d, betas=tuple(p.betas_d))
    use_amp = p.amp and device.type == "cuda"
    if device.type == "cuda":
        G, D = G.to(memory_format=torch.channels_last), D.to(memory_format=torch.channels_last)
    G_step, D_step = (torch.compile(G), torch.compile(D)) if p.compile else (G, D)
    sampler = Sampler(train_set, p, n_classes, g)
    scorer = Scorer(classifier_path, heldout, train_set.classes, p, n_classes)
    beta = ema_beta(p.batch_size, p.ema_kimg)
    run_hash = ckpt.params_hash(p, _fingerprint(data_dir))
    work_dir = models_dir / "train"  # checkpoint, snapshots, grids: kept across interruptions
    ckpt_path = work_dir / "checkpoint.pt"
    print(f"[train] {len(train_set.labels)} images ({len(heldout.labels)} held out), "
          f"{train_set.size}px x{train_set.channels}, {n_classes or 'no'} classes, on {device}")

    # ----------------------------------------------------------------- resume
    cur_nimg, history, best = 0, [], {"score": float("inf"), "kimg": 0.0}
    state = ckpt.load_for_resume(ckpt_path, run_hash)
    if state is None:
        shutil.rmtree(work_dir, ignore_errors=True)
        shutil.rmtree(live_dir, ignore_errors=True)
        for name in ("generator.pt", "generator_best.pt"):
            (models_dir / name).unlink(missing_ok=True)
    else:
        G.load_state_dict(state["G"])
        D.load_state_dict(state["D"])
        G_ema.load_state_dict(state["G_ema"])
        opt_g.load_state_dict(state["opt_g"])
        opt_d.load_state_dict(state["opt_d"])
        g.set_state(state["sampler_rng"])
        ckpt.set_rng_state(state["rng"])
        cur_nimg, history, best = state["cur_nimg"], state["history"], state["best"]
        print(f"[train] resuming from {ckpt_path} at {cur_nimg / 1000:.1f} kimg")
    work_dir.mkdir(parents=True, exist_ok=True)
    fixed_z, fixed_y = scorer.grid_latents(p.seed)

    def save_checkpoint() -> None:
        ckpt.save_atomic({
            "G": G.state_dict(), "D": D.state_dict(), "G_ema": G_ema.state_dict(),
            "opt_g": opt_g.state_dict(), "opt_d": opt_d.state_dict(),
            "sampler_rng": g.get_state(), "rng": ckpt.rng_state(), "cur_nimg": cur_nimg,
            "history": history, "best": best, "params_hash": run_hash,
        }, ckpt_path)

    # ----------------------------------------------------------------- loop
    from dvclive import Live

    total_nimg = int(p.total_kimg * 1000)
    tick_nimg, snap_nimg = int(p.tick_kimg * 1000), int(p.snapshot_kimg * 1000)
    stats, tick_start, tick_start_nimg = TickStats(), time.perf_counter(), cur_nimg
    real_target = p.label_smoothing
    autocast = torch.autocast(device.type, dtype=torch.bfloat16, enabled=use_amp)
    with Live(str(live_dir), resume=state is not None, save_dvc_exp=False, dvcyaml=False) as live, \
            tqdm(total=total_nimg, initial=cur_nimg, unit="img", unit_scale=True,
                 desc="train", mininterval=5) as bar:
        try:
            while cur_nimg < total_nimg:
                # Discriminator: p.d_steps updates on real vs (detached) fake.
                for _ in range(p.d_steps):
                    real, y_real = (t.to(device) for t in sampler.real())
                    z, y_fake = (t.to(device) for t in sampler.latent())
                    with autocast:
                        with torch.no_grad():
                            fake = G_step(z, y_fake if n_classes else None)
                        adv_r, cls_r, _ = D_step(diff_augment(real, p.diffaugment, g))
                        adv_f, cls_f, _ = D_step(diff_augment(fake, p.diffaugment, g))
                        aux_d = auxiliary(cls_r, y_real)
                        if p.d_aux_on_fake:
                            aux_d = aux_d + auxiliary(cls_f, y_fake)
                        loss_d = (d_adversarial(adv_r.float(), adv_f.float(), p.loss, real_target)
                                  + p.aux_weight * aux_d)
                    opt_d.zero_grad(set_to_none=True)
                    loss_d.backward()
                    opt_d.step()
                    cur_nimg += p.batch_size
                    bar.update(p.batch_size)

                # Generator: fool D and be classified as the class it was asked for.
                z, y_fake = (t.to(device) for t in sampler.latent())
                with autocast:
                    fake = G_step(z, y_fake if n_classes else None)
                    adv_f, cls_f, feat_f = D_step(diff_augment(fake, p.diffaugment, g))
                    loss_g = g_adversarial(adv_f.float(), p.loss) + p.aux_weight * auxiliary(
                        cls_f, y_fake)
                    if p.feature_matching:
                        with torch.no_grad():
                            feat_r = D_step(diff_augment(real, p.diffaugment, g))[2]
                        loss_g = loss_g + p.feature_matching * feature_matching(feat_r, feat_f)
                opt_g.zero_grad(set_to_none=True)
                loss_g.backward()
                opt_g.step()
                update_ema(G_ema, G, beta)

                if not (torch.isfinite(loss_d) and torch.isfinite(loss_g)):
                    raise TrainingDiverged(
                        f"loss became non-finite at {cur_nimg / 1000:.1f} kimg (loss_d="
                        f"{loss_d.item()}, loss_g={loss_g.item()}); the last good checkpoint is "
                        f"{ckpt_path}. Lower train.lr_g / train.lr_d or enable d_spectral_norm.")
                stats.add(loss_d=loss_d.item(), loss_g=loss_g.item(),
                          d_real_acc=(adv_r > 0).float().mean().item(),
                          d_fake_acc=(adv_f < 0).float().mean().item(),
                          class_acc_real=_class_acc(cls_r, y_real))

                # ------------------------------------------------- housekeeping
                done = cur_nimg >= total_nimg
                if done or cur_nimg // tick_nimg > (cur_nimg - p.batch_size * p.d_steps
                                                    ) // tick_nimg:
                    elapsed = time.perf_counter() - tick_start
                    row = {"kimg": round(cur_nimg / 1000, 3), **stats.means(),
                           "images_per_s": (cur_nimg - tick_start_nimg) / max(elapsed, 1e-9)}
                    history.append(row)
                    _log_tick(live, row, bar)
                    stats, tick_start, tick_start_nimg = TickStats(), time.perf_counter(), cur_nimg
                if done or cur_nimg // snap_nimg > (cur_nimg - p.batch_size * p.d_steps
                                                    ) // snap_nimg:
                    kimg = cur_nimg / 1000
                    grid = save_grid_png(G_ema, fixed_z, fixed_y, work_dir / "grids"
                                         / f"kimg{kimg:08.1f}.png", scorer.rows)
                    live.log_image("grid.png", grid)
                    score = scorer.score(G_ema, _snapshot_path(work_dir, kimg))
                    if score is not None:
                        live.log_metric("snapshot/domain_fd", score)
                        if score < best["score"]:
                            best = {"score": score, "kimg": kimg}
                    save_checkpoint()
        except KeyboardInterrupt:
            save_checkpoint()
            print(f"\n[train] interrupted at {cur_nimg / 1000:.1f} kimg; state saved to "
                  f"{ckpt_path}. Run the stage again to resume.")
            raise

    # ----------------------------------------------------------------- export
    export_generator(G_ema, scorer.meta(p), models_dir / "generator.pt")
    if best["kimg"]:  # the snapshot the domain Fréchet distance liked best
        G_ema.load_state_dict(torch.load(_snapshot_path(work_dir, best["kimg"])))
    export_generator(G_ema, scorer.meta(p), models_dir / "generator_best.pt")
    summary = {"kimg": round(cur_nimg / 1000, 3), "best_kimg": best["kimg"],
               "best_domain_fd": None if best["score"] == float("inf") else best["score"],
               "params_hash": run_hash, **{f"final_{k}": v for k, v in history[-1].items()
                                            if k not in ("kimg", "images_per_s")}}
    metrics_path.parent.mkdir(parents=True, exist_ok=True)
    metrics_path.write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")
    return {"summary": summary, "history": history, "params": asdict(p)}


def _snapshot_path(work_dir: Path, kimg: float) -> Path:
    return work_dir / "snapshots" / f"kimg{kimg:08.1f}.pt"


def _class_acc(logits: torch.Tensor | None, labels: torch.Tensor) -> float:
    return float((logits.argmax(1) == labels).float().mean()) if logits is not None else 0.0


def _log_tick(live: Any, row: dict[str, float], bar: tqdm) -> None:
    """One status line per tick, and the same numbers to DVCLive."""
    for key, value in row.items():
        if key != "kimg":
            live.log_metric(f"train/{key}", round(value, 6))
    live.log_metric("kimg", row["kimg"], plot=False)
    live.next_step()
    bar.write(f"kimg {row['kimg']:8.1f}  {row['images_per_s']:7.1f} img/s  "
              f"loss_d {row['loss_d']:.3f}  loss_g {row['loss_g']:.3f}  "
              f"D acc real {row['d_real_acc']:.2f} fake {row['d_fake_acc']:.2f}  "
              f"class acc {row['class_acc_real']:.2f}")
