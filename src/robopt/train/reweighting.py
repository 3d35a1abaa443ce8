"""The shared frame of the meta-reweighting methods: a method that weights each training example, from a meta set
the training loop attaches, and logs the weights it gave."""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from robopt.distributed import current_world
from robopt.train.base import OptimizerSettings, apply_update, base_optimizer
from robopt.train.meta_step import MetaBatches, at_least_float32, check_meta_bn, refuse_distributed

#: How a method uses the meta set (``meta_set_use``): ``meta`` = meta batches in every step (L2RW, MW-Net),
#: ``train`` = merged into the training set, ``select`` = early stopping on its accuracy, absent = unused.
META_SET_USES = ("meta", "train", "select")


class Reweighting:
    """A step that minimises sum_i w_i l_i with per-example weights w from meta batches; real forward and backward in
    float32 (the meta passes must be, and they reuse the real forward)."""

    meta_set_use = "meta"

    def _setup(self, name: str, model: nn.Module, optimizer: OptimizerSettings, meta_batch_size: int,
               meta_bn: str) -> None:
        refuse_distributed(name)
        if meta_batch_size < 1:
            raise ValueError(f"meta_batch_size must be >= 1, got {meta_batch_size}")
        self.optimizer = base_optimizer(model, optimizer)
        self.params = list(model.parameters())
        self.clip_norm = optimizer.grad_clip_norm
        self.world = current_world()  # one process (refused otherwise, above)
        self.meta_batch_size, self.meta_bn = int(meta_batch_size), check_meta_bn(meta_bn)
        self.meta_batches: MetaBatches | None = None
        self.last_weights: torch.Tensor | None = None  # the weights of the last step, 1 = an unweighted example

    def attach_meta_set(self, batches: MetaBatches) -> None:
        self.meta_batches = batches

    def draw_meta_batch(self) -> tuple[torch.Tensor, torch.Tensor]:
        if self.meta_batches is None:
            raise RuntimeError("no meta set attached: the training loop attaches one before the first step")
        return self.meta_batches.draw()

    def weighted_update(self, losses: torch.Tensor, weights: torch.Tensor) -> None:
        """The real step: backward of sum_i w_i l_i (weights fixed), then the base optimizer's update."""
        (weights.detach() * losses).sum().backward()
        apply_update(self.optimizer, self.params, self.world, self.clip_norm)

    def state_dict(self) -> dict[str, Any]:
        """What a resumed run needs beyond the model and the base optimizer: the meta sampler's state."""
        return {"meta_batches": self.meta_batches.state_dict() if self.meta_batches else None}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        if state["meta_batches"] is not None and self.meta_batches is not None:
            self.meta_batches.load_state_dict(state["meta_batches"])


def sum_normalised(weights: torch.Tensor) -> torch.Tensor:
    """weights / their sum over the batch; a batch whose weights sum to 0 keeps them as they are (the references'
    guard, never NaN). Differentiable through the sum."""
    total = weights.sum()
    positive = total != 0
    return torch.where(positive, weights / torch.where(positive, total, torch.ones_like(total)), weights)


def forward_losses(model: nn.Module, inputs: torch.Tensor, targets: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The real forward (it moves the BatchNorm running statistics, once per step): per-example losses and logits."""
    logits = model(inputs)
    return F.cross_entropy(at_least_float32(logits), targets, reduction="none"), logits
