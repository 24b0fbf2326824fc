"""The AC-GAN training loop, in phases: setup, resume, step, tick, epoch, snapshot, export.

Progress is counted in real images shown to D (``cur_nimg``), as in StyleGAN2-ADA. Every tick
prints one status line and logs to DVCLive; every completed epoch (as many real images as the
training split holds) adds a row of mean losses to ``epochs.tsv``; every snapshot saves a fixed-z
grid, a full-state checkpoint (:class:`~ganpipe.train.state.TrainState`) and scores the EMA
generator with the domain classifier's Fréchet distance. Under ``torchrun`` every process runs
this loop on its slice of each global batch and rank 0 alone writes (see
:mod:`ganpipe.train.distributed` for the commands).
"""

from __future__ import annotations

import copy
import hashlib
import math
import shutil
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import torch

from ganpipe.data import ImageSet, load_image_set, split_holdout
from ganpipe.files import write_json
from ganpipe.modelfile import read_model_file
from ganpipe.models import build_models, with_arch_settings
from ganpipe.params import TrainParams
from ganpipe.train import checkpoint as ckpt
from ganpipe.train import distributed
from ganpipe.train.ada import Ada
from ganpipe.train.device import apply_speedups, pick_device, speedups
from ganpipe.train.distributed import Rank
from ganpipe.train.ema import ema_beta, update_ema, with_standing_statistics
from ganpipe.train.lecam import add_anchors
from ganpipe.train.records import EPOCHS_FILE, Records, write_epochs
from ganpipe.train.run import Run, TrainingDiverged, TrainPaths
from ganpipe.train.sampler import Sampler
from ganpipe.train.snapshot import Scorer, export_generator, save_grid_png
from ganpipe.train.state import Stopwatch, TickStats, TrainState
from ganpipe.train.step import Nets, discriminator_step, generator_step, step_stats


def training_loop(paths: TrainPaths, p: TrainParams, *, holdout: float) -> dict[str, Any]:
    """Train G and D on ``paths.inp``'s images (less the ``holdout`` share the classifier
    stage keeps for evaluation); export generators and metrics.

    Under torchrun every process calls this and joins the process group here; rank 0 alone
    writes files, and its return value is the one that describes the run.
    """
    p = with_arch_settings(p)
    rank = distributed.from_env()
    with distributed.process_group(rank, pick_device(p.device)) as device:
        run = setup(paths, p, rank, device, holdout)
        resumed = resume(run)
        nets = wrap_nets(run)
        with records_for(run) as records:
            if resumed:
                replay(run, records)
            train(run, nets, records)
        return export(run)


# --------------------------------------------------------------------------------- setup
def setup(
    paths: TrainPaths, p: TrainParams, rank: Rank, device: torch.device, holdout: float
) -> Run:
    """Seed, load the data, build the fresh run's state, its sampler and its scorer."""
    if p.threads:
        torch.set_num_threads(p.threads)
    torch.manual_seed(p.seed)
    train_set, heldout = split_holdout(load_image_set(paths.inp), holdout)
    n_classes = len(train_set.classes) if p.class_conditional else 0
    state = new_state(p, train_set, rank, device, _fingerprint(paths.inp))
    fast = speedups(p, device)
    layout = apply_speedups(fast, state.G, state.D)
    batch = distributed.local_batch(p.batch_size, rank)
    sampler = Sampler(train_set, p, n_classes, state.sampler_rng, rank.rows(batch), device)
    classifier = paths.classifier if rank.main else None
    if rank.main:
        labelled = f" ({p.labelled_fraction:.0%} labelled)" if p.labelled_fraction < 1 else ""
        processes = f" x{rank.world_size} processes of {batch} images" if rank.distributed else ""
        print(
            f"[train] {len(train_set.labels)} images ({len(heldout.labels)} held out), "
            f"{train_set.size}px x{train_set.channels}, {n_classes or 'no'} classes"
            f"{labelled}, on {device}{processes}"
        )
    return Run(
        p=p,
        rank=rank,
        device=device,
        paths=paths,
        state=state,
        sampler=sampler,
        scorer=Scorer(classifier, heldout, train_set.classes, p, n_classes),
        fast=fast,
        layout=layout,
        n_train=len(train_set.labels),
        autocast=torch.autocast(device.type, dtype=torch.bfloat16, enabled=fast.amp),
    )


