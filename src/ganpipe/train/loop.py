"""The AC-GAN training loop. Read it top to bottom: setup, resume, loop, export.

Progress is counted in real images shown to D (``cur_nimg``), as in StyleGAN2-ADA. Every tick
prints one status line and logs to DVCLive; every completed epoch (as many real images as the
training split holds) adds a row of mean losses to ``epochs.tsv``; every snapshot saves a fixed-z
grid, a full-state checkpoint and scores the EMA generator with the domain classifier's Fréchet
distance. Under ``torchrun`` every process runs this loop on its slice of each global batch and
rank 0 alone writes (see :mod:`ganpipe.train.distributed` for the commands).
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import math
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
from ganpipe.train import distributed
from ganpipe.train.diffaugment import diff_augment
from ganpipe.train.distributed import Rank
from ganpipe.train.ema import ema_beta, update_ema
from ganpipe.train.losses import UNLABELLED
from ganpipe.train.memory import retain_freed_memory
from ganpipe.train.snapshot import Scorer, export_generator, save_grid_png
from ganpipe.train.step import Nets, discriminator_step, generator_step, step_stats

EPOCHS_FILE = "epochs.tsv"  # in the DVCLive folder; a dvc.yaml plot with x = epoch
EPOCH_COLUMNS = ("epoch", "kimg", "loss_d", "loss_g", "d_real_acc", "d_fake_acc", "class_acc_real")


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


@dataclass(frozen=True)
class Speedups:
    """What the device turns on."""

    amp: bool  # bf16 autocast: fp32's range, so no loss scaling is needed
    # NHWC: the layout tensor cores' convolutions want, and oneDNN's on the CPU (the default
    # model trains 20-30% faster on 2 cores; benchmarks/train.py)
    channels_last: bool
    retain_freed_memory: bool  # CPU: no page faults per step (ganpipe.train.memory)


def speedups(p: TrainParams, device: torch.device) -> Speedups:
    """CUDA gets autocast (``train.amp: false`` opts out) and channels_last; the CPU
    channels_last and retained memory; MPS none."""
    return Speedups(
        amp=p.amp and device.type == "cuda",
        channels_last=device.type in ("cuda", "cpu"),
        retain_freed_memory=device.type == "cpu",
    )


def apply_speedups(fast: Speedups, *models: torch.nn.Module) -> torch.memory_format:
    """Put ``models`` (in place) in the device's layout and set the process's memory
    behaviour; returns the layout input batches should have. The loop and benchmarks/train.py
    both call this, so the benchmark times what training runs."""
    layout = torch.channels_last if fast.channels_last else torch.contiguous_format
    if fast.channels_last:
        for model in models:
            model.to(memory_format=layout)
    if fast.retain_freed_memory:
        retain_freed_memory()
    return layout


@dataclass
class TickStats:
    """Running sums over one tick or epoch, for the status line and the logs; checkpointed."""

    sums: dict[str, float] = field(default_factory=dict)
    count: int = 0

    def add(self, **values: float) -> None:
        for key, value in values.items():
            self.sums[key] = self.sums.get(key, 0.0) + value
        self.count += 1

    def means(self) -> dict[str, float]:
        return {k: v / max(self.count, 1) for k, v in self.sums.items()}


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
            index = torch.stack(
                [
                    self.by_class[c][torch.randint(len(self.by_class[c]), (1,), generator=self.g)][
                        0
                    ]
                    for c in classes.tolist()
                ]
            )
        else:
            index = torch.randint(len(self.labels), (n,), generator=self.g)
        index = index[self.rows].to(self.labels.device)
        return to_float(self.images[index]), self.labels[index]

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


def _fingerprint(data_dir: Path) -> str:
    return hashlib.sha256((data_dir / "manifest.csv").read_bytes()).hexdigest()[:16]


def training_loop(
    data_dir: Path,
    models_dir: Path,
    p: TrainParams,
    live_dir: Path,
    metrics_path: Path,
    classifier_path: Path | None,
    holdout: float,
) -> dict[str, Any]:
    """Train G and D on ``data_dir``'s images; export generators and metrics.

    Under torchrun every process calls this and joins the process group here; rank 0 alone
    writes files, and its return value is the one that describes the run.
    """
    p = resolve_preset(p)
    rank = distributed.from_env()
    batch = distributed.local_batch(p.batch_size, rank)
    with distributed.process_group(rank, pick_device(p.device)) as device:
        return _train(
            data_dir,
            models_dir,
            p,
            live_dir,
            metrics_path,
            classifier_path,
            holdout,
            rank,
            batch,
            device,
        )


def _train(
    data_dir: Path,
    models_dir: Path,
    p: TrainParams,
    live_dir: Path,
    metrics_path: Path,
    classifier_path: Path | None,
    holdout: float,
    rank: Rank,
    batch: int,
    device: torch.device,
) -> dict[str, Any]:
    # ----------------------------------------------------------------- setup
    if p.threads:
        torch.set_num_threads(p.threads)
    torch.manual_seed(p.seed)
    g = torch.Generator().manual_seed(p.seed)
    train_set, heldout = split_holdout(load_image_set(data_dir), holdout)
    n_classes = len(train_set.classes) if p.mode == "acgan" else 0
    G, D = build_models(p, train_set.size, train_set.channels, len(train_set.classes))
    if p.sync_batchnorm:
        G = distributed.sync_batchnorm(G, rank, device)
    G, D = G.to(device), D.to(device)
    G_ema = copy.deepcopy(G).eval().requires_grad_(False)
    opt_g = torch.optim.Adam(G.parameters(), lr=p.lr_g, betas=tuple(p.betas_g))
    opt_d = torch.optim.Adam(D.parameters(), lr=p.lr_d, betas=tuple(p.betas_d))
    fast = speedups(p, device)
    layout = apply_speedups(fast, G, D)
    sampler = Sampler(train_set, p, n_classes, g, rank.rows(batch), device)
    scorer = Scorer(
        classifier_path if rank.main else None, heldout, train_set.classes, p, n_classes
    )
    beta = ema_beta(p.batch_size, p.ema_kimg)
    run_hash = ckpt.params_hash(p, _fingerprint(data_dir))
    work_dir = models_dir / "train"  # checkpoint, snapshots, grids: kept across interruptions
    ckpt_path = work_dir / "checkpoint.pt"
    n_train = len(train_set.labels)
    if rank.main:
        labelled = f" ({p.labelled_fraction:.0%} labelled)" if p.labelled_fraction < 1 else ""
        processes = (
            f" x{rank.world_size} processes, {batch} images each" if rank.distributed else ""
        )
        print(
            f"[train] {n_train} images ({len(heldout.labels)} held out), "
            f"{train_set.size}px x{train_set.channels}, {n_classes or 'no'} classes"
            f"{labelled}, on {device}{processes}"
        )

    # ----------------------------------------------------------------- resume
    cur_nimg, history, epochs, trained_s = 0, [], [], 0.0
    best = {"score": float("inf"), "kimg": 0.0}
    stats, epoch_stats = TickStats(), TickStats()
    state = distributed.from_main(
        ckpt.load_for_resume(ckpt_path, run_hash, p) if rank.main else None, rank
    )
    if state is None and rank.main:
        shutil.rmtree(work_dir, ignore_errors=True)
        shutil.rmtree(live_dir, ignore_errors=True)
        for name in ("generator.pt", "generator_best.pt"):
            (models_dir / name).unlink(missing_ok=True)
    elif state is not None:
        G.load_state_dict(state["G"])
        D.load_state_dict(state["D"])
        G_ema.load_state_dict(state["G_ema"])
        opt_g.load_state_dict(state["opt_g"])
        opt_d.load_state_dict(state["opt_d"])
        g.set_state(state["sampler_rng"])
        ckpt.set_rng_state(state["rng"])
        cur_nimg, history, best = state["cur_nimg"], state["history"], state["best"]
        epochs, trained_s = state["epochs"], state.get("train_seconds", 0.0)
        stats, epoch_stats = TickStats(**state["tick_stats"]), TickStats(**state["epoch_stats"])
        if rank.main:
            print(f"[train] resuming from {ckpt_path} at {cur_nimg / 1000:.1f} kimg")
    if not rank.main:  # dropout masks of its own; rank 0 keeps the single-process stream
        torch.manual_seed(p.seed + 1_000_003 * rank.rank + cur_nimg)
    if rank.main:
        work_dir.mkdir(parents=True, exist_ok=True)
    fixed_z, fixed_y = scorer.grid_latents(p.seed)

    # DDP keeps G's BatchNorm statistics equal to rank 0's (broadcast_buffers), which the EMA
    # copies; D's only buffers are spectral-norm vectors every process computes identically.
    G_ddp = distributed.wrap(G, rank, device, broadcast_buffers=True)
    D_ddp = distributed.wrap(D, rank, device, broadcast_buffers=False)
    G_step, D_step = (torch.compile(G_ddp), torch.compile(D_ddp)) if p.compile else (G_ddp, D_ddp)
    nets = Nets(G_step, D_step, D_ddp, opt_g, opt_d)

    def save_checkpoint() -> None:
        ckpt.save_atomic(
            {
                "G": G.state_dict(),
                "D": D.state_dict(),
                "G_ema": G_ema.state_dict(),
                "opt_g": opt_g.state_dict(),
                "opt_d": opt_d.state_dict(),
                "sampler_rng": g.get_state(),
                "rng": ckpt.rng_state(),
                "cur_nimg": cur_nimg,
                "history": history,
                "best": best,
                "params_hash": run_hash,
                "epochs": epochs,
                "tick_stats": asdict(stats),
                "epoch_stats": asdict(epoch_stats),
                "train_seconds": train_seconds(),
            },
            ckpt_path,
        )

    def train_seconds() -> float:
        return trained_s + time.perf_counter() - session_start

    def augment(x: torch.Tensor) -> torch.Tensor:
        return diff_augment(x, p.diffaugment, g, rank.rank, rank.world_size)

    def to_device(t: torch.Tensor) -> torch.Tensor:
        return (
            t.to(device, memory_format=layout)
            if fast.channels_last and t.ndim == 4
            else t.to(device)
        )

    # ----------------------------------------------------------------- loop
    total_nimg = int(p.total_kimg * 1000)
    tick_nimg, snap_nimg = int(p.tick_kimg * 1000), int(p.snapshot_kimg * 1000)
    step_nimg = p.batch_size * p.d_steps
    tick_start, tick_start_nimg = time.perf_counter(), cur_nimg
    session_start, out_of_time = tick_start, False
    autocast = torch.autocast(device.type, dtype=torch.bfloat16, enabled=fast.amp)
    live_context: contextlib.AbstractContextManager[Any] = contextlib.nullcontext()
    if rank.main:  # DVCLive (and the DVC it imports) on rank 0 only
        from dvclive import Live

        live_context = Live(
            str(live_dir), resume=state is not None, save_dvc_exp=False, dvcyaml=False
        )
    with (
        live_context as live,
        tqdm(
            total=total_nimg,
            initial=cur_nimg,
            unit="img",
            unit_scale=True,
            desc="train",
            mininterval=5,
            disable=not rank.main,
        ) as bar,
    ):
        try:
            while cur_nimg < total_nimg and not out_of_time:
                # Discriminator: p.d_steps updates on real vs (detached) fake.
                for _ in range(p.d_steps):
                    real, y_real = (to_device(t) for t in sampler.real())
                    z, y_fake = (t.to(device) for t in sampler.latent())
                    d = discriminator_step(nets, real, y_real, z, y_fake, p, augment, autocast)
                    cur_nimg += p.batch_size
                    bar.update(p.batch_size)

                # Generator: fool D and be classified as the class it was asked for.
                z, y_fake = (t.to(device) for t in sampler.latent())
                loss_g, adv_f = generator_step(
                    nets, z, y_fake, real, p, augment, autocast, distributed.no_sync(D_ddp)
                )
                update_ema(G_ema, G, beta)

                values = step_stats(d, loss_g, adv_f, y_real)
                if not (math.isfinite(values["loss_d"]) and math.isfinite(values["loss_g"])):
                    raise TrainingDiverged(
                        f"loss became non-finite at {cur_nimg / 1000:.1f} kimg (loss_d="
                        f"{values['loss_d']}, loss_g={values['loss_g']}); the last good "
                        f"checkpoint is {ckpt_path}. Lower train.lr_g / train.lr_d or enable "
                        "d_spectral_norm."
                    )
                stats.add(**values)
                epoch_stats.add(**values)

                # ------------------------------------------------- housekeeping
                done = cur_nimg >= total_nimg
                tick_due = _crossed(cur_nimg, step_nimg, tick_nimg)
                if p.max_minutes and tick_due and not done:  # rank 0's clock decides, for all
                    out_of_time = done = distributed.from_main(
                        train_seconds() >= p.max_minutes * 60, rank
                    )
                    if out_of_time and rank.main:
                        bar.write(
                            f"[train] max_minutes {p.max_minutes:g} reached at "
                            f"{cur_nimg / 1000:.1f} kimg: stopping"
                        )
                if done or tick_due:
                    elapsed = time.perf_counter() - tick_start
                    row = {
                        "kimg": round(cur_nimg / 1000, 3),
                        **distributed.mean_over_ranks(stats.means(), rank, device),
                        "images_per_s": (cur_nimg - tick_start_nimg) / max(elapsed, 1e-9),
                    }
                    history.append(row)
                    if rank.main:
                        _log_tick(live, row, bar)
                    stats, tick_start, tick_start_nimg = TickStats(), time.perf_counter(), cur_nimg
                if _crossed(cur_nimg, step_nimg, n_train):
                    means = distributed.mean_over_ranks(epoch_stats.means(), rank, device)
                    epochs += [
                        {
                            "epoch": e,
                            "kimg": round(cur_nimg / 1000, 3),
                            **{k: round(v, 6) for k, v in means.items()},
                        }
                        for e in range(
                            (cur_nimg - step_nimg) // n_train + 1, cur_nimg // n_train + 1
                        )
                    ]
                    epoch_stats = TickStats()
                    if rank.main:
                        _write_epochs(live_dir / EPOCHS_FILE, epochs)
                if rank.main and (done or _crossed(cur_nimg, step_nimg, snap_nimg)):
                    kimg = cur_nimg / 1000
                    grid = save_grid_png(
                        G_ema,
                        fixed_z,
                        fixed_y,
                        work_dir / "grids" / f"kimg{kimg:08.1f}.png",
                        scorer.rows,
                    )
                    live.log_image("grid.png", grid)
                    score = scorer.score(G_ema, _snapshot_path(work_dir, kimg))
                    if score is not None:
                        live.log_metric("snapshot/domain_fd", score)
                        if score < best["score"]:
                            best = {"score": score, "kimg": kimg}
                    save_checkpoint()
        except KeyboardInterrupt:
            if rank.main:
                save_checkpoint()
                print(
                    f"\n[train] interrupted at {cur_nimg / 1000:.1f} kimg; state saved to "
                    f"{ckpt_path}. Run the stage again to resume."
                )
            raise

    # ----------------------------------------------------------------- export
    summary = {
        "kimg": round(cur_nimg / 1000, 3),
        "best_kimg": best["kimg"],
        "best_domain_fd": None if best["score"] == float("inf") else best["score"],
        "params_hash": run_hash,
        **{f"final_{k}": v for k, v in history[-1].items() if k not in ("kimg", "images_per_s")},
    }
    if rank.main:
        _write_epochs(live_dir / EPOCHS_FILE, epochs)
        export_generator(G_ema, scorer.meta(p), models_dir / "generator.pt")
        if best["kimg"]:  # the snapshot the domain Fréchet distance liked best
            G_ema.load_state_dict(
                torch.load(_snapshot_path(work_dir, best["kimg"]), weights_only=True)
            )
        export_generator(G_ema, scorer.meta(p), models_dir / "generator_best.pt")
        metrics_path.parent.mkdir(parents=True, exist_ok=True)
        metrics_path.write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")
    distributed.barrier(rank)  # every process returns once the outputs exist
    return {"summary": summary, "history": history, "epochs": epochs, "params": asdict(p)}


def _crossed(nimg: int, step_nimg: int, every: int) -> bool:
    """Did the step that brought the count to ``nimg`` pass a multiple of ``every``?"""
    return nimg // every > (nimg - step_nimg) // every


def _snapshot_path(work_dir: Path, kimg: float) -> Path:
    return work_dir / "snapshots" / f"kimg{kimg:08.1f}.pt"


def _write_epochs(path: Path, epochs: list[dict[str, float]]) -> None:
    """The per-epoch means as TSV, rewritten whole so a resumed run leaves no stale rows."""
    lines = [
        "\t".join(EPOCH_COLUMNS),
        *("\t".join(str(row[c]) for c in EPOCH_COLUMNS) for row in epochs),
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")


def _log_tick(live: Any, row: dict[str, float], bar: tqdm) -> None:
    """One status line per tick, and the same numbers to DVCLive."""
    for key, value in row.items():
        if key != "kimg":
            live.log_metric(f"train/{key}", round(value, 6))
    live.log_metric("kimg", row["kimg"], plot=False)
    live.next_step()
    bar.write(
        f"kimg {row['kimg']:8.1f}  {row['images_per_s']:7.1f} img/s  "
        f"loss_d {row['loss_d']:.3f}  loss_g {row['loss_g']:.3f}  "
        f"D acc real {row['d_real_acc']:.2f} fake {row['d_fake_acc']:.2f}  "
        f"class acc {row['class_acc_real']:.2f}"
    )
