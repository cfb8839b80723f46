"""PyTorch DDP under ``torchrun``: initialised only when WORLD_SIZE > 1.

``torchrun --nproc_per_node N -m csgo_env.cli train ...`` (or several nodes) sets RANK,
WORLD_SIZE and LOCAL_RANK; each process then reads its own share of sequences
(:class:`csgo_env.baselines.data.StepBatches`) and gradients are averaged by DDP. Backend:
NCCL on CUDA, Gloo on CPU.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch
from torch import nn


@dataclass(frozen=True)
class Dist:
    """This process's place: ``rank`` of ``world`` processes, ``device`` to use."""

    rank: int
    world: int
    device: torch.device

    @property
    def main(self) -> bool:
        """Rank 0 logs, validates and writes checkpoints."""
        return self.rank == 0


def setup(device: str) -> Dist:
    """Read the torchrun variables, pick the device and start the process group if needed."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local = int(os.environ.get("LOCAL_RANK", "0"))
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    dev = torch.device(device)
    if dev.type == "cuda" and dev.index is None:
        dev = torch.device("cuda", local if world > 1 else 0)
    if dev.type == "cuda":
        torch.cuda.set_device(dev)
    if world > 1 and not torch.distributed.is_initialized():
        torch.distributed.init_process_group("nccl" if dev.type == "cuda" else "gloo")
    return Dist(rank, world, dev)


def wrap(net: nn.Module, dist: Dist) -> nn.Module:
    """``net`` in DistributedDataParallel when running with several processes."""
    if dist.world <= 1:
        return net
    ids = [dist.device.index] if dist.device.type == "cuda" else None
    return nn.parallel.DistributedDataParallel(net, device_ids=ids)


def barrier(dist: Dist) -> None:
    if dist.world > 1:
        torch.distributed.barrier()


def teardown(dist: Dist) -> None:
    if dist.world > 1 and torch.distributed.is_initialized():
        torch.distributed.destroy_process_group()