def new_state(
    p: TrainParams, train_set: ImageSet, rank: Rank, device: torch.device, fingerprint: str
) -> TrainState:
    """G, D, G's EMA and their optimisers as initialised for ``p.seed``, at 0 images."""
    G, D = build_models(p, train_set.size, train_set.channels, len(train_set.classes))
    if p.lecam:
        add_anchors(D)
    if p.sync_batchnorm:
        G = distributed.sync_batchnorm(G, rank, device)
    G, D = G.to(device), D.to(device)
    return TrainState(
        G=G,
        D=D,
        G_ema=copy.deepcopy(G).eval().requires_grad_(False),
        opt_g=torch.optim.Adam(G.parameters(), lr=p.lr_g, betas=tuple(p.betas_g)),
        opt_d=torch.optim.Adam(D.parameters(), lr=p.lr_d, betas=tuple(p.betas_d)),
        sampler_rng=torch.Generator().manual_seed(p.seed),
        params_hash=ckpt.params_hash(p, fingerprint),
        ada=Ada(p.ada_target, p.ada_kimg, p.ada_interval),
        train_seconds=Stopwatch(cpu=p.max_minutes_clock == "cpu"),
    )


def _fingerprint(data_dir: Path) -> str:
    return hashlib.sha256((data_dir / "manifest.csv").read_bytes()).hexdigest()[:16]


# -------------------------------------------------------------------------------- resume
def resume(run: Run) -> bool:
    """Continue the unfinished run with the same params and data from its checkpoint, or clear
    what any other run left. Returns whether it resumed."""
    paths, rank = run.paths, run.rank
    saved = distributed.from_main(
        ckpt.load_for_resume(paths.checkpoint, run.state.params_hash, run.p, TrainState.keys())
        if rank.main
        else None,
        rank,
    )
    if saved is not None:
        run.state.load_state_dict(saved)
        if rank.main:
            print(
                f"[train] resuming from {paths.checkpoint} at {run.state.cur_nimg / 1000:.1f} kimg"
            )
    elif rank.main:
        shutil.rmtree(paths.work, ignore_errors=True)
        shutil.rmtree(paths.live, ignore_errors=True)
        for name in ("generator.pt", "generator_best.pt"):
            (paths.models / name).unlink(missing_ok=True)
    if not rank.main:  # dropout masks of its own; rank 0 keeps the single-process stream
        torch.manual_seed(run.p.seed + 1_000_003 * rank.rank + run.state.cur_nimg)
    if rank.main:
        paths.work.mkdir(parents=True, exist_ok=True)
    return saved is not None


def records_for(run: Run) -> Records:
    """The bar and the logs, starting where the run stands."""
    s = run.state
    return Records(
        run.paths.live,
        run.rank.main,
        run.total_nimg,
        run.p.max_minutes,
        s.cur_nimg,
        s.train_seconds.seconds(),
    )


def replay(run: Run, records: Records) -> None:
    """A resumed run's logs, rebuilt from its checkpoint (see :mod:`ganpipe.train.records`)."""
    s = run.state
    last_grid = run.paths.grid(s.snapshots[-1]["kimg"]) if s.snapshots else None
    records.replay(s.history, s.snapshots, s.epochs, last_grid)


