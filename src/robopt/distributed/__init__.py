"""Data-parallel jobs over ``torch.distributed`` ranks: the world a job runs in and the few collectives it needs.

A job started by ``torchrun`` (``robopt.distributed.launch``) finds RANK, WORLD_SIZE and LOCAL_RANK in its
environment; ``join_world`` opens the process group (NCCL on CUDA, gloo on the CPU) and gives each rank its
device. Outside torchrun every job is the one-rank world ``SINGLE`` and no collective runs, so the one-device path
costs nothing extra. Results do not depend on the world size beyond float reduction order: every rank draws the
same random stream (same seeds) and keeps its share of each batch or population (``robopt.train.fit``,
``robopt.lopt.outer``), and what one rank computes for the whole batch (loss, gradient, BatchNorm statistics) is a
sum over ranks here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch

from robopt.runtime import resolve_device


@dataclass(frozen=True)
class World:
    """This process's place among the job's ranks."""

    rank: int = 0
    size: int = 1
    local_rank: int = 0

    @property
    def distributed(self) -> bool:
        return self.size > 1

    @property
    def is_main(self) -> bool:
        """Rank 0 writes checkpoints and outputs."""
        return self.rank == 0

    def owns(self, count: int, device: torch.device | str = "cpu") -> torch.Tensor:
        """(count,) bool: the items (antithetic pairs, sub-batches) this rank computes, k mod size = rank."""
        return torch.arange(count, device=device) % self.size == self.rank


SINGLE = World()


def current_world() -> World:
    """The world of an initialised process group, else ``SINGLE``."""
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized():
        return World(dist.get_rank(), dist.get_world_size(), int(os.environ.get("LOCAL_RANK", "0")))
    return SINGLE


def join_world(device_name: str = "auto") -> tuple[World, torch.device]:
    """Open the process group of a torchrun worker (a no-op for one rank) and choose this rank's device:
    ``cuda:LOCAL_RANK`` when the job runs on CUDA, else the CPU with the gloo backend."""
    device = resolve_device(device_name)
    if int(os.environ.get("WORLD_SIZE", "1")) <= 1:
        return SINGLE, device
    import torch.distributed as dist

    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    if device.type == "cuda":
        device = torch.device("cuda", local_rank)
        torch.cuda.set_device(device)
    if not dist.is_initialized():
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    return current_world(), device


def leave_world() -> None:
    """Close the process group (after every rank's last collective)."""
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()


def all_reduce_sum(tensor: torch.Tensor, world: World) -> torch.Tensor:
    """``tensor`` summed over ranks, in place (itself for one rank)."""
    if world.distributed:
        import torch.distributed as dist

        dist.all_reduce(tensor)
    return tensor


def average_tensors(tensors: list[torch.Tensor], world: World) -> None:
    """Replace every tensor by its mean over ranks: one all-reduce of one flat buffer, whatever their number."""
    if not world.distributed or not tensors:
        return
    from torch._utils import _flatten_dense_tensors, _unflatten_dense_tensors

    flat = all_reduce_sum(_flatten_dense_tensors(tensors), world).div_(world.size)
    torch._foreach_copy_(tensors, _unflatten_dense_tensors(flat, tensors))


def average_gradients(params: list[torch.Tensor], world: World) -> None:
    """The mean gradient over ranks in every ``p.grad`` (each rank's is the gradient of its share's mean loss), as
    ``DistributedDataParallel`` computes it; one flat all-reduce after the backward pass instead of DDP's buckets
    overlapped with it, so that it also serves the methods whose backward runs through a joint sub-batch pass."""
    average_tensors([p.grad for p in params if p.grad is not None], world)


def average_buffers(module: torch.nn.Module, world: World) -> None:
    """Running statistics averaged over ranks (equal already where BatchNorm statistics are synchronised; the mean
    of the sub-batch updates where they are per sub-batch); integer counters are the same on every rank."""
    average_tensors([b for b in module.buffers() if b.is_floating_point()], world)


def barrier(world: World) -> None:
    if world.distributed:
        import torch.distributed as dist

        dist.barrier()
