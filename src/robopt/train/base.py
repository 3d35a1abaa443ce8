"""Pieces shared by the training methods: the step interface, the base optimizer settings, parameter selection."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

import torch
from torch import nn

from robopt.distributed import World, average_gradients

#: Layers whose weight (conv/linear kernel, BatchNorm or LayerNorm scale) DAMP perturbs; biases and shifts are not.
PERTURBED_LAYERS = (nn.Conv2d, nn.Linear, nn.BatchNorm2d, nn.BatchNorm1d, nn.LayerNorm)


class Method(Protocol):
    optimizer: torch.optim.Optimizer

    def step(self, model: nn.Module, inputs: torch.Tensor, targets: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """One update on a batch; returns the mean loss (detached) and the logits (detached)."""
        ...


@dataclass(frozen=True)
class OptimizerSettings:
    """The base optimizer every method wraps, from the dataset's validated training block (a method's own
    ``lr`` / ``weight_decay`` already applied)."""

    lr: float
    momentum: float
    nesterov: bool
    weight_decay: float
    mixed_precision: bool  # bf16 autocast of the forward pass, on CUDA only
    base: str  # sgd (Nesterov SGD, coupled L2: CIFAR, Tiny-ImageNet, ResNet-50) or adamw (ViT)
    grad_clip_norm: float  # clip the global gradient norm to this before the update (0 = no clipping)
    weight_decay_on: str  # all parameters, or kernels only (conv/linear weights: DAMP's ResNet-50 mask)


BASE_OPTIMIZERS = ("sgd", "adamw")


def decay_groups(model: nn.Module, weight_decay: float, on: str) -> list[dict]:
    """Parameter groups with ``weight_decay`` on every parameter, or on the kernels (>= 2-D weights) only."""
    if on == "all":
        return [{"params": list(model.parameters()), "weight_decay": weight_decay}]
    if on != "kernels":
        raise ValueError(f"unknown weight_decay_on {on!r}; valid: all, kernels")
    kernels = [p for p in model.parameters() if p.dim() > 1]
    others = [p for p in model.parameters() if p.dim() <= 1]
    return [{"params": kernels, "weight_decay": weight_decay}, {"params": others, "weight_decay": 0.0}]


def base_optimizer(model: nn.Module, optimizer: OptimizerSettings) -> torch.optim.Optimizer:
    """The optimizer a method steps with: SGD with (Nesterov) momentum and coupled L2 weight decay, as the DAMP
    reference's CIFAR/Tiny/ResNet-50 configs, or AdamW (betas 0.9/0.999, eps 1e-8, decoupled decay scaled by the
    lr, as optax's ``adamw``) as its ViT configs."""
    groups = decay_groups(model, optimizer.weight_decay, optimizer.weight_decay_on)
    if optimizer.base == "adamw":
        return torch.optim.AdamW(groups, lr=optimizer.lr, betas=(0.9, 0.999), eps=1e-8)
    if optimizer.base != "sgd":
        raise ValueError(f"unknown base optimizer {optimizer.base!r}; valid: {', '.join(BASE_OPTIMIZERS)}")
    return torch.optim.SGD(groups, lr=optimizer.lr, momentum=optimizer.momentum,
                           nesterov=optimizer.nesterov and optimizer.momentum > 0)


def apply_update(optimizer: torch.optim.Optimizer, params: list[nn.Parameter], world: World,
                 clip_norm: float) -> None:
    """The end of every method's step: gradients averaged over ranks, clipped to ``clip_norm`` (the global norm,
    as optax's ``clip_by_global_norm``; 0 = not clipped), then the base optimizer's update."""
    average_gradients(params, world)
    if clip_norm > 0:
        torch.nn.utils.clip_grad_norm_(params, clip_norm)
    optimizer.step()


def perturbed_parameters(model: nn.Module) -> list[nn.Parameter]:
    """Conv/linear weights and BatchNorm / LayerNorm scales ("kernel" and "scale" leaves in the DAMP reference code:
    flax names both norms' weights ``scale``)."""
    return [m.weight for m in model.modules() if isinstance(m, PERTURBED_LAYERS) and m.weight is not None]


def local_sub_batches(sub_batches: int, world: World) -> int:
    """This rank's share of a method's M sub-batches (M counts over all ranks, the paper's formulation)."""
    if sub_batches % world.size:
        raise ValueError(f"sub_batches = {sub_batches} does not split over {world.size} ranks: a multi-device job "
                         "needs a multiple of its ranks (each rank runs sub_batches / ranks of them)")
    return sub_batches // world.size


def uses_bf16(model: nn.Module, optimizer: OptimizerSettings) -> bool:
    """bf16 autocast for the forward pass: on CUDA when ``mixed_precision`` is set, never on the CPU."""
    return optimizer.mixed_precision and next(model.parameters()).is_cuda


def loss_and_logits(
    model: nn.Module, inputs: torch.Tensor, targets: torch.Tensor, scale: float = 1.0, bf16: bool = False
) -> tuple[torch.Tensor, torch.Tensor]:
    """Forward (bf16 autocast if asked), cross-entropy in float32, backward of ``scale * loss`` outside autocast.

    Gradients accumulate; returns the detached loss and logits.
    """
    with torch.autocast(device_type=inputs.device.type, dtype=torch.bfloat16, enabled=bf16):
        logits = model(inputs)
    loss = nn.functional.cross_entropy(logits.float(), targets)
    (loss * scale).backward()
    return loss.detach(), logits.detach()


@contextlib.contextmanager
def frozen_batchnorm_statistics(model: nn.Module) -> Iterator[None]:
    """Run extra forward passes (SAM's second pass) without changing BN running statistics."""
    saved = {name: buffer.clone() for name, buffer in model.named_buffers()}
    try:
        yield
    finally:
        with torch.no_grad():
            for name, buffer in model.named_buffers():
                buffer.copy_(saved[name])