def wrap_nets(run: Run) -> Nets:
    """What the steps run: G and D in DDP (under torchrun) and compiled (train.compile)."""
    s, rank, device = run.state, run.rank, run.device
    # DDP keeps G's BatchNorm statistics equal to rank 0's (broadcast_buffers), which the EMA
    # copies; D's only buffers are spectral-norm vectors every process computes identically.
    G_ddp = distributed.wrap(s.G, rank, device, broadcast_buffers=True)
    D_ddp = distributed.wrap(s.D, rank, device, broadcast_buffers=False)
    G, D = (torch.compile(G_ddp), torch.compile(D_ddp)) if run.p.compile else (G_ddp, D_ddp)
    return Nets(G, D, D_ddp, s.opt_g, s.opt_d)


# --------------------------------------------------------------------------------- train
def train(run: Run, nets: Nets, records: Records) -> None:
    """Step until total_kimg (or max_minutes); ticks, epochs and snapshots as they fall due.
    Ctrl-C saves the state first, so running the stage again resumes."""
    run.tick_start, run.tick_start_nimg = time.perf_counter(), run.state.cur_nimg
    run.state.train_seconds.start()
    try:
        while not run.done:
            step(run, nets)
            records.advance(run.state.cur_nimg, run.state.train_seconds.seconds())
            after_step(run, records)
    except KeyboardInterrupt:
        if run.rank.main:
            run.save_checkpoint()
            print(
                f"\n[train] interrupted at {run.state.cur_nimg / 1000:.1f} kimg; state saved to "
                f"{run.paths.checkpoint}. Run the stage again to resume."
            )
        raise


def step(run: Run, nets: Nets) -> None:
    """``d_steps`` discriminator updates on real vs (detached) fake, then one generator update
    (fool D, be classified as the class asked for) and the EMA; adds the step's stats."""
    s, p = run.state, run.p
    for i in range(p.d_steps):
        real, y_real = (run.to_device(t) for t in run.sampler.real())
        z, y_fake = (t.to(run.device) for t in run.sampler.latent())
        keep = p.reuse_fakes and i == p.d_steps - 1  # G's step reuses the last D step's fakes
        d = discriminator_step(nets, real, y_real, z, y_fake, p, run.augment, run.autocast, keep)
        s.ada.observe(d.adv_real)
        s.cur_nimg += p.batch_size
    if not p.reuse_fakes:
        z, y_fake = (t.to(run.device) for t in run.sampler.latent())
    no_sync = distributed.no_sync(nets.D_ddp)
    loss_g, adv_f = generator_step(
        nets, z, y_fake, real, p, run.augment, run.autocast, no_sync, d.fake
    )
    update_ema(s.G_ema, s.G, ema_beta(p.batch_size, p.ema_kimg, s.cur_nimg, p.ema_rampup))
    values = step_stats(d, loss_g, adv_f, y_real)
    if not (math.isfinite(values["loss_d"]) and math.isfinite(values["loss_g"])):
        raise TrainingDiverged(
            f"loss became non-finite at {s.cur_nimg / 1000:.1f} kimg (loss_d="
            f"{values['loss_d']}, loss_g={values['loss_g']}); the last good checkpoint is "
            f"{run.paths.checkpoint}. Lower train.lr_g / train.lr_d or enable d_spectral_norm."
        )
    s.tick_stats.add(values)
    s.epoch_stats.add(values)


def after_step(run: Run, records: Records) -> None:
    """Whatever falls due at this image count: the time budget, a tick, an epoch, a snapshot."""
    p, rank = run.p, run.rank
    done = run.done
    tick_due = run.crossed(run.tick_nimg)
    if p.max_minutes and tick_due and not done:  # rank 0's clock decides, for all
        budget_spent = run.state.train_seconds.seconds() >= p.max_minutes * 60
        run.out_of_time = done = distributed.from_main(budget_spent, rank)
        if run.out_of_time:
            records.note(
                f"[train] max_minutes {p.max_minutes:g} reached at "
                f"{run.state.cur_nimg / 1000:.1f} kimg: stopping"
            )
    if done or tick_due:
        tick(run, records)
    if run.crossed(run.n_train):
        epoch(run, records)
    if rank.main and (done or run.crossed(run.snapshot_nimg)):
        snapshot(run, records)


