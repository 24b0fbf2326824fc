"""Multi-GPU and multi-node training: ``torchrun`` plus DistributedDataParallel.

The train stage runs unchanged under ``torchrun``, which starts one process per GPU and sets
``WORLD_SIZE``, ``RANK`` and ``LOCAL_RANK`` (``...``: the paths of train's cmd in dvc.yaml)::

    torchrun --standalone --nproc_per_node 4 stages/train.py ...        # one machine, 4 GPUs
    torchrun --nnodes 2 --nproc_per_node 8 --rdzv_backend c10d \\
             --rdzv_endpoint HOST:29500 stages/train.py ...             # on each of 2 machines
    torchrun --standalone --nproc_per_node 2 stages/train.py ...        # CPU: gloo, as tested

``train.batch_size`` stays the *global* batch: each of the N processes trains on its own
1/N-th slice of every global batch (same draws, same augmentations as a single process would
make), so params and results do not depend on how many GPUs ran them. Rank 0 alone logs,
writes snapshots, checkpoints and exports; nodes need no shared disk, because rank 0 sends a
resumed checkpoint to the others. Without torchrun's variables nothing here does anything.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import torch
from torch import distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from ganpipe.errors import UserError


@dataclass(frozen=True)
class Rank:
    """Where this process stands among the ones torchrun started."""

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0

    @property
    def main(self) -> bool:
        """Rank 0: the one process that writes files and logs."""
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        """More than one process: only then is there a process group to talk to."""
        return self.world_size > 1

    def rows(self, per_rank: int) -> slice:
        """This process's rows of a global batch of ``per_rank * world_size`` rows."""
        return slice(self.rank * per_rank, (self.rank + 1) * per_rank)


def from_env(env: Mapping[str, str] = os.environ) -> Rank:
    """The rank torchrun assigned (``WORLD_SIZE``/``RANK``/``LOCAL_RANK``), else a lone process."""
    world = int(env.get("WORLD_SIZE", "1"))
    rank = Rank(int(env.get("RANK", "0")), world, int(env.get("LOCAL_RANK", "0")))
    if not 0 <= rank.rank < world:
        raise UserError(f"RANK={rank.rank} is outside 0..WORLD_SIZE-1={world - 1}")
    return rank


def local_batch(global_batch: int, rank: Rank) -> int:
    """Images per process: ``train.batch_size`` is the global batch, split evenly."""
    per_rank, rest = divmod(global_batch, rank.world_size)
    if rest or per_rank < 2:
        raise UserError(
            f"train.batch_size {global_batch} is the global batch and must split into "
            f"{rank.world_size} equal per-process batches of at least 2 images (WORLD_SIZE="
            f"{rank.world_size}); use a multiple of {rank.world_size}, e.g. "
            f"{max(2, -(-global_batch // rank.world_size)) * rank.world_size}"
        )
    return per_rank


@contextlib.contextmanager
def process_group(rank: Rank, device: torch.device) -> Iterator[torch.device]:
    """Join the process group (NCCL on CUDA, gloo on CPU) and yield this process's device.

    On CUDA each process takes the GPU of its ``LOCAL_RANK``. The group is destroyed on the
    way out, also after an error, so torchrun can end the job cleanly.
    """
    if not rank.distributed:
        yield device
        return
    if device.type == "cuda":
        if rank.local_rank >= torch.cuda.device_count():
            raise UserError(
                f"LOCAL_RANK={rank.local_rank} has no GPU: this machine has "
                f"{torch.cuda.device_count()}; start at most that many processes "
                "per node (torchrun --nproc_per_node)"
            )
        device = torch.device("cuda", rank.local_rank)
        torch.cuda.set_device(device)
    elif device.type != "cpu":
        raise UserError(f"train.device {device.type!r} cannot train distributed: use cuda or cpu")
    dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    try:
        yield device
    finally:
        dist.destroy_process_group()


def sync_batchnorm(model: nn.Module, rank: Rank, device: torch.device) -> nn.Module:
    """BatchNorm over the global batch instead of each process's slice (``train.sync_batchnorm``).

    A lone process already normalises over the global batch, so it keeps the model as it is.
    """
    if not rank.distributed:
        return model
    if device.type != "cuda":
        raise UserError(
            "train.sync_batchnorm needs CUDA devices: PyTorch's SyncBatchNorm has "
            "no CPU implementation. Set it to false for CPU (gloo) runs"
        )
    return nn.SyncBatchNorm.convert_sync_batchnorm(model)


def wrap(model: nn.Module, rank: Rank, device: torch.device, broadcast_buffers: bool) -> nn.Module:
    """DistributedDataParallel around ``model`` when distributed, else ``model`` itself.

    DDP copies rank 0's weights to every process here and averages gradients in backward, so
    all copies stay identical. Every parameter takes part in every loss, so DDP need not search
    for unused ones (``find_unused_parameters``), which would cost a graph walk per step.
    """
    if not rank.distributed:
        return model
    return DistributedDataParallel(
        model,
        device_ids=[device.index] if device.type == "cuda" else None,
        broadcast_buffers=broadcast_buffers,
    )


def no_sync(model: nn.Module) -> contextlib.AbstractContextManager[Any]:
    """Skip DDP's gradient averaging for ``model`` (D while G trains: its gradients are dropped)."""
    if isinstance(model, DistributedDataParallel):
        return model.no_sync()
    return contextlib.nullcontext()


def mean_over_ranks(values: dict[str, float], rank: Rank, device: torch.device) -> dict[str, float]:
    """Per-process means averaged over all processes (equal batches: the global means)."""
    if not rank.distributed:
        return values
    t = torch.tensor(list(values.values()), dtype=torch.float64, device=device)
    dist.all_reduce(t)
    return dict(zip(values, (t / rank.world_size).tolist(), strict=True))


def from_main(obj: Any, rank: Rank) -> Any:
    """Rank 0's ``obj`` on every process (e.g. the checkpoint only rank 0 can read)."""
    if not rank.distributed:
        return obj
    box = [obj]
    dist.broadcast_object_list(box, src=0)
    return box[0]


def barrier(rank: Rank) -> None:
    """Wait until every process got here (rank 0 finished writing the stage's outputs)."""
    if rank.distributed:
        dist.barrier()