# ------------------------------------------------------------------ tick, epoch, snapshot
def tick(run: Run, records: Records) -> None:
    """The tick's mean stats (over all processes) and speed: a history row, a status line."""
    s = run.state
    elapsed = time.perf_counter() - run.tick_start
    row = {
        "kimg": round(s.cur_nimg / 1000, 3),
        **distributed.mean_over_ranks(s.tick_stats.means(), run.rank, run.device),
        "images_per_s": (s.cur_nimg - run.tick_start_nimg) / max(elapsed, 1e-9),
        **({"ada_p": s.ada.p} if run.p.ada_target else {}),
    }
    s.history.append(row)
    records.tick(row)
    s.tick_stats = TickStats()
    run.tick_start, run.tick_start_nimg = time.perf_counter(), s.cur_nimg


def epoch(run: Run, records: Records) -> None:
    """A row of mean stats for each epoch the last step completed (one, unless an epoch is
    shorter than a step)."""
    s = run.state
    means = distributed.mean_over_ranks(s.epoch_stats.means(), run.rank, run.device)
    first = (s.cur_nimg - run.step_nimg) // run.n_train + 1
    s.epochs += [
        {
            "epoch": e,
            "kimg": round(s.cur_nimg / 1000, 3),
            **{k: round(v, 6) for k, v in means.items()},
        }
        for e in range(first, s.cur_nimg // run.n_train + 1)
    ]
    s.epoch_stats = TickStats()
    records.epochs(s.epochs)


def snapshot(run: Run, records: Records) -> None:
    """Rank 0: the fixed-z grid, the EMA generator's weights and score, then the checkpoint."""
    s, paths, scorer = run.state, run.paths, run.scorer
    kimg = s.cur_nimg / 1000
    G = with_standing_statistics(s.G_ema, scorer.n_classes, run.p.seed)
    grid = save_grid_png(G, *scorer.grid_latents(run.p.seed), paths.grid(kimg), scorer.rows)
    score = scorer.score(G, paths.snapshot(kimg))
    records.snapshot(grid, score)
    s.snapshots.append({"kimg": kimg, "step": len(s.history), "domain_fd": score})
    run.save_checkpoint()


# -------------------------------------------------------------------------------- export
def export(run: Run) -> dict[str, Any]:
    """Rank 0 writes the final and the best-scored EMA generators and the metrics; every
    process returns the run's summary, history and epochs."""
    s, paths, p = run.state, run.paths, run.p
    scored = [snap for snap in s.snapshots if snap["domain_fd"] is not None]
    best = min(scored, key=lambda snap: snap["domain_fd"], default=None)
    summary = {
        "kimg": round(s.cur_nimg / 1000, 3),
        "best_kimg": best["kimg"] if best else 0.0,
        "best_domain_fd": best["domain_fd"] if best else None,
        "params_hash": s.params_hash,
        **{
            f"final_{k}": v
            for k, v in s.history[-1].items()
            if k not in ("kimg", "images_per_s") and not math.isnan(v)  # NaN: not measured
        },
    }
    if run.rank.main:
        write_epochs(paths.live / EPOCHS_FILE, s.epochs)
        meta = run.scorer.meta(p)
        G = with_standing_statistics(s.G_ema, run.scorer.n_classes, p.seed)
        export_generator(G, meta, paths.models / "generator.pt")
        if best:  # the snapshot the domain Fréchet distance liked best
            snapshot = read_model_file(paths.snapshot(best["kimg"]), "this run's snapshot")[0]
            s.G_ema.load_state_dict(snapshot)
        export_generator(s.G_ema, meta, paths.models / "generator_best.pt")
        write_json(paths.metrics, summary)
    distributed.barrier(run.rank)  # every process returns once the outputs exist
    return {"summary": summary, "history": s.history, "epochs": s.epochs, "params": asdict(p)}
